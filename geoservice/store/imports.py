"""Store the rows of an earlier dialogue's file: all in one transaction, each row once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from geoservice.core.validation import ReportDraft
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.models import Report, cell_of, new_id
from geoservice.store.reports import new_receipt

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
        {
            "id": new_id(),
            "created_at": when or now,
            "lon": draft.lon,
            "lat": draft.lat,
            "precision": draft.precision,
            "kind": draft.kind,
            "category": draft.category,
            "time_of_day": draft.time_of_day,
            "weekend": draft.weekend,
            "description": draft.description,
            "suggestion": draft.suggestion,
            "role": draft.role,
            "age_band": draft.age_band,
            "area_id": draft.area_id,
            "cell": cell_of(draft.lat, draft.lon),
            "status": "new",
            "receipt": new_receipt(),
            "idempotency_key": key,
            "source": IMPORT_SOURCE,
            "is_demo": False,
        }
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
