"""Figures a staff member adds to the lägesbild by hand ("Annan information"), with sources."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geoservice.store.models import ReportFigure

MEASURE_LIMIT = 200
UNIT_LIMIT = 40
SOURCE_LIMIT = 300
NOTE_LIMIT = 500
FIRST_YEAR = 1990
LAST_YEAR = 2100


class FigureError(ValueError):
    """A figure broke a rule; ``errors`` maps each form field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(str(errors))


@dataclass(frozen=True)
class FigureInput:
    """A figure as typed into the form (all text, as sent)."""

    measure: str
    year: str
    value: str
    unit: str
    source: str
    note: str = ""


def _number(raw: str) -> float | None:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check_figure(given: FigureInput) -> dict:
    """Return the figure's stored values; raise FigureError naming every bad field.

    The error of each field is a code the page words in its language: ``required``,
    ``too_long``, ``year`` (not a year from :data:`FIRST_YEAR` to :data:`LAST_YEAR`) or
    ``number`` (not a number; a decimal comma is fine).
    """
    errors: dict[str, str] = {}
    measure, unit = given.measure.strip(), given.unit.strip()
    source, note = given.source.strip(), given.note.strip()
    for field, text, limit, required in (
        ("measure", measure, MEASURE_LIMIT, True),
        ("unit", unit, UNIT_LIMIT, False),
        ("source", source, SOURCE_LIMIT, True),
        ("note", note, NOTE_LIMIT, False),
    ):
        if required and not text:
            errors[field] = "required"
        elif len(text) > limit:
            errors[field] = "too_long"
    year = int(given.year.strip()) if given.year.strip().isdigit() else None
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = "year"
    value = _number(given.value)
    if value is None:
        errors["value"] = "number"
    if errors:
        raise FigureError(errors)
    return {
        "measure": measure,
        "year": year,
        "value": value,
        "unit": unit,
        "source": source,
        "note": note or None,
    }


LIMITS = {"measure": MEASURE_LIMIT, "unit": UNIT_LIMIT, "source": SOURCE_LIMIT, "note": NOTE_LIMIT}
"""Longest text of each field."""


def add_figure(session: Session, given: FigureInput, *, author: str) -> ReportFigure:
    """Check and store a figure; nothing is stored when a field is wrong."""
    values = check_figure(given)
    figure = ReportFigure(author=author, **values)
    session.add(figure)
    session.commit()
    return figure


def figures(session: Session) -> list[ReportFigure]:
    """Every figure, by measure and then year."""
    return list(
        session.scalars(select(ReportFigure).order_by(ReportFigure.measure, ReportFigure.year))
    )


def delete_figure(session: Session, figure_id: int) -> bool:
    """Delete one figure; False when there is no such figure."""
    figure = session.get(ReportFigure, figure_id)
    if figure is None:
        return False
    session.delete(figure)
    session.commit()
    return True
