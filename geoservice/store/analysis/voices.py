"""Voices per hex cell, category, time band and weekday/weekend, counted by the database.

One voice per place (SPEC §6): each client counts at most once per cell and UTC day; a
concern without a client key is its own voice; concerns given as a whole area and those
moderation took out are not counted. The hotspot page, ``GET /api/v1/hotspots``, the
exports and the patrol plan all count through :func:`voice_table`, so they show the same
cells, zones and numbers for the same filter. When one client gave several concerns in a
cell on a day, that voice takes the first category and time band in alphabetical order and
counts as weekend if any of them was (a rule, so every output attributes it the same way).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import case, false, func, select
from sqlalchemy.orm import Session

from geoservice.core.analysis.zones import VOICE_COLUMNS
from geoservice.core.categories import EXCLUDED_STATUSES
from geoservice.store.models import Report, ReportMonthVersion


def _where_counted(query, staff_filter, span: tuple[datetime, datetime] | None = None):
    f = staff_filter
    start, end = span or (f.start_utc, f.end_utc)
    query = query.where(
        Report.created_at >= start,
        Report.created_at < end,
        Report.precision != "area",
        Report.status.not_in(sorted(EXCLUDED_STATUSES)),
        Report.cell.is_not(None),
    )
    if f.category:
        query = query.where(Report.category == f.category)
    if f.time_of_day:
        query = query.where(Report.time_of_day == f.time_of_day)
    # Safe and unsafe places are never mixed: without a kind, hotspots are of unsafety.
    query = query.where(Report.kind == (f.kind or "unsafe"))
    if f.weekend is not None:
        query = query.where(Report.weekend.is_(f.weekend))
    if f.status:
        query = query.where(Report.status == f.status)
    if getattr(f, "source", "residents") == "partners":
        query = query.where(false())  # issue 18: partners' events only
    return query


def voice_table(
    session: Session, staff_filter, *, span: tuple[datetime, datetime] | None = None
) -> pd.DataFrame:
    """Voices of a filter grouped by cell, category, time band and week part.

    ``staff_filter`` needs ``start_utc``, ``end_utc`` and the optional codes of
    :class:`~geoservice.web.staff_filter.StaffFilter`. Returns the columns of
    :data:`~geoservice.core.analysis.zones.VOICE_COLUMNS` (``weekend`` as ``weekday``,
    ``weekend`` or ``unknown``). ``span`` (UTC instants) replaces the filter's period.
    """
    voice = func.coalesce(Report.client_key, Report.id)
    day = func.date(Report.created_at)
    weekend = case((Report.weekend.is_(True), 1), (Report.weekend.is_(False), 0), else_=None)
    query = _where_counted(
        select(
            Report.cell.label("cell"),
            func.min(Report.category).label("category"),
            func.min(Report.time_of_day).label("time_of_day"),
            func.max(weekend).label("weekend"),
        ),
        staff_filter,
        span,
    )
    voices = query.group_by(Report.cell, voice, day).subquery()
    rows = session.execute(
        select(
            voices.c.cell, voices.c.category, voices.c.time_of_day, voices.c.weekend, func.count()
        ).group_by(voices.c.cell, voices.c.category, voices.c.time_of_day, voices.c.weekend)
    ).all()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(VOICE_COLUMNS)
    frame = pd.DataFrame(dict(zip(VOICE_COLUMNS, columns, strict=True)))
    frame["cell"] = frame["cell"].to_numpy(dtype=np.int64).astype(np.uint64)
    frame["voices"] = frame["voices"].astype(np.int64)
    part = frame["weekend"]
    frame["weekend"] = np.where(part.isna(), "unknown", np.where(part == 1, "weekend", "weekday"))
    frame["time_of_day"] = frame["time_of_day"].fillna("unknown")
    if span is not None:
        return frame
    return _with_partner_voices(session, staff_filter, frame)


Reuse = Callable[[Hashable, int, Callable[[], pd.DataFrame]], pd.DataFrame]
"""``reuse(key, version, compute)``: a stored value for ``key`` at ``version``, or ``compute()``."""


def utc_month_spans(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """``[start, end)`` cut at the first instant of each UTC calendar month within it.

    A voice is one client in one cell on one UTC day, and a month boundary is a UTC
    midnight, so no voice is split between two spans: their counts add up.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    spans = []
    cursor = start
    while cursor < end:
        following = cursor.year * 12 + cursor.month  # the next month, counted from year 0
        boundary = min(datetime(following // 12, following % 12 + 1, 1, tzinfo=UTC), end)
        spans.append((cursor, boundary))
        cursor = boundary
    return spans


def month_versions(session: Session) -> dict[str, int]:
    """The change counter of each UTC month (``2026-11``) that ever held a concern."""
    return dict(session.execute(select(ReportMonthVersion.month, ReportMonthVersion.version)).all())


def voice_table_by_month(session: Session, staff_filter, reuse: Reuse) -> pd.DataFrame:
    """:func:`voice_table` of the whole filter, counted month by month and reused.

    Each UTC month's part is handed to ``reuse`` with that month's change counter (moved
    by database triggers on every write to a concern, migration 0016), so after a new
    concern only its month is counted again, not the year. Partners' events, when the
    filter asks for them, are added uncounted by month.
    """
    versions = month_versions(session)
    codes = tuple(
        getattr(staff_filter, name, None)
        for name in ("category", "time_of_day", "kind", "weekend", "status", "source")
    )
    parts = []
    for span in utc_month_spans(staff_filter.start_utc, staff_filter.end_utc):
        version = versions.get(span[0].strftime("%Y-%m"), 0)
        parts.append(
            reuse(
                (span, codes),
                version,
                lambda span=span: voice_table(session, staff_filter, span=span),
            )
        )
    parts = [p for p in parts if len(p)]
    if not parts:
        frame = pd.DataFrame(
            {"cell": np.zeros(0, np.uint64), "voices": np.zeros(0, np.int64)}
            | {c: pd.Series([], dtype=object) for c in VOICE_COLUMNS if c not in ("cell", "voices")}
        )[list(VOICE_COLUMNS)]
    elif len(parts) == 1:
        frame = parts[0]
    else:
        keys = [c for c in VOICE_COLUMNS if c != "voices"]
        frame = (
            pd.concat(parts, ignore_index=True)
            .groupby(keys, sort=False, dropna=False)["voices"]
            .sum()
            .reset_index()
        )
    return _with_partner_voices(session, staff_filter, frame.reset_index(drop=True))


def _with_partner_voices(session: Session, staff_filter, frame: pd.DataFrame) -> pd.DataFrame:
    """Issue 18: partners' events as voices of their own, when the filter's source asks."""
    if getattr(staff_filter, "source", "residents") == "residents":
        return frame
    from geoservice.store.events.repository import event_voice_table

    events = event_voice_table(session, staff_filter)
    if not len(events):
        return frame
    if not len(frame):
        return events.reset_index(drop=True)
    return pd.concat([frame, events], ignore_index=True)


def voices_per_cell(session: Session, staff_filter, *, cells=None) -> tuple[np.ndarray, np.ndarray]:
    """Voices per cell only (same rule as :func:`voice_table`), optionally of ``cells`` only."""
    voice = func.coalesce(Report.client_key, Report.id)
    day = func.date(Report.created_at)
    columns = select(Report.cell, voice.label("voice"), day.label("day"))
    query = _where_counted(columns, staff_filter)
    if cells is not None:
        wanted = [int(c) for c in np.asarray(cells, dtype=np.uint64).astype(np.int64).tolist()]
        query = query.where(Report.cell.in_(wanted or [-1]))
    voices = query.distinct().subquery()
    rows = session.execute(
        select(voices.c.cell, func.count()).group_by(voices.c.cell).order_by(voices.c.cell)
    ).all()
    found = np.array([r[0] for r in rows], dtype=np.int64).astype(np.uint64)
    counts = np.array([r[1] for r in rows], dtype=np.int64)
    if getattr(staff_filter, "source", "residents") == "residents":
        return found, counts
    # Partners' events count as voices of their own, as in voice_table.
    events = _with_partner_voices(session, staff_filter, pd.DataFrame(columns=["cell", "voices"]))
    if cells is not None and len(events):
        events = events.loc[np.isin(events["cell"].to_numpy(np.uint64), np.asarray(cells))]
    both = pd.concat(
        [pd.DataFrame({"cell": found, "voices": counts}), events[["cell", "voices"]]],
        ignore_index=True,
    )
    both["cell"] = both["cell"].astype(np.uint64)
    return voice_counts(both)


def voice_counts(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Voices per cell of a voice table: sorted cells (uint64) and counts (int64)."""
    if not len(table):
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    grouped = table.groupby("cell", sort=True)["voices"].sum()
    return grouped.index.to_numpy(np.uint64), grouped.to_numpy(np.int64)


def study_area_cells_since(session: Session, since: datetime) -> np.ndarray:
    """Cells that have held a counted concern since ``since`` (any kind or category)."""
    rows = session.scalars(
        select(Report.cell)
        .where(
            Report.created_at >= since,
            Report.precision != "area",
            Report.status.not_in(sorted(EXCLUDED_STATUSES)),
            Report.cell.is_not(None),
        )
        .distinct()
    ).all()
    return np.unique(np.array(rows, dtype=np.int64).astype(np.uint64))
