"""Store partner event reports once, read them per organisation, and hand them to analyses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geoservice.core.categories import EVENT_TYPES
from geoservice.core.events.frame import EVENT_COLUMNS, events_as_reports
from geoservice.core.events.validation import EventDraft
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.events.models import EventReport
from geoservice.store.models import cell_of

__all__ = [
    "EventKeyConflict",
    "StoredEvents",
    "event_frame",
    "event_voice_table",
    "count_events",
    "events_between",
    "recent_events",
    "store_events",
]


class EventKeyConflict(Exception):
    """An idempotency key came back with a different event, or from another organisation."""


@dataclass(frozen=True)
class StoredEvents:
    """The stored events of one submission, and whether this call stored them."""

    batch_id: str
    ids: tuple[str, ...]
    area_ids: tuple[str | None, ...]
    created: bool


def _same(row: EventReport, draft: EventDraft, organisation: str) -> bool:
    return (
        row.organisation == organisation
        and abs(row.lat - draft.lat) < 1e-9
        and abs(row.lon - draft.lon) < 1e-9
        and row.types == ",".join(draft.types)
        and row.seriousness == draft.seriousness
        and row.occurred_from == draft.occurred_from
        and row.occurred_to == draft.occurred_to
        and row.description == draft.description
    )


def _replay(session: Session, drafts: list[EventDraft], organisation: str) -> StoredEvents | None:
    """The earlier answer when every keyed event was stored before, unchanged."""
    keys = [d.idempotency_key for d in drafts]
    if not all(keys):
        return None
    rows = {
        r.idempotency_key: r
        for r in session.scalars(select(EventReport).where(EventReport.idempotency_key.in_(keys)))
    }
    if not rows:
        return None
    if len(rows) != len(drafts) or not all(
        _same(rows[d.idempotency_key], d, organisation) for d in drafts
    ):
        raise EventKeyConflict(", ".join(k for k in keys if k in rows))
    stored = [rows[k] for k in keys]
    return StoredEvents(
        stored[0].batch_id,
        tuple(r.id for r in stored),
        tuple(r.area_id for r in stored),
        created=False,
    )


def store_events(
    session: Session,
    drafts: list[EventDraft],
    *,
    reporter_id: int,
    reporter_name: str,
    organisation: str,
    channel: str,
    now: datetime | None = None,
) -> StoredEvents:
    """Store a submission's events in one transaction: all of them or none.

    Events that all carry idempotency keys already stored return the first answer; a key
    stored with different content (or by another organisation) raises EventKeyConflict.
    """
    earlier = _replay(session, drafts, organisation)
    if earlier is not None:
        return earlier
    now = now or datetime.now(UTC)
    batch_id = str(uuid.uuid4())
    begin_write(session)
    rows = [
        EventReport(
            id=str(uuid.uuid4()),
            batch_id=batch_id,
            submitted_at=now,
            organisation=organisation,
            reporter_id=reporter_id,
            reporter_name=reporter_name,
            occurred_from=d.occurred_from,
            occurred_to=d.occurred_to,
            lon=d.lon,
            lat=d.lat,
            cell=cell_of(d.lat, d.lon),
            area_id=d.area_id,
            place_name=d.place_name,
            types=",".join(d.types),
            seriousness=d.seriousness,
            description=d.description,
            channel=channel,
            idempotency_key=d.idempotency_key,
        )
        for d in drafts
    ]
    session.add_all(rows)
    try:
        # Analyses cache per data version: events change them as concerns do.
        bump_version(session)
        session.commit()
    except IntegrityError:
        session.rollback()
        earlier = _replay(session, drafts, organisation)
        if earlier is not None:
            return earlier
        raise EventKeyConflict("idempotency key") from None
    return StoredEvents(
        batch_id, tuple(r.id for r in rows), tuple(r.area_id for r in rows), created=True
    )


def recent_events(
    session: Session, *, organisation: str | None, limit: int = 200
) -> list[EventReport]:
    """The newest events first: one organisation's, or everyone's when None."""
    query = select(EventReport).order_by(EventReport.occurred_from.desc()).limit(limit)
    if organisation is not None:
        query = query.where(EventReport.organisation == organisation)
    return list(session.scalars(query))


def count_events(session: Session, *, organisation: str | None) -> int:
    """How many events are stored (for one organisation when given)."""
    query = select(func.count()).select_from(EventReport)
    if organisation is not None:
        query = query.where(EventReport.organisation == organisation)
    return session.scalar(query)


def events_between(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """Events that happened in ``[start, end)`` (UTC) with :data:`EVENT_COLUMNS`, no free text."""
    columns = [getattr(EventReport, name) for name in EVENT_COLUMNS]
    rows = session.execute(
        select(*columns).where(EventReport.occurred_from >= start, EventReport.occurred_from < end)
    ).all()
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame["occurred_from"] = pd.to_datetime(frame["occurred_from"], utc=True)
    frame["occurred_to"] = pd.to_datetime(frame["occurred_to"], utc=True)
    return frame


def event_frame(session: Session, staff_filter) -> pd.DataFrame:
    """Events in a staff filter as concern rows (``source`` "partner") for the analyses.

    The filter's period applies to when an event happened; its category to the residents'
    category of any of the event's types; time band and weekday/weekend to when it happened.
    A filter for safe places or for a moderation status other than confirmed finds none:
    events are observations of problems, and are not moderated.
    """
    f = staff_filter
    events = events_between(session, f.start_utc, f.end_utc)
    if f.category:
        codes = {t.code for t in EVENT_TYPES if t.concern_category == f.category}
        events = events.loc[events["types"].map(lambda t: bool(codes & set(t.split(","))))]
    frame = events_as_reports(events)
    if f.category:
        frame["category"] = f.category
    if f.kind == "safe" or (f.status and f.status != "confirmed"):
        frame = frame.iloc[0:0]
    if f.time_of_day:
        frame = frame.loc[frame["time_of_day"] == f.time_of_day]
    if f.weekend is not None:
        frame = frame.loc[frame["weekend"].map(lambda w: w is f.weekend)]
    return frame


def event_voice_table(session: Session, staff_filter) -> pd.DataFrame:
    """Voices of the events in a filter, in the hotspot voice table's columns.

    One voice per reporter, cell and UTC day, as for residents' clients; such a voice takes
    the first category and time band in alphabetical order and counts as weekend if any of
    its events did (the rule of :mod:`geoservice.store.analysis.voices`).
    """
    from geoservice.core.analysis.zones import VOICE_COLUMNS

    frame = event_frame(session, staff_filter)
    if frame.empty:
        return pd.DataFrame(columns=list(VOICE_COLUMNS))
    cells = [cell_of(lat, lon) for lat, lon in zip(frame["lat"], frame["lon"], strict=True)]
    rows = pd.DataFrame(
        {
            "cell": np.array(cells, dtype=np.int64).astype(np.uint64),
            "voice": frame["client_key"].to_numpy(),
            "day": frame["created_at"].dt.tz_convert("UTC").dt.date.to_numpy(),
            "category": frame["category"].to_numpy(),
            "time_of_day": frame["time_of_day"].to_numpy(),
            "weekend": frame["weekend"].map({True: 1, False: 0}).to_numpy(),
        }
    )
    voices = rows.groupby(["cell", "voice", "day"], as_index=False).agg(
        category=("category", "min"), time_of_day=("time_of_day", "min"), weekend=("weekend", "max")
    )
    part = voices["weekend"]
    voices["weekend"] = np.where(part.isna(), "unknown", np.where(part == 1, "weekend", "weekday"))
    table = voices.groupby(["cell", "category", "time_of_day", "weekend"], as_index=False).size()
    table = table.rename(columns={"size": "voices"})
    table["cell"] = table["cell"].astype(np.uint64)
    table["voices"] = table["voices"].astype(np.int64)
    return table[list(VOICE_COLUMNS)]
