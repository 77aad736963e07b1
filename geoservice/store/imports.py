"""Store the rows of an earlier dialogue's file: all in one transaction, each row once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from geoservice.core.intake.validation import ReportDraft
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.models import Report
from geoservice.store.reports import report_row

IMPORT_SOURCE = "import"


def import_drafts(
    session: Session,
    accepted: list[tuple[int, ReportDraft, datetime | None, str]],
    *,
    now: datetime,
) -> tuple[int, int]:
    """Insert the accepted rows not stored before; return (added, already stored).

    Each row's key is its idempotency key, so importing the same file again adds nothing.
    """
    begin_write(session)
    keys = [key for _row, _draft, _when, key in accepted]
    existing: set[str] = set()
    for start in range(0, len(keys), 500):
        existing.update(
            session.scalars(
                select(Report.idempotency_key).where(
                    Report.idempotency_key.in_(keys[start : start + 500])
                )
            )
        )
    rows = [
        report_row(draft, created_at=when or now, client=None, source=IMPORT_SOURCE)
        for _row, draft, when, key in accepted
        if key not in existing
    ]
    try:
        for start in range(0, len(rows), 2000):
            session.execute(insert(Report), rows[start : start + 2000])
        if rows:
            bump_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(rows), len(accepted) - len(rows)
