"""A moderator hides a suggestion's wording from the council's report, or shows it again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.models import ModerationEvent, Report


def set_quote_hidden(session: Session, report_id: str, hidden: bool, *, user_name: str) -> bool:
    """Hide (or show) the concern's suggestion as a quote; record it in its history.

    Returns whether anything changed. Raises LookupError for an unknown concern.
    """
    begin_write(session)
    report = session.get(Report, report_id)
    if report is None:
        session.rollback()
        raise LookupError(report_id)
    if bool(report.quote_hidden) == hidden:
        session.rollback()
        return False
    session.add(
        ModerationEvent(
            report_id=report_id,
            at=datetime.now(UTC),
            user_name=user_name,
            field="quote",
            from_value="hidden" if report.quote_hidden else "shown",
            to_value="hidden" if hidden else "shown",
        )
    )
    report.quote_hidden = hidden
    bump_version(session)  # cached reports quote it no more
    session.commit()
    return True


def hidden_quote_ids(session: Session, report_ids) -> set[str]:
    """Which of the given concerns have their suggestion hidden from the council."""
    ids = list(report_ids)
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update(
            session.scalars(
                select(Report.id).where(Report.id.in_(chunk), Report.quote_hidden.is_(True))
            )
        )
    return found
