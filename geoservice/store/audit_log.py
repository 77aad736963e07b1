"""Reading the audit log: filtered by person, action and local days, for the page and the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoservice.core.typography import LOCAL_ZONE
from geoservice.store.models import AuditEvent

PAGE_LIMIT = 500
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditQuery:
    """Which audit events to read: one person, one or more actions, local days ``[start, end]``."""

    user_name: str | None = None
    actions: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, LOCAL_ZONE).astimezone(UTC)


def _select(query: AuditQuery):
    stmt = select(AuditEvent)
    if query.user_name:
        stmt = stmt.where(AuditEvent.user_name == query.user_name)
    if query.actions:
        stmt = stmt.where(AuditEvent.action.in_(query.actions))
    if query.start:
        stmt = stmt.where(AuditEvent.at >= _local_midnight(query.start))
    if query.end:
        stmt = stmt.where(AuditEvent.at < _local_midnight(query.end + timedelta(days=1)))
    return stmt


def find_audit_events(
    session: Session, query: AuditQuery, *, limit: int = PAGE_LIMIT
) -> list[AuditEvent]:
    """Matching events, newest first, at most ``limit``."""
    stmt = _select(query).order_by(AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(stmt))


def count_audit_events(session: Session, query: AuditQuery) -> int:
    """How many events match."""
    return session.scalar(select(func.count()).select_from(_select(query).subquery()))


def audit_people(session: Session) -> list[str]:
    """Every person named in the log, alphabetically (for the filter's list)."""
    stmt = (
        select(AuditEvent.user_name)
        .where(AuditEvent.user_name.is_not(None))
        .distinct()
        .order_by(AuditEvent.user_name)
    )
    return list(session.scalars(stmt))


def audit_actions(session: Session) -> list[str]:
    """Every action that occurs in the log."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
