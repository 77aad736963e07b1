"""Staff pages of safety walks: plan, record on a phone, write and publish the protocol."""

from __future__ import annotations

import json
from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask import redirect as flask_redirect
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import escape

from geoservice.core.categories import ACTION_OWNERS, ACTION_STATUSES
from geoservice.core.events.pdf import Section, document_pdf
from geoservice.core.typography import LOCAL_ZONE
from geoservice.core.walks.photo import MAX_PHOTO_BYTES, PhotoRejected, strip_photo
from geoservice.core.walks.protocol import (
    WalkRejected,
    validate_action,
    validate_observation,
    validate_plan,
)
from geoservice.extensions import csrf
from geoservice.i18n import page_language
from geoservice.maps.base import render_parts
from geoservice.maps.report_map import report_map
from geoservice.maps.walk_map import Spot, route_map, walk_map
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.walks.models import Walk, WalkObservation
from geoservice.store.walks.repository import (
    add_observation,
    all_walks,
    create_walk,
    observations,
    set_action,
    set_published,
)
from geoservice.web.access import requires
from geoservice.web.errors import stored_or_404
from geoservice.web.events.places import named_places, nearest_place_name
from geoservice.web.pin_texts import pin_texts
from geoservice.web.public import map_settings
from geoservice.web.walks.labels import (
    action_status_labels,
    owner_labels,
    owner_text,
    walk_category_labels,
)

bp = Blueprint("walks", __name__, url_prefix="/personal/vandringar")


def _today():
    return datetime.now(LOCAL_ZONE).date()


def _redirect(endpoint: str, **values):
    return flask_redirect(url_for(endpoint, **values), 303)


def _photo_messages() -> dict[str, str]:
    limit = MAX_PHOTO_BYTES // (1024 * 1024)
    return {
        "too_large": _("Fotot är för stort (högst %(mb)s MB).", mb=limit),
        "not_image": _("Filen är inte en bild som kan läsas."),
        "unsupported": _("Bildformatet stöds inte; använd JPEG eller PNG."),
        "too_many_pixels": _("Bilden har för många bildpunkter."),
    }


@bp.get("/")
@requires("plan")
def index():
    """Every walk: planned, recorded, with its protocol; and a link to plan a new one."""
    walks = all_walks(get_session())
    return render_template("staff/walks/index.html", walks=walks, today=_today())


def _plan_page(values: dict, errors: dict, repeat_of: Walk | None, status: int = 200):
    layer = current_layer()
    fmap = route_map(
        layer.outline,
        settings=map_settings(),
        aria_label=_("Karta över Melleruds kommun. Tryck för att lägga till punkter på rutten."),
        points_text=_("%(n)s punkter på rutten.", n="%(n)s"),
    )
    return render_template(
        "staff/walks/plan.html",
        values=values,
        errors=errors,
        repeat_of=repeat_of,
        places=named_places(),
        map_parts=render_parts(fmap),
    ), status


@bp.get("/ny")
@requires("plan")
def plan_form():
    """Plan a walk: date, the route drawn or as named places, organisations taking part."""
    repeat_raw = request.args.get("upprepa", "")
    repeat_of = None
    values: dict = {"walk_on": _today().isoformat()}
    if repeat_raw.isascii() and repeat_raw.isdigit():
        repeat_of = stored_or_404(Walk, int(repeat_raw))
        values |= {
            "title": _("Uppföljning: %(title)s", title=repeat_of.title),
            # The drawing map reads the route as its list of [lon, lat] points.
            "route": json.dumps(json.loads(repeat_of.route)["coordinates"])
            if repeat_of.route
            else "",
            "route_places": repeat_of.route_places,
            "participants": repeat_of.participants,
        }
    return _plan_page(values, {}, repeat_of)


@bp.post("/ny")
@requires("plan")
def plan():
    """Store the planned walk, or show the form again with each problem by its field."""
    values = request.form.to_dict()
    repeat_raw = values.get("repeat_of", "")
    repeat_of = (
        stored_or_404(Walk, int(repeat_raw))
        if repeat_raw.isascii() and repeat_raw.isdigit()
        else None
    )
    try:
        draft = validate_plan(values, locate=current_layer().locate)
    except WalkRejected as exc:
        return _plan_page(values, exc.messages(page_language()), repeat_of, 422)
    walk = create_walk(
        get_session(),
        draft,
        created_by=current_user.name,
        repeat_of=repeat_of.id if repeat_of else None,
    )
    return _redirect("walks.record", walk_id=walk.id)


def _record_page(walk: Walk, values: dict, errors: dict, status: int = 200):
    layer = current_layer()
    fmap = report_map(
        layer.areas,
        layer.outline,
        texts=pin_texts(),
        settings=map_settings(),
        aria_label=_("Karta. Tryck där det du vill anteckna finns."),
    )
    db = get_session()
    earlier = observations(db, walk.repeat_of) if walk.repeat_of else []
    return render_template(
        "staff/walks/record.html",
        walk=walk,
        values=values,
        errors=errors,
        observations=observations(db, walk.id),
        earlier=earlier,
        first_walk=db.get(Walk, walk.repeat_of) if walk.repeat_of else None,
        categories=walk_category_labels(),
        statuses=action_status_labels(),
        owner_text=owner_text,
        area_name=layer.name,
        map_parts=render_parts(fmap),
        max_mb=MAX_PHOTO_BYTES // (1024 * 1024),
    ), status


@bp.get("/<int:walk_id>")
@requires("plan")
def record(walk_id: int):
    """Record observations on the walk, from a phone: point, category, note, photo."""
    walk = stored_or_404(Walk, walk_id)
    return _record_page(walk, {}, {})


@bp.post("/<int:walk_id>/iakttagelse")
@csrf.exempt
@requires("plan")
def add(walk_id: int):
    """Store an observation; the photo is re-encoded without any metadata first."""
    # A phone photo is larger than the service's usual body limit: this view alone allows it.
    request.max_content_length = MAX_PHOTO_BYTES + 256 * 1024
    if request.content_length and request.content_length > request.max_content_length:
        abort(413)  # before any of the body is read or spooled to a file
    csrf.protect()
    walk = stored_or_404(Walk, walk_id)
    values = request.form.to_dict()
    errors: dict[str, str] = {}
    try:
        draft = validate_observation(values, locate=current_layer().locate)
    except WalkRejected as exc:
        draft, errors = None, exc.messages(page_language())
    photo = None
    upload = request.files.get("photo")
    if upload is not None and upload.filename:
        try:
            photo = strip_photo(upload.read(MAX_PHOTO_BYTES + 1))
        except PhotoRejected as exc:
            errors["photo"] = _photo_messages()[exc.code]
    follows_raw = values.get("follows", "")
    follows = int(follows_raw) if follows_raw.isascii() and follows_raw.isdigit() else None
    if errors:
        return _record_page(walk, values, errors, 422)
    try:
        add_observation(
            get_session(),
            walk.id,
            draft,
            photo=photo,
            recorded_by=current_user.name,
            follows=follows,
            place_name=nearest_place_name(draft.lon, draft.lat),
        )
    except LookupError:
        return _record_page(
            walk, values, {"follows": _("Välj en iakttagelse från den första vandringen.")}, 422
        )
    return _redirect("walks.record", walk_id=walk.id, sparad=1)


@bp.get("/foto/<int:observation_id>")
@requires("plan")
def photo(observation_id: int):
    """An observation's photo (stored without metadata); staff only, never public."""
    row = get_session().get(WalkObservation, observation_id)
    if row is None or row.photo is None:
        abort(404)
    response = Response(row.photo, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    return response


def _protocol_rows(walk: Walk) -> list[dict]:
    db = get_session()
    rows = []
    for number, obs in enumerate(observations(db, walk.id), start=1):
        rows.append({"number": number, "obs": obs})
    return rows


@bp.get("/<int:walk_id>/protokoll")
@requires("plan")
def protocol(walk_id: int):
    """The protocol: each observation's action, owner, deadline and status."""
    walk = stored_or_404(Walk, walk_id)
    return _protocol_page(walk, {}, None)


def _protocol_page(walk: Walk, errors: dict, failed: int | None, values: dict | None = None):
    return render_template(
        "staff/walks/protocol.html",
        walk=walk,
        rows=_protocol_rows(walk),
        errors=errors,
        failed=failed,
        values=values or {},
        categories=walk_category_labels(),
        owners=ACTION_OWNERS,
        owner_labels=owner_labels(),
        statuses=ACTION_STATUSES,
        status_labels=action_status_labels(),
        area_name=current_layer().name,
    ), (422 if errors else 200)


@bp.post("/iakttagelse/<int:observation_id>/atgard")
@requires("plan")
def save_action(observation_id: int):
    """Write one observation's action in the protocol."""
    db = get_session()
    row = stored_or_404(WalkObservation, observation_id)
    walk = stored_or_404(Walk, row.walk_id)
    try:
        draft = validate_action(request.form.to_dict())
    except WalkRejected as exc:
        return _protocol_page(
            walk, exc.messages(page_language()), observation_id, request.form.to_dict()
        )
    set_action(db, observation_id, draft, _today())
    return flask_redirect(
        url_for("walks.protocol", walk_id=walk.id, sparad=observation_id)
        + f"#observation-{observation_id}",
        303,
    )


@bp.post("/<int:walk_id>/publicera")
@requires("plan")
def publish(walk_id: int):
    """Publish the protocol on the public page (or take it back)."""
    walk = stored_or_404(Walk, walk_id)
    set_published(get_session(), walk.id, request.form.get("published") == "1")
    return _redirect("walks.protocol", walk_id=walk.id)


def protocol_pdf_bytes(walk: Walk) -> bytes:
    """The walk's protocol as a PDF: route, organisations, and every observation's action."""
    db = get_session()
    categories = walk_category_labels()
    statuses = action_status_labels()
    layer = current_layer()
    rows = [
        [
            _("Nr"),
            _("Plats och iakttagelse"),
            _("Åtgärd"),
            _("Ansvar"),
            _("Klart senast"),
            _("Status"),
        ]
    ]
    for number, obs in enumerate(observations(db, walk.id), start=1):
        place = obs.place_name or layer.name(obs.area_id) or "–"
        what = f"{categories.get(obs.category, obs.category)} – {place}"
        if obs.note:
            what += f": {obs.note}"
        action = obs.action or "–"
        if obs.status == "not_feasible":
            action = _("Inte genomförbart: %(reason)s", reason=obs.reason or "")
        rows.append(
            [
                str(number),
                what,
                action,
                owner_text(obs.owner, obs.owner_name),
                obs.deadline.isoformat() if obs.deadline else "–",
                statuses.get(obs.status, obs.status),
            ]
        )
    lead = [
        _("Datum: %(day)s", day=walk.walk_on.isoformat()),
        _(
            "Deltagande organisationer: %(list)s",
            list=", ".join(walk.participants.splitlines()) or "–",
        ),
    ]
    if walk.route_places:
        lead.append(_("Rutt: %(places)s", places=" – ".join(walk.route_places.splitlines())))
    sections = [
        Section(
            _("Iakttagelser och åtgärder"),
            [
                _(
                    "Varje iakttagelse har en åtgärd, en ansvarig, ett datum och en status – "
                    "eller skälet till att den inte går att genomföra."
                )
            ],
            rows,
            widths=(0.8, 4.4, 4.1, 3.1, 2.2, 2.4),
        )
    ]
    title = _("Protokoll från trygghetsvandring: %(title)s", title=walk.title)
    return document_pdf(title, lead, sections, footer=f"{title} ({walk.walk_on.isoformat()})")


@bp.get("/<int:walk_id>/protokoll.pdf")
@requires("plan")
def protocol_pdf(walk_id: int):
    """The protocol as a PDF to print and sign."""
    from geoservice.web.errors import attachment

    walk = stored_or_404(Walk, walk_id)
    return attachment(
        protocol_pdf_bytes(walk), "application/pdf", f"trygghetsvandring-{walk.id}.pdf"
    )


def walk_spots(walk: Walk, *, public: bool) -> list[Spot]:
    """The walk's observations as numbered map spots; the public label has no note."""
    categories = walk_category_labels()
    statuses = action_status_labels()
    spots = []
    for number, obs in enumerate(observations(get_session(), walk.id), start=1):
        label = f"{categories.get(obs.category, obs.category)} – {statuses.get(obs.status)}"
        if not public and obs.note:
            label += f": {obs.note[:80]}"
        # Leaflet shows tooltips as HTML: the label is escaped here.
        spots.append(Spot(number, obs.lon, obs.lat, str(escape(label)), obs.status))
    return spots


def walk_map_parts(walk: Walk, *, public: bool):
    """The walk's route and spots, rendered for a page."""
    fmap = walk_map(
        current_layer().outline,
        route=walk.route,
        spots=walk_spots(walk, public=public),
        settings=map_settings(),
        aria_label=_("Karta över vandringens rutt och iakttagelser"),
    )
    return render_parts(fmap)
