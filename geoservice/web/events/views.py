"""The partner's phone form for events, and the list of the organisation's own reports."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from geoservice.core.categories import EVENT_TYPES, SERIOUSNESS
from geoservice.core.events.validation import MAX_EVENTS, EventsRejected
from geoservice.core.typography import LOCAL_ZONE
from geoservice.i18n import page_language
from geoservice.maps.base import render_parts
from geoservice.maps.report_map import report_map
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.events.repository import EventKeyConflict, count_events, recent_events
from geoservice.web.access import audit, requires
from geoservice.web.events.places import named_places
from geoservice.web.events.reporting import reporting_organisation, submit_events
from geoservice.web.pin_texts import pin_texts
from geoservice.web.public import map_settings

bp = Blueprint("events", __name__, url_prefix="/personal")

FIELDS = ("lat", "lon", "place", "date", "time", "to_date", "to_time", "seriousness", "description")


def event_type_labels() -> dict[str, str]:
    """EST event types in the page's language, in their order."""
    english = page_language() == "en"
    return {t.code: (t.label_en if english else t.label_sv) for t in EVENT_TYPES}


def seriousness_labels() -> dict[int, str]:
    """The reporter's own assessment, 1–3, in words."""
    return {1: _("1 – Mindre allvarligt"), 2: _("2 – Allvarligt"), 3: _("3 – Mycket allvarligt")}


def _error_key(index: int, field: str) -> str:
    return f"e{index}-{field}"


def _events_from_form(form, count: int) -> list[dict]:
    events = []
    for index in range(count):
        prefix = f"e{index}-"
        item = {name: form.get(prefix + name, "") for name in FIELDS}
        item["types"] = form.getlist(prefix + "types")
        events.append(item)
    return events


def _event_map():
    layer = current_layer()
    fmap = report_map(
        layer.areas,
        layer.outline,
        texts=pin_texts(),
        settings=map_settings(),
        aria_label=_("Karta över Melleruds kommun. Tryck för att markera var det hände."),
    )
    return render_parts(fmap)


def _render(events: list[dict], errors: dict[str, str], key: str, status: int = 200):
    return (
        render_template(
            "staff/events/form.html",
            events=events,
            errors=errors,
            key=key,
            max_events=MAX_EVENTS,
            type_labels=event_type_labels(),
            seriousness=SERIOUSNESS,
            seriousness_labels=seriousness_labels(),
            places=named_places(),
            organisation=reporting_organisation(),
            map_parts=_event_map(),
        ),
        status,
    )


def _blank_event() -> dict:
    today = datetime.now(LOCAL_ZONE).date().isoformat()
    return {"date": today, "types": [], "seriousness": "2"}


@bp.get("/handelse")
@requires("report_events")
def report_form():
    """The phone form: where, when, what kind, how serious, what happened."""
    return _render([_blank_event()], {}, str(uuid.uuid4()))


@bp.post("/handelse")
@requires("report_events")
def submit():
    """Store the form's events together, or show the form again with each problem marked."""
    form = request.form
    raw_count = form.get("count", "1")
    count = int(raw_count) if raw_count.isascii() and raw_count.isdigit() else 1
    count = min(max(count, 1), MAX_EVENTS)
    key = form.get("key", "")
    try:
        uuid.UUID(key)
    except ValueError:
        key = str(uuid.uuid4())
    events = _events_from_form(form, count)
    if "add" in form and count < MAX_EVENTS:
        # Without JavaScript too: one more event block, everything typed kept.
        return _render([*events, _blank_event()], {}, key)
    for index, item in enumerate(events):
        # The same form sent twice (a double tap, a resend) stores its events once.
        item["idempotency_key"] = f"form-{key}-{index}"
    try:
        stored = submit_events(events, from_form=True, channel="form", error_key=_error_key)
    except EventsRejected as exc:
        return _render(events, exc.messages(page_language()), key, 422)
    except EventKeyConflict:
        return _render(
            events,
            {"form": _("Formuläret skickades redan med andra uppgifter. Ladda om sidan.")},
            str(uuid.uuid4()),
            409,
        )
    return redirect(url_for("events.own_events", sparade=len(stored.ids)), 303)


@bp.get("/handelser")
@requires("report_events")
def own_events():
    """The organisation's own event reports (a coordinator sees every organisation's)."""
    organisation = None if current_user.can("exact") else current_user.organisation
    if organisation is None and not current_user.can("exact"):
        rows, total = [], 0
    else:
        db = get_session()
        rows = recent_events(db, organisation=organisation)
        total = count_events(db, organisation=organisation)
    audit("view_free_text", rows=len(rows))
    saved = request.args.get("sparade", "")
    layer = current_layer()
    return render_template(
        "staff/events/list.html",
        rows=rows,
        total=total,
        organisation=organisation,
        saved=int(saved) if saved.isascii() and saved.isdigit() and int(saved) < 100 else 0,
        type_labels=event_type_labels(),
        seriousness_labels=seriousness_labels(),
        area_name=layer.name,
    )
