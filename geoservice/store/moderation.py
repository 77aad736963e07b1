"""Staff reads of exact concerns and the moderation of them, every change recorded."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from geoservice.core.categories import (
    CATEGORY_CODES,
    EXCLUDED_STATUSES,
    SAFE_REASON_CODES,
    STATUSES,
    codes_for_kind,
)
from geoservice.core.moderation.neighbours import (
    DUPLICATE_DAYS,
    DUPLICATE_RADIUS_M,
    near_in_place_and_time,
)
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.models import ModerationEvent, Report
from geoservice.store.reports import REPORT_COLUMNS

NOTE_LIMIT = 2000
REASON_LIMIT = 200


class ModerationError(ValueError):
    """A moderation change broke a rule; ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(str(errors))


def _filtered(query: Select, staff_filter) -> Select:
    f = staff_filter
    query = query.where(Report.created_at >= f.start_utc, Report.created_at < f.end_utc)
    if getattr(f, "source", "residents") == "partners":
        query = query.where(false())  # issue 18: partners' events only, no concerns
    if f.category:
        query = query.where(Report.category == f.category)
    if f.time_of_day:
        query = query.where(Report.time_of_day == f.time_of_day)
    if f.kind:
        query = query.where(Report.kind == f.kind)
    if f.weekend is not None:
        query = query.where(Report.weekend.is_(f.weekend))
    if f.status:
        query = query.where(Report.status == f.status)
    return query


def staff_reports(session: Session, staff_filter, *, limit: int | None = None) -> list[Report]:
    """Concerns matching the filter, newest first (new ones before the rest)."""
    query = _filtered(select(Report), staff_filter).order_by(
        (Report.status != "new"), Report.created_at.desc()
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_staff_reports(session: Session, staff_filter) -> int:
    """How many concerns match the filter."""
    return session.scalar(_filtered(select(func.count()).select_from(Report), staff_filter))


def staff_frame(session: Session, staff_filter, *, with_suggestions: bool = False) -> pd.DataFrame:
    """Matching concerns as the core's DataFrame, for statistics.

    Free text stays out unless ``with_suggestions`` asks for the residents' suggestions
    (the period report groups them by category).
    """
    names = list(REPORT_COLUMNS) + (["suggestion"] if with_suggestions else [])
    columns = [getattr(Report, name) for name in names]
    rows = session.execute(_filtered(select(*columns), staff_filter)).all()
    frame = pd.DataFrame(rows, columns=names)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return _with_partner_events(session, staff_filter, frame)


def _with_partner_events(session: Session, staff_filter, frame: pd.DataFrame) -> pd.DataFrame:
    """Issue 18: partners' event reports as rows of their own source, when the filter asks."""
    if getattr(staff_filter, "source", "residents") == "residents":
        return frame
    from geoservice.store.events.repository import event_frame

    events = event_frame(session, staff_filter).reindex(columns=frame.columns)
    if events.empty:
        return frame
    if frame.empty:
        return events.reset_index(drop=True)
    return pd.concat([frame, events], ignore_index=True)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None
    after: str | None


def moderate(
    session: Session,
    report_id: str,
    *,
    user_name: str,
    status: str | None = None,
    category: str | None = None,
    reason: str | None = None,
    note: str | None = None,
) -> list[Change]:
    """Apply a moderator's changes in one transaction and record each (who, when, from → to).

    The internal note's text is stored on the concern but not copied into the history,
    which only says that it changed.
    """
    errors: dict[str, str] = {}
    if status is not None and status not in STATUSES:
        errors["status"] = f"unknown status; expected one of {', '.join(STATUSES)}"
    if category is not None and category not in (*CATEGORY_CODES, *SAFE_REASON_CODES):
        errors["category"] = "unknown category"
    if reason is not None and len(reason) > REASON_LIMIT:
        errors["reason"] = f"at most {REASON_LIMIT} characters"
    if note is not None and len(note) > NOTE_LIMIT:
        errors["note"] = f"at most {NOTE_LIMIT} characters"
    if errors:
        raise ModerationError(errors)
    begin_write(session)
    report = session.get(Report, report_id)
    if report is None:
        session.rollback()
        raise LookupError(report_id)
    now = datetime.now(UTC)
    changes: list[Change] = []
    if status is not None and status != report.status:
        changes.append(Change("status", report.status, status))
        report.status = status
    if category is not None and category not in codes_for_kind(report.kind):
        session.rollback()
        raise ModerationError({"category": "not a category of this kind of place"})
    if category is not None and category != report.category:
        changes.append(Change("category", report.category, category))
        report.category = category
    if note is not None and (note.strip() or None) != report.internal_note:
        changes.append(Change("note", None, None))
        report.internal_note = note.strip() or None
    for change in changes:
        session.add(
            ModerationEvent(
                report_id=report_id,
                at=now,
                user_name=user_name,
                field=change.field,
                from_value=change.before,
                to_value=change.after,
                reason=(reason or None) if change.field != "note" else None,
            )
        )
    if changes:
        bump_version(session)
    session.commit()
    return changes


def next_new_report(session: Session, after: str) -> str | None:
    """The newest concern still new, other than ``after``: where the moderator goes next."""
    return session.scalar(
        select(Report.id)
        .where(Report.status == "new", Report.id != after)
        .order_by(Report.created_at.desc())
        .limit(1)
    )


def history(session: Session, report_id: str) -> list[ModerationEvent]:
    """The concern's moderation history, oldest first."""
    return list(
        session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.report_id == report_id)
            .order_by(ModerationEvent.id)
        )
    )


def voice_counts(session: Session, staff_filter) -> tuple[np.ndarray, np.ndarray]:
    """Voices per hex cell for a filter, counted by the database.

    One voice per place (SPEC §6): each client counts at most once per cell and UTC day;
    a concern without a client key is its own voice; concerns given as a whole area and
    those moderation took out are not counted. The same rule as
    :func:`geoservice.core.analysis.hotspots.one_voice_per_place`, without loading the rows.
    """
    voice = func.coalesce(Report.client_key, Report.id)
    day = func.date(Report.created_at)
    voices = (
        _filtered(select(Report.cell, voice.label("voice"), day.label("day")), staff_filter)
        .where(
            Report.precision != "area",
            Report.status.not_in(sorted(EXCLUDED_STATUSES)),
            Report.cell.is_not(None),
        )
        .distinct()
        .subquery()
    )
    rows = session.execute(select(voices.c.cell, func.count()).group_by(voices.c.cell)).all()
    cells = np.array([row[0] for row in rows], dtype=np.int64).astype(np.uint64)
    counts = np.array([row[1] for row in rows], dtype=np.int64)
    return cells, counts


@dataclass(frozen=True)
class Neighbour:
    """A concern close to another in place and time, and how far from it (metres, if pinned)."""

    report: Report
    distance_m: int | None


def possible_duplicates(session: Session, report: Report, *, limit: int = 20) -> list[Neighbour]:
    """Concerns within 50 m and 30 days of ``report`` (same area and category if it has no pin).

    The database narrows by a bounding box and the time window; the exact distance is
    measured in EPSG:3006 by :func:`geoservice.core.moderation.neighbours.near_in_place_and_time`.
    """
    days = timedelta(days=DUPLICATE_DAYS)
    at = report.created_at if report.created_at.tzinfo else report.created_at.replace(tzinfo=UTC)
    query = select(Report).where(
        Report.id != report.id,
        Report.created_at >= at - days,
        Report.created_at <= at + days,
    )
    if report.precision == "area":
        query = query.where(
            Report.area_id == report.area_id,
            Report.category == report.category,
            Report.precision == "area",
        ).order_by(Report.created_at.desc())
        return [Neighbour(row, None) for row in session.scalars(query.limit(limit))]
    # 50 m is under 0.0005° of latitude and under 0.001° of longitude at Mellerud's 58.7° N.
    dlat = DUPLICATE_RADIUS_M / 111_000 * 1.5
    dlon = dlat / max(math.cos(math.radians(report.lat)), 0.1)
    query = query.where(
        Report.precision != "area",
        Report.lat.between(report.lat - dlat, report.lat + dlat),
        Report.lon.between(report.lon - dlon, report.lon + dlon),
    )
    rows = {row.id: row for row in session.scalars(query.limit(500))}
    frame = pd.DataFrame(
        [(r.id, r.lat, r.lon, r.created_at) for r in rows.values()],
        columns=["id", "lat", "lon", "created_at"],
    )
    near = near_in_place_and_time(frame, lat=report.lat, lon=report.lon, at=at)
    return [Neighbour(rows[row.id], int(row.distance_m)) for row in near.head(limit).itertuples()]
