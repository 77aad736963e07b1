"""Counts for the public aggregates, made by the database, and the version that keys caches."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, case, event, func, select, text, update
from sqlalchemy.orm import Session

from geoservice.core.analysis.aggregate import GROUP_COLUMNS
from geoservice.core.categories import EXCLUDED_STATUSES
from geoservice.store.models import DataVersion, Report

VERSION_NAME = "reports"


def bump_version(session: Session) -> None:
    """Mark the concerns as changed; call inside the writing transaction.

    SQLite serialises writers anyway, so a counter row in the same transaction costs
    nothing there. On PostgreSQL every writer would queue on that one row; a sequence is
    advanced instead, right after the commit (so a reader that sees the new number also
    sees the new rows; a rollback advances nothing).
    """
    if session.get_bind().dialect.name != "postgresql":
        bump_version_in_transaction(session.connection())
        return
    engine = session.get_bind()

    def advance(_session: Session) -> None:
        with engine.connect() as connection:
            bump_version_after_commit(connection)

    if not session.info.get("version_bump_pending"):
        session.info["version_bump_pending"] = True
        event.listen(session, "after_commit", advance, once=True)
        event.listen(
            session,
            "after_transaction_end",
            lambda s, _t: s.info.pop("version_bump_pending", None),
            once=True,
        )


_VERSIONS = DataVersion.__table__
# Built once: statements of the submission's hot path.
_BUMP_VERSION_ROW = (
    update(_VERSIONS)
    .where(_VERSIONS.c.name == VERSION_NAME)
    .values(version=_VERSIONS.c.version + 1)
)
_ADVANCE_VERSION_SEQUENCE = text("SELECT nextval('data_version_seq')")


def bump_version_in_transaction(connection: Connection) -> None:
    """SQLite's half of :func:`bump_version` for a caller holding a connection."""
    if connection.dialect.name != "postgresql":
        connection.execute(_BUMP_VERSION_ROW)


def bump_version_after_commit(connection: Connection) -> None:
    """PostgreSQL's half of :func:`bump_version`: call on the connection that just committed.

    One statement in autocommit: the connection's isolation level is reset when it goes
    back to the pool.
    """
    if connection.dialect.name == "postgresql":
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.execution_options(isolation_level="AUTOCOMMIT")  # not twice: hot path
        connection.execute(_ADVANCE_VERSION_SEQUENCE)


def data_version(session: Session) -> int:
    """The current change counter of the concerns."""
    if session.get_bind().dialect.name == "postgresql":
        value, called = session.execute(
            text("SELECT last_value, is_called FROM data_version_seq")
        ).one()
        return int(value) if called else 0
    return session.scalar(select(DataVersion.version).where(DataVersion.name == VERSION_NAME))


PUBLIC_KIND = "unsafe"
"""The public figures count concerns about unsafe places (SPEC §2)."""


def _published_concerns(start: datetime, end: datetime):
    """Active concerns about unsafe places in an area, created in ``[start, end)``."""
    return select(
        Report.area_id,
        Report.category,
        Report.time_of_day,
        func.coalesce(Report.client_key, Report.id).label("voice"),
    ).where(
        Report.created_at >= start,
        Report.created_at < end,
        Report.status.not_in(sorted(EXCLUDED_STATUSES)),
        Report.area_id.is_not(None),
        Report.kind == PUBLIC_KIND,
    )


def period_rows(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """The concerns one publication period counts, with the voice behind each.

    A voice is the client key of the day the concern came from (SPEC §6); a concern
    without one (imported, staff-entered) is a voice of its own. The result feeds
    :func:`geoservice.core.privacy.publish.publish_period`.
    """
    rows = session.execute(_published_concerns(start, end)).all()
    return pd.DataFrame(rows, columns=["area_id", "category", "time_of_day", "voice"])


def listing_rows(session: Session, start: datetime, end: datetime) -> pd.DataFrame:
    """The same concerns as :func:`period_rows`, with what the Open311 listing shows.

    Columns ``id, area_id, category, time_of_day, voice, status, is_demo, created_at``.
    """
    query = _published_concerns(start, end).add_columns(
        Report.id, Report.status, Report.is_demo, Report.created_at
    )
    rows = session.execute(query).all()
    columns = ["area_id", "category", "time_of_day", "voice", "id", "status", "is_demo"]
    return pd.DataFrame(rows, columns=[*columns, "created_at"])


def area_group_counts(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    categories: Collection[str] | None = None,
    time_bands: Collection[str] | None = None,
    kind: str | None = "unsafe",
) -> pd.DataFrame:
    """Active concerns counted per area, category, time band and period (current/previous).

    The previous period is the one of equal length just before ``[start, end)``; the
    result feeds :func:`geoservice.core.analysis.aggregate.aggregate_area_counts`.
    """
    previous_start = start - (end - start)
    # Conditional sums grouped in the order of ix_reports_area_counts: one pass over a
    # covering index, no temporary sort (a million concerns in about 0.25 s on SQLite).
    in_current = case((Report.created_at >= start, 1), else_=0)
    in_previous = case((Report.created_at < start, 1), else_=0)
    query = (
        select(
            Report.area_id,
            Report.category,
            Report.time_of_day,
            func.sum(in_current).label("current"),
            func.sum(in_previous).label("previous"),
        )
        .where(
            Report.created_at >= previous_start,
            Report.created_at < end,
            Report.status.not_in(sorted(EXCLUDED_STATUSES)),
            Report.area_id.is_not(None),
        )
        .group_by(Report.area_id, Report.category, Report.time_of_day)
    )
    if kind is not None:
        query = query.where(Report.kind == kind)
    if categories:
        query = query.where(Report.category.in_(sorted(categories)))
    if time_bands:
        query = query.where(Report.time_of_day.in_(sorted(time_bands)))
    rows = session.execute(query).all()
    wide = pd.DataFrame(rows, columns=["area_id", "category", "time_of_day", "current", "previous"])
    long = wide.melt(
        id_vars=["area_id", "category", "time_of_day"],
        value_vars=["current", "previous"],
        var_name="period",
        value_name="n",
    )
    long = long.loc[long["n"] > 0]
    return long[list(GROUP_COLUMNS)].reset_index(drop=True)
