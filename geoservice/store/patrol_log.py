"""The patrol log: record patrols carried out and hand them out for listing and CSV."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from geoservice.core.intake.validation import clean_text
from geoservice.store.db import begin_write
from geoservice.store.models import PatrolLogEntry

NOTE_LIMIT = 500
# The hex grid's resolution (SPEC §5): the cells a patrol plan lists.
CELL_RESOLUTION = 10
MAX_CELLS = 50


def is_patrol_cell(cell: str) -> bool:
    """True for a valid H3 cell of the grid's resolution, written as H3 writes it."""
    import h3

    if not isinstance(cell, str) or len(cell) != 15 or cell != cell.lower():
        return False
    try:
        return h3.is_valid_cell(cell) and h3.get_resolution(cell) == CELL_RESOLUTION
    except (ValueError, TypeError, h3.H3BaseException):
        return False


class PatrolLogError(ValueError):
    """A log entry broke a rule; ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(str(errors))


def record_patrol(
    session: Session,
    *,
    carried_out_on: str,
    window: str,
    cells: list[str],
    note: str | None,
    author: str,
    today: date,
) -> PatrolLogEntry:
    """Check and store that a plan was carried out (which stops, when, a short note)."""
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat((carried_out_on or "").strip())
        if day > today:
            errors["carried_out_on"] = "cannot be in the future"
    except ValueError:
        errors["carried_out_on"] = "a date written YYYY-MM-DD"
        day = today
    if not cells:
        errors["cells"] = "tick at least one stop that was visited"
    elif len(cells) > MAX_CELLS:
        errors["cells"] = f"at most {MAX_CELLS} stops"
    elif not all(is_patrol_cell(c) for c in cells):
        errors["cells"] = "unknown stop (not a hex cell of the grid)"
    text, code = clean_text(note)
    if code:
        errors["note"] = "contains characters that are not allowed"
    elif text and len(text) > NOTE_LIMIT:
        errors["note"] = f"at most {NOTE_LIMIT} characters"
    if not window or len(window) > 64:
        errors["window"] = "missing time window"
    if errors:
        raise PatrolLogError(errors)
    begin_write(session)
    entry = PatrolLogEntry(
        carried_out_on=day, time_window=window, cells=",".join(cells), note=text, author=author
    )
    session.add(entry)
    session.commit()
    return entry


def patrol_log(session: Session, limit: int | None = None) -> list[PatrolLogEntry]:
    """Patrols carried out, newest first."""
    query = select(PatrolLogEntry).order_by(
        PatrolLogEntry.carried_out_on.desc(), PatrolLogEntry.id.desc()
    )
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))
