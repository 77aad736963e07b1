"""Language choice: Swedish unless the visitor picked English (``?lang=en``, then a cookie)."""

from __future__ import annotations

from flask import Flask, Response, g, request, url_for
from flask_babel import get_locale

LANGUAGES = ("sv", "en")
COOKIE = "lang"


def select_locale() -> str:
    """Return the language of this request."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.lang_chosen = asked
        return asked
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGUAGES else "sv"


def _remember_choice(response: Response) -> Response:
    chosen = g.get("lang_chosen")
    if chosen:
        response.set_cookie(
            COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure
        )
    return response


def switch_language_url(lang: str) -> str:
    """The current page in another language."""
    args = dict(request.view_args or {})
    args.update(request.args.to_dict())
    args["lang"] = lang
    endpoint = request.endpoint or "public.index"
    return url_for(endpoint, **args)


def page_language() -> str:
    """The language of this page: ``sv`` or ``en``."""
    return str(get_locale() or "sv")


def category_labels() -> dict[str, str]:
    """Category code → label in the page's language (SPEC §4), in their order."""
    from geoservice.core.categories import CATEGORIES

    english = page_language() == "en"
    return {c.code: (c.label_en if english else c.label_sv) for c in CATEGORIES}


def safe_reason_labels() -> dict[str, str]:
    """Why a place feels safe: reason code → label in the page's language, in their order."""
    from geoservice.core.categories import SAFE_REASONS

    english = page_language() == "en"
    return {c.code: (c.label_en if english else c.label_sv) for c in SAFE_REASONS}


def any_category_labels() -> dict[str, str]:
    """Labels of every code a concern can carry: unsafe categories and safe-place reasons."""
    return category_labels() | safe_reason_labels()


def band_labels() -> dict[str, str]:
    """The time-of-day bands (SPEC §4) in the page's language, in their order."""
    from flask_babel import gettext as _

    return {
        "day": _("Dag (06–18)"),
        "evening": _("Kväll (18–22)"),
        "night": _("Natt (22–06)"),
        "unknown": _("Vet inte / hela tiden"),
    }


def _moment(value):
    """A stored moment, also when it was kept as ISO text (e.g. in a JSON provenance record)."""
    from datetime import datetime

    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def _typography_filters() -> dict:
    """Jinja filters writing numbers, shares and times the page's language's way."""
    from geoservice.core import typography as t

    return {
        "number": lambda v, decimals=0: t.format_number(v, page_language(), decimals=decimals),
        "percent": lambda v, decimals=0: t.format_percent(v, page_language(), decimals=decimals),
        "localtime": lambda v: t.format_local_time(_moment(v), page_language()),
        "day": lambda v, long=False: t.format_day(v, page_language(), long=long),
        "month": lambda v: t.format_month(v, page_language()),
    }


def _code_label(labels, code):
    from geoservice.labels import code_label

    return code_label(labels, code)


def init_app(app: Flask) -> None:
    """Remember the language choice and offer the switch and typography to templates."""
    app.after_request(_remember_choice)
    app.jinja_env.filters.update(_typography_filters())
    app.jinja_env.globals["switch_language_url"] = switch_language_url
    app.jinja_env.globals["band_labels"] = band_labels
    app.jinja_env.globals["code_label"] = _code_label
    app.context_processor(lambda: {"lang": page_language()})
