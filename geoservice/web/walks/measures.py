"""The follow-up: walk actions and the action plan's activities as one list of measures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.reporting.followup import FollowUpUnavailable
from geoservice.core.typography import LOCAL_ZONE
from geoservice.core.walks.measures import NEARBY_RADIUS_M, nearby_before_after
from geoservice.i18n import page_language
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.events.repository import events_between
from geoservice.store.moderation import staff_frame
from geoservice.store.promises import activities, promises, split_list
from geoservice.store.walks.repository import all_walks, observations
from geoservice.web.access import requires
from geoservice.web.promise import activity_followup, followup_text, labels
from geoservice.web.staff_filter import StaffFilter
from geoservice.web.walks.labels import action_status_labels, owner_text, walk_category_labels

bp = Blueprint("measures", __name__, url_prefix="/personal")

# Statuses of both kinds of measure mapped to one scale for the list's filter.
_OPEN = {"open", "in_progress", "planned", "ongoing"}


@dataclass(frozen=True)
class Measure:
    """One measure of the follow-up list, a walk action or an action-plan activity."""

    kind: str  # "walk" or "activity"
    title: str
    where: str
    owner: str
    deadline: date | None
    status: str  # code of its own kind
    status_label: str
    followup: str
    link: str | None
    overdue: bool


def _nearby_text(reports: pd.DataFrame, obs, start: date, today: date) -> str:
    try:
        result = nearby_before_after(reports, obs.lon, obs.lat, start, today)
    except FollowUpUnavailable as exc:
        return exc.message_en if page_language() == "en" else exc.message_sv
    return _(
        "Inom %(radius)s m: %(before)s rapporter de %(days)s dagarna före %(start)s, "
        "%(after)s efter (synpunkter och händelser).",
        radius=NEARBY_RADIUS_M,
        before=result.before,
        after=result.after,
        days=result.days,
        start=start.isoformat(),
    )


def _reports_around(first: date, today: date) -> pd.DataFrame:
    """Active concerns and events from ``first`` to today, with lon, lat, created_at."""
    db = get_session()
    window = StaffFilter(start=first, end=today, kind="unsafe")
    concerns = active_reports(staff_frame(db, window))[["lon", "lat", "created_at", "precision"]]
    concerns = concerns.loc[concerns["precision"] != "area", ["lon", "lat", "created_at"]]
    events = events_between(db, window.start_utc, window.end_utc)
    events = events.rename(columns={"occurred_from": "created_at"})[["lon", "lat", "created_at"]]
    if events.empty:
        return concerns
    return pd.concat([concerns, events], ignore_index=True) if len(concerns) else events


def build_measures(today: date) -> list[Measure]:
    """Every walk action and every activity, open ones first, then by deadline."""
    from flask import url_for

    db = get_session()
    layer = current_layer()
    categories = walk_category_labels()
    statuses = action_status_labels()
    measures: list[Measure] = []
    walk_rows = [(walk, obs) for walk in all_walks(db) for obs in observations(db, walk.id)]
    # A measure's before window is as long as the time since it took effect.
    earliest = min(
        (
            (obs.done_on or walk.walk_on) - (today - (obs.done_on or walk.walk_on))
            for walk, obs in walk_rows
        ),
        default=today,
    )
    reports = (
        _reports_around(min(earliest, today - timedelta(days=1)), today) if walk_rows else None
    )
    for walk, obs in walk_rows:
        start = obs.done_on or walk.walk_on
        title = obs.action or categories.get(obs.category, obs.category)
        if obs.status == "not_feasible":
            title = _("Inte genomförbart: %(reason)s", reason=obs.reason or "")
        measures.append(
            Measure(
                kind="walk",
                title=title,
                where=_(
                    "%(place)s – trygghetsvandring %(day)s",
                    place=obs.place_name or layer.name(obs.area_id) or "–",
                    day=walk.walk_on.isoformat(),
                ),
                owner=owner_text(obs.owner, obs.owner_name),
                deadline=obs.deadline,
                status=obs.status,
                status_label=statuses.get(obs.status, obs.status),
                followup=_nearby_text(reports, obs, start, today),
                link=url_for("walks.protocol", walk_id=walk.id) + f"#observation-{obs.id}",
                overdue=bool(obs.deadline and obs.deadline < today and obs.status in _OPEN),
            )
        )
    names = labels()
    for promise in promises(db, published_only=False):
        for activity in activities(db, promise.id):
            areas = ", ".join(names["areas"].get(a, a) for a in split_list(activity.area_ids))
            measures.append(
                Measure(
                    kind="activity",
                    title=activity.title,
                    where=_(
                        "%(areas)s – medborgarlöfte %(year)s",
                        areas=areas or _("hela kommunen"),
                        year=promise.year,
                    ),
                    owner=names["responsible"].get(activity.responsible, activity.responsible),
                    deadline=activity.end_on,
                    status=activity.status,
                    status_label=names["status"].get(activity.status, activity.status),
                    followup=followup_text(activity_followup(activity), k=None),
                    link=url_for("promise.staff_activity", activity_id=activity.id),
                    overdue=bool(
                        activity.end_on and activity.end_on < today and activity.status in _OPEN
                    ),
                )
            )
    measures.sort(
        key=lambda m: (m.status not in _OPEN, m.deadline is None, m.deadline or today, m.title)
    )
    return measures


@bp.get("/atgarder")
@requires("aggregates")
def measure_list():
    """Walk actions and action-plan activities together: owner, deadline, status, figures."""
    today = datetime.now(LOCAL_ZONE).date()
    shown = request.args.get("visa", "")
    measures = build_measures(today)
    if shown == "open":
        measures = [m for m in measures if m.status in _OPEN]
    return render_template(
        "staff/walks/measures.html",
        measures=measures,
        shown=shown,
        radius=NEARBY_RADIUS_M,
    )
