"""Concerns as the public Open311 listing may show them (SPEC §7, §8).

Only the columns the listing publishes are read, never the free texts, and each concern
leaves this module already coarsened. Its dates are whole local days. Its location is the
centre of the smallest hex cell that holds at least *k* listable concerns: the resolution
10 cell (about 130 m across) in town, else the resolution 8 cell (about 1 km), else the
resolution 6 cell (about 7 km). So a lone concern on a farm is never pinned to its
block: the listing keeps SPEC §7's k rule for locations too. Concerns marked spam,
duplicate or not relevant, and the synthetic demo data, are not listed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import h3
import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoservice.core.analysis.hexgrid import DEFAULT_H3_RESOLUTION, cell_centres, cells_for_points
from geoservice.core.categories import EXCLUDED_STATUSES
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.store.models import ModerationEvent, Report

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
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def local_day(moment: datetime) -> date:
    """The Swedish calendar day an aware datetime falls on."""
    return moment.astimezone(LOCAL_ZONE).date()


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
    k: int,
    counts: dict[int, int],
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
    return _coarsened(session, rows, k=k, counts=counts)


def find_public_request(
    session: Session, report_id: str, *, k: int, counts: dict[int, int]
) -> PublicRequest | None:
    """The public view of one concern, or None when it is unknown or not listable."""
    found = public_requests(session, ids=[report_id], k=k, counts=counts)
    return found[0] if found else None


COARSER_RESOLUTIONS = (8, 6)


def listable_cell_counts(session: Session) -> dict[int, int]:
    """Listable concerns per resolution-10 cell, over all of them (not a filter's subset).

    The location a concern is shown at must not depend on the query, or two queries
    could be compared; so the counts behind the rule come from every listable concern.
    """
    rows = session.execute(
        select(Report.lat, Report.lon).where(
            Report.status.not_in(sorted(EXCLUDED_STATUSES)), Report.is_demo.is_(False)
        )
    ).all()
    if not rows:
        return {}
    cells = cells_for_points(
        np.array([r.lat for r in rows]), np.array([r.lon for r in rows]), DEFAULT_H3_RESOLUTION
    )
    unique, counts = np.unique(cells, return_counts=True)
    return dict(zip(unique.tolist(), counts.tolist(), strict=True))


def shown_cells(cells: np.ndarray, counts: dict[int, int], k: int) -> np.ndarray:
    """For each resolution-10 cell, the smallest cell around it holding >= k concerns."""
    parents: dict[int, dict[int, int]] = {}
    for resolution in COARSER_RESOLUTIONS:
        totals: dict[int, int] = {}
        for cell, n in counts.items():
            parent = h3.str_to_int(h3.cell_to_parent(h3.int_to_str(cell), resolution))
            totals[parent] = totals.get(parent, 0) + n
        parents[resolution] = totals
    shown = []
    for cell in cells.tolist():
        if counts.get(cell, 0) >= k:
            shown.append(cell)
            continue
        for resolution in COARSER_RESOLUTIONS:
            parent = h3.str_to_int(h3.cell_to_parent(h3.int_to_str(cell), resolution))
            if parents[resolution].get(parent, 0) >= k or resolution == COARSER_RESOLUTIONS[-1]:
                shown.append(parent)
                break
    return np.array(shown, dtype=np.uint64)


def _coarsened(session: Session, rows, *, k: int, counts: dict[int, int]) -> list[PublicRequest]:
    if not rows:
        return []
    cells = cells_for_points(
        np.array([row.lat for row in rows]),
        np.array([row.lon for row in rows]),
        DEFAULT_H3_RESOLUTION,
    )
    lats, lons = cell_centres(shown_cells(cells, counts, k))
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
