"""Public pages of published safety-walk protocols: places, actions and their status.

What the public sees of a walk: its date, route, the organisations that took part, and
for each observation its category, the area, the action with owner, deadline and status
(or why it cannot be done). Never a photo, a note written on the walk, or a person's name.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.walks.models import Walk
from geoservice.store.walks.repository import observations, published_walks
from geoservice.web.walks.labels import action_status_labels, owner_text, walk_category_labels
from geoservice.web.walks.walks import walk_map_parts

bp = Blueprint("walks_public", __name__, url_prefix="/trygghetsvandringar")


@bp.get("/")
def index():
    """Published walk protocols, the newest first."""
    return render_template("public/walks/index.html", walks=published_walks(get_session()))


def public_rows(walk: Walk) -> list[dict]:
    """The protocol as the public may read it: no note, no photo, no recorder."""
    layer = current_layer()
    rows = []
    for number, obs in enumerate(observations(get_session(), walk.id), start=1):
        rows.append(
            {
                "number": number,
                "id": obs.id,
                "category": obs.category,
                "area": obs.place_name or layer.name(obs.area_id),
                "action": obs.action,
                "owner": owner_text(obs.owner, obs.owner_name),
                "deadline": obs.deadline,
                "status": obs.status,
                "reason": obs.reason if obs.status == "not_feasible" else None,
                "follows": obs.follows,
            }
        )
    return rows


@bp.get("/<int:walk_id>")
def walk(walk_id: int):
    """One published walk: the map of its spots and the protocol's actions with status."""
    db = get_session()
    row = db.get(Walk, walk_id)
    if row is None or not row.published:
        abort(404)
    first = db.get(Walk, row.repeat_of) if row.repeat_of else None
    repeats = [w for w in published_walks(db) if w.repeat_of == row.id]
    return render_template(
        "public/walks/walk.html",
        walk=row,
        rows=public_rows(row),
        first=first if first is not None and first.published else None,
        first_rows=public_rows(first) if first is not None and first.published else [],
        repeats=repeats,
        categories=walk_category_labels(),
        statuses=action_status_labels(),
        map_parts=walk_map_parts(row, public=True),
    )
