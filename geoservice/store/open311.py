"""Concerns as the public Open311 listing may show them (SPEC §7, §8).

Only the columns the listing publishes are read, never the free texts, and each concern
leaves this module already coarsened: its location is the centre of its H3 cell
(resolution 10, about 130 m across), its dates are whole local days. Concerns marked
spam, duplicate or not relevant, and the synthetic demo data, are not listed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoservice.core.categories import EXCLUDED_STATUSES
from geoservice.core.hexgrid import DEFAULT_H3_RESOLUTION, cell_centres, cells_for_points
from geoservice.core.privacy import PUBLIC_TIME_ZONE
from geoservice.store.models import ModerationEvent, Report

LOCAL = ZoneInfo(PUBLIC_TIME_ZONE)
COORDINATE_DECIMALS = 5
"""Decimals of the published cell centre (about 1 m: finer would add nothing)."""


@dataclass(frozen=True)
class PublicRequest:
    """One concern as anyone may see it: no exact point, no text, no time of day."""

    id: str
    category: str
    status: str
    area_id: str | None
    lat: float
    lon: float
    requested_on: date
    updated_on: date


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Swedish time, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LOCAL)


def local_day(moment: datetime) -> date:
    """The Swedish calendar day an aware datetime falls on."""
    return moment.astimezone(LOCAL).date()


def _listable():
    return (
        select(Report.id, Report.created_at, Report.lat, Report.lon)
        .add_columns(Report.category, Report.status, Report.area_id)
        .where(Report.status.not_in(sorted(EXCLUDED_STATUSES)), Report.is_demo.is_(False))
    )


def public_requests(
    session: Session,
    *,
    ids: Collection[str] | None = None,
    categories: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[PublicRequest]:
    """Listable concerns matching the filter, newest day first (ties in id order).

    Parameters
    ----------
    ids : collection of str, optional
        Only these concerns.
    categories, statuses : collection of str, optional
        Only these category codes and stored moderation statuses.
    first_day, last_day : datetime.date, optional
        Only concerns submitted on these Swedish calendar days (inclusive).

    Notes
    -----
    Days, not instants, bound the period, and a day's concerns are ordered by their
    random id: so no filter or order can tell two concerns of one day apart in time.
    """
    query = _listable()
    if ids is not None:
        query = query.where(Report.id.in_(sorted(ids)))
    if categories:
        query = query.where(Report.category.in_(sorted(categories)))
    if statuses:
        query = query.where(Report.status.in_(sorted(statuses)))
    if first_day is not None:
        query = query.where(Report.created_at >= local_midnight(first_day).astimezone(UTC))
    if last_day is not None:
        end = local_midnight(last_day + timedelta(days=1)).astimezone(UTC)
        query = query.where(Report.created_at < end)
    rows = session.execute(query).all()
    return _coarsened(session, rows)


def find_public_request(session: Session, report_id: str) -> PublicRequest | None:
    """The public view of one concern, or None when it is unknown or not listable."""
    found = public_requests(session, ids=[report_id])
    return found[0] if found else None


def _coarsened(session: Session, rows) -> list[PublicRequest]:
    if not rows:
        return []
    cells = cells_for_points(
        [row.lat for row in rows], [row.lon for row in rows], DEFAULT_H3_RESOLUTION
    )
    lats, lons = cell_centres(cells)
    changed = _last_status_change(session, [row.id for row in rows])
    result = [
        PublicRequest(
            id=row.id,
            category=row.category,
            status=row.status,
            area_id=row.area_id,
            lat=round(float(lat), COORDINATE_DECIMALS),
            lon=round(float(lon), COORDINATE_DECIMALS),
            requested_on=local_day(row.created_at),
            updated_on=local_day(changed.get(row.id, row.created_at)),
        )
        for row, lat, lon in zip(rows, lats.tolist(), lons.tolist(), strict=True)
    ]
    result.sort(key=lambda r: r.id)
    result.sort(key=lambda r: r.requested_on, reverse=True)
    return result


def _last_status_change(session: Session, ids: list[str]) -> dict[str, datetime]:
    """When each concern's status last changed (only status: notes are internal)."""
    changed: dict[str, datetime] = {}
    # Chunked so a long id list stays under every backend's bound-parameter limit.
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = (
            select(ModerationEvent.report_id, func.max(ModerationEvent.at))
            .where(ModerationEvent.report_id.in_(chunk), ModerationEvent.field == "status")
            .group_by(ModerationEvent.report_id)
        )
        for report_id, at in session.execute(query):
            changed[report_id] = at
    return changed
