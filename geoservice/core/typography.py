"""Numbers, percentages, dates and times as a Swedish (or English) reader expects them.

One helper for every page, PDF and human-readable export column, so the same figure is
never written ``11.6`` in one place and ``11,6`` in another. Machine-readable outputs
(APIs, CSV number columns) keep plain numbers and UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal

LOCAL_ZONE = ZoneInfo("Europe/Stockholm")
_NBSP = "\u00a0"


def _locale(lang: str) -> str:
    return "en_GB" if lang == "en" else "sv_SE"


def format_number(value: float | int | None, lang: str = "sv", *, decimals: int = 0) -> str:
    """A count or a measure: ``1 204`` and ``11,6`` in Swedish, ``1,204`` and ``11.6`` in English.

    ``None`` becomes an en dash, for cells with nothing to show.
    """
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = _babel_decimal(round(float(value), decimals), format=pattern, locale=_locale(lang))
    # Babel writes Swedish thousands with a narrow/ordinary no-break space; one kind only.
    return text.replace("\u202f", _NBSP).replace("\u2212", "−")


def format_percent(share: float | None, lang: str = "sv", *, decimals: int = 0) -> str:
    """A share (0.19) as a percentage: ``19 %`` in Swedish (Språkrådet), ``19%`` in English."""
    if share is None:
        return "–"
    number = format_number(share * 100, lang, decimals=decimals)
    return f"{number}{_NBSP}%" if lang != "en" else f"{number}%"


def local_time(moment: datetime) -> datetime:
    """A stored moment (UTC, naive means UTC) in Stockholm time, summer time included."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE)


def format_day(day: date | datetime | None, lang: str = "sv", *, long: bool = False) -> str:
    """A calendar day: ``2026-12-01`` (ISO, as Swedish staff write it) or ``1 december 2026``."""
    if day is None:
        return "–"
    if isinstance(day, datetime):
        day = local_time(day).date()
    if long:
        return _babel_date(day, format="d MMMM y", locale=_locale(lang))
    return day.isoformat()


def format_local_time(moment: datetime | None, lang: str = "sv") -> str:
    """A moment as a person reads it: ``2026-12-01 20:54`` in Stockholm time."""
    if moment is None:
        return "–"
    return local_time(moment).strftime("%Y-%m-%d %H:%M")


def format_month(day: date | None, lang: str = "sv") -> str:
    """The calendar month of a day: ``oktober 2026`` (Swedish) or ``October 2026``."""
    if day is None:
        return "–"
    return _babel_date(day, format="LLLL y", locale=_locale(lang))
