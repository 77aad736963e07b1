"""Concerns as the public Open311 listing may show them (SPEC §7, §8).

Only the columns the listing publishes are read, never the free texts, and each concern
leaves this module already coarsened to what the publication shows: its area (a fixed
point inside it, never its own point), its category, open or closed, and the first day
of its publication month (:mod:`geoservice.core.privacy.periods`). Only whole groups of
one area, category and month are listed, and only where the month's protected table
publishes that group and every status in it holds at least *k* voices
(:func:`geoservice.core.privacy.listing.listable_groups`). So counting entries, with any
filter or page, gives no number the public map does not already show. Concerns marked
spam, duplicate or not relevant, concerns about safe places, concerns in no area and the
synthetic demo data are not listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geoservice.core.privacy.listing import listable_groups
from geoservice.core.privacy.periods import PublicationPeriod, period_of
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.store.aggregates import listing_rows
from geoservice.store.models import Report

COORDINATE_DECIMALS = 5
"""Decimals of the published area point (about 1 m: finer would add nothing)."""


@dataclass(frozen=True)
class PublicRequest:
    """One concern as anyone may see it: its area, category, status and month, no more."""

    id: str
    category: str
    status: str
    area_id: str
    lat: float
    lon: float
    requested_on: date


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Swedish time, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE)


def local_day(moment: datetime) -> date:
    """The Swedish calendar day an aware datetime falls on."""
    return moment.astimezone(LOCAL_ZONE).date()


def listed_requests(
    period: PublicationPeriod,
    publication: Mapping,
    rows: pd.DataFrame,
    *,
    public_status: Mapping[str, str],
    points: Mapping[str, tuple[float, float]],
    k: int,
) -> list[PublicRequest]:
    """Every listed concern of one published month, in id order.

    Parameters
    ----------
    period : PublicationPeriod
        The month.
    publication : mapping
        Its protected table.
    rows : pandas.DataFrame
        Its concerns (:func:`month_rows`), read when the table was: so the listing
        changes no more often than the figures do.
    public_status : mapping
        Stored status to the public one (``open`` / ``closed``).
    points : mapping
        Area id to the ``(lat, lon)`` shown for its concerns.

    Notes
    -----
    Filters (service, status, ids) choose among these whole groups afterwards; they
    never change which groups are listed. A month's concerns all show its first day and
    are ordered by their random id: so no filter, page or order can tell two concerns of
    one month apart in time.
    """
    if rows.empty:
        return []
    rows = rows.assign(public_status=rows["status"].map(public_status).fillna("open"))
    listed = listable_groups(rows, publication, k)
    found = []
    for row in rows.itertuples(index=False):
        if (row.area_id, row.category) not in listed:
            continue
        lat, lon = points[row.area_id]
        found.append(
            PublicRequest(
                id=row.id,
                category=row.category,
                status=row.status,
                area_id=row.area_id,
                lat=round(lat, COORDINATE_DECIMALS),
                lon=round(lon, COORDINATE_DECIMALS),
                requested_on=period.first_day,
            )
        )
    found.sort(key=lambda r: r.id)
    return found


def month_rows(session: Session, period: PublicationPeriod) -> pd.DataFrame:
    """The concerns of one month that its publication counts, with their listing fields."""
    start, stop = period.bounds()
    return listing_rows(
        session, start.tz_convert(UTC).to_pydatetime(), stop.tz_convert(UTC).to_pydatetime()
    )


def period_of_request(session: Session, report_id: str) -> PublicationPeriod | None:
    """The publication month a concern belongs to, or None when there is no such concern."""
    created = session.scalar(select(Report.created_at).where(Report.id == report_id))
    return None if created is None else period_of(local_day(created))
