"""When the service's data begin, so the report can say a period lies before them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geoservice.core.typography import local_time
from geoservice.store.models import Report


def first_concern_day(session: Session) -> date | None:
    """Local day (Europe/Stockholm) of the first stored concern; None when there is none."""
    first = session.scalar(select(func.min(Report.created_at)))
    if first is None:
        return None
    # func.min bypasses the column type on SQLite, which then hands back a string.
    if isinstance(first, str):
        from datetime import datetime

        first = datetime.fromisoformat(first)
    return local_time(first).date()
