"""One plain-language label per code (statuses, roles, audit actions, layers…) for every page.

Codes stay in the database, the API and machine-readable export columns; people read
these labels, in the page's language. Category and time-band labels live in
:mod:`geoservice.i18n` and are re-exported here so a page needs only this module.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask_babel import gettext as _

from geoservice.i18n import band_labels, category_labels

__all__ = [
    "activity_status_labels",
    "age_band_labels",
    "audit_action_labels",
    "audit_filter_text",
    "audit_place",
    "audit_sentence",
    "band_labels",
    "category_labels",
    "code_label",
    "kind_labels",
    "layer_labels",
    "moderation_field_labels",
    "precision_labels",
    "resident_role_labels",
    "responsible_labels",
    "role_labels",
    "source_labels",
    "status_labels",
    "weekday_labels",
    "weekend_labels",
]


def status_labels() -> dict[str, str]:
    """Moderation statuses, in the order of :data:`geoservice.core.categories.STATUSES`."""
    return {
        "new": _("Ny"),
        "confirmed": _("Bekräftad"),
        "spam": _("Skräp"),
        "duplicate": _("Dubblett"),
        "not_relevant": _("Inte relevant"),
        "handled": _("Hanterad"),
    }


def role_labels() -> dict[str, str]:
    """Staff roles (lower case, as inside a sentence)."""
    return {
        "police": _("polis"),
        "municipality": _("kommun"),
        "bra": _("BRÅ (rådsledamot)"),
        "admin": _("administratör"),
        "partner": _("samverkanspartner"),
    }


def kind_labels() -> dict[str, str]:
    """Whether a place was marked unsafe or notably safe."""
    return {"unsafe": _("Otrygg plats"), "safe": _("Trygg plats")}


def weekend_labels() -> dict[str, str]:
    """Weekday or weekend, keyed as the filters write them."""
    return {"false": _("vardag"), "true": _("helg")}


def weekday_labels() -> dict[str, str]:
    """Weekday codes of the patrol window and the weekday groups."""
    return {
        "mon": _("måndag"),
        "tue": _("tisdag"),
        "wed": _("onsdag"),
        "thu": _("torsdag"),
        "fri": _("fredag"),
        "sat": _("lördag"),
        "sun": _("söndag"),
        "weekend": _("helg"),
        "weekdays": _("vardagar"),
    }


def precision_labels() -> dict[str, str]:
    """How exactly a concern's place is known."""
    return {"point": _("Markerad punkt"), "area": _("Hela området")}


def layer_labels() -> dict[str, str]:
    """Map layers by their code."""
    return {
        "areas": _("områden"),
        "boundaries": _("områdesgränser"),
        "density": _("täthetskarta"),
        "hotspots": _("hotspots"),
        "points": _("exakta platser"),
    }


def resident_role_labels() -> dict[str, str]:
    """Who the resident said they are."""
    return {"resident": _("Bor i kommunen"), "works": _("Arbetar här"), "visitor": _("Besökare")}


def age_band_labels() -> dict[str, str]:
    """The optional age bands."""
    return {
        "under_18": _("Under 18"),
        "18_29": "18–29",
        "30_49": "30–49",
        "50_64": "50–64",
        "65_plus": _("65 eller äldre"),
    }


def source_labels() -> dict[str, str]:
    """Where a concern came in."""
    return {
        "web": _("Webbformuläret"),
        "api": _("API"),
        "open311": _("Open311-app"),
        "import": _("Import av tidigare dialog"),
        "demo": _("Demodata"),
    }


def event_source_labels() -> dict[str, str]:
    """Which source an analysis counts: residents' concerns, partners' event reports, or both."""
    return {
        "residents": _("Invånarnas synpunkter"),
        "partners": _("Händelser från samverkanspartner"),
        "both": _("Båda"),
    }


def responsible_labels() -> dict[str, str]:
    """Who is responsible for an activity of the action plan."""
    return {
        "police": _("Polisen"),
        "municipality": _("Kommunen"),
        "both": _("Polisen och kommunen"),
    }


def activity_status_labels() -> dict[str, str]:
    """Where an activity of the action plan stands."""
    return {"planned": _("Planerad"), "ongoing": _("Pågår"), "done": _("Genomförd")}


def moderation_field_labels() -> dict[str, str]:
    """What a moderation history entry changed."""
    return {
        "status": _("Status"),
        "category": _("Kategori"),
        "note": _("Intern anteckning"),
    }


def audit_action_labels() -> dict[str, str]:
    """Audit log actions, as a short noun phrase for the filter list."""
    return {
        "view_free_text": _("Visade fritext"),
        "view_points": _("Visade exakta platser"),
        "export_points": _("Exporterade exakta platser"),
        "export_audit": _("Exporterade granskningsloggen"),
        "denied": _("Nekades åtkomst"),
        "login": _("Loggade in"),
        "login_failed": _("Misslyckad inloggning"),
        "logout": _("Loggade ut"),
    }


def code_label(labels: Mapping[str, str], code: str | None) -> str:
    """The label of ``code``, or the code made readable when no label is known yet."""
    if code is None or code == "":
        return "–"
    return labels.get(code) or code.replace("_", " ")


# Endpoints (the audit ``target``) named as the page a person knows.
def _place_labels() -> dict[str, str]:
    return {
        "staff.queue": _("i modereringskön"),
        "staff.report_page": _("på en synpunkts sida"),
        "staff.audit_log": _("i granskningsloggen"),
        "staff.audit_export": _("som CSV från granskningsloggen"),
        "staff.area_layers": _("på sidan om områdesindelning"),
        "staff.home": _("på personalens startsida"),
        "staff_maps.hotspots": _("på hotspotkartan"),
        "report.period_report": _("i lägesbilden"),
        "patrol.page": _("i patrullplanen"),
        "patrol.print_view": _("på patrullplanens utskrift"),
        "staff_api.reports": _("via API:t"),
        "auth.login": _("på inloggningssidan"),
        "auth.logout": "",
        "exports.concerns": _("som fil"),
        "events.own_events": _("på sidan med organisationens händelser"),
        "situation.send_weekly": _("med veckans lägesbild"),
        "report.figures": _("bland lägesbildens siffror"),
        "places": _("i platsregistret"),
    }


def audit_place(target: str | None) -> str:
    """Where an audit event happened, as words (``staff.report_page:<id>`` → a concern's page)."""
    if not target:
        return ""
    endpoint, _sep, detail = target.partition(":")
    places = _place_labels()
    if endpoint in places:
        place = places[endpoint]
        if endpoint == "exports.concerns" and detail:
            place = _("som %(format)s-fil", format=detail.upper())
        return place
    if endpoint.startswith("api.") or endpoint.startswith("staff_api."):
        return _("via API:t")
    if endpoint == "user" and detail:
        return _("för kontot %(name)s", name=detail)
    if endpoint == "token" and detail:
        return _("för API-nyckel nr %(id)s", id=detail)
    # A page without a name of its own: no code in the sentence (the raw record has it).
    return _("på en personalsida")


def _filter_values(name: str, values: list[str]) -> list[str]:
    lookups = {
        "category": category_labels(),
        "time_of_day": {k: v.split(" (")[0].lower() for k, v in band_labels().items()},
        "status": {k: v.lower() for k, v in status_labels().items()},
        "kind": {k: v.lower() for k, v in kind_labels().items()},
        "weekend": weekend_labels(),
        "layer": layer_labels(),
        "weekday": weekday_labels(),
    }
    table = lookups.get(name)
    if table is not None:
        return [code_label(table, value).split(" (")[0].lower() for value in values]
    if name == "from":
        return [_("från %(day)s", day=value) for value in values]
    if name == "to":
        return [_("till och med %(day)s", day=value) for value in values]
    if name == "from_hour":
        return [_("från klockan %(hour)s", hour=value) for value in values]
    if name == "to_hour":
        return [_("till klockan %(hour)s", hour=value) for value in values]
    if name == "stops":
        return [_("%(n)s stopp", n=value) for value in values]
    if name == "page":
        return [_("sida %(n)s", n=value) for value in values]
    if name == "cold":
        return [_("med kalla fläckar")]
    if name == "user":
        return [_("person %(name)s", name=value) for value in values]
    if name == "action":
        return [code_label(audit_action_labels(), value).lower() for value in values]
    if name == "format":
        return [value.upper() for value in values]
    if name == "area":
        from geoservice.store.areas import current_layer

        names = dict(current_layer().choices())
        return [names.get(value, value) for value in values]
    # A filter added later: show its name and values, readable.
    return [f"{name.replace('_', ' ')} {value}" for value in values]


_FILTER_ORDER = (
    "category",
    "time_of_day",
    "weekend",
    "weekday",
    "kind",
    "status",
    "area",
    "layer",
    "from",
    "to",
    "from_hour",
    "to_hour",
    "stops",
    "cold",
    "format",
    "user",
    "action",
    "page",
)


def audit_filter_text(filter_json: str | None) -> str:
    """A stored audit filter as words: ``narkotika, natt, från 2026-11-01``."""
    if not filter_json:
        return ""
    try:
        stored = json.loads(filter_json)
    except ValueError:
        return filter_json
    if not isinstance(stored, dict):
        return filter_json
    order = {name: i for i, name in enumerate(_FILTER_ORDER)}
    parts: list[str] = []
    for name in sorted(stored, key=lambda n: (order.get(n, len(order)), n)):
        raw = stored[name]
        values = [str(v) for v in raw] if isinstance(raw, list) else [str(raw)]
        parts.extend(_filter_values(name, values))
    return ", ".join(parts)


def _num(value: int) -> str:
    from geoservice.core.typography import format_number
    from geoservice.i18n import page_language

    return format_number(value, page_language())


def _count(rows: int, one: str, many: str) -> str:
    """Swedish and English both write 1 one way and every other count another."""
    return one if rows == 1 else many


def _who(user_name: str | None, role: str | None) -> str:
    role_text = code_label(role_labels(), role) if role else ""
    if user_name and role_text:
        return f"{role_text[:1].upper()}{role_text[1:]} {user_name}"
    if user_name:
        return user_name
    return _("Någon okänd")


def audit_sentence(event) -> str:
    """An audit event as one sentence: who did what, where, for how many, with which filter."""
    who = _who(event.user_name, event.role)
    rows = event.rows
    place = audit_place(event.target)
    action = event.action
    if action == "view_free_text":
        what = (
            _count(
                rows,
                _("visade fritext för 1 synpunkt"),
                _("visade fritexter för %(n)s synpunkter", n=_num(rows)),
            )
            if rows is not None
            else _("visade fritexter")
        )
    elif action == "view_points":
        what = (
            _count(rows, _("visade 1 exakt plats"), _("visade %(n)s exakta platser", n=_num(rows)))
            if rows is not None
            else _("visade exakta platser")
        )
    elif action == "export_points":
        what = (
            _count(
                rows, _("exporterade 1 synpunkt"), _("exporterade %(n)s synpunkter", n=_num(rows))
            )
            if rows is not None
            else _("exporterade synpunkter")
        )
    elif action == "export_audit":
        what = (
            _count(
                rows,
                _("exporterade 1 rad ur granskningsloggen"),
                _("exporterade %(n)s rader ur granskningsloggen", n=_num(rows)),
            )
            if rows is not None
            else _("exporterade granskningsloggen")
        )
        place = ""
    elif action == "denied":
        what = _("nekades åtkomst")
    elif action == "login":
        what, place = _("loggade in"), ""
    elif action == "login_failed":
        what, place = _("misslyckades att logga in"), ""
        if not event.user_name:
            who = _("Någon")
            what = _("försökte logga in med ett okänt användarnamn eller fel lösenord")
    elif action == "logout":
        what, place = _("loggade ut"), ""
    else:
        what = code_label(audit_action_labels(), action).lower()
    sentence = " ".join(part for part in (who, what, place) if part)
    filters = audit_filter_text(event.filter)
    if filters:
        sentence += _(", filter: %(filters)s", filters=filters)
    return sentence + "."
