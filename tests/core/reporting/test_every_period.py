"""Every period gives a complete lägesbild that says what is missing (page text and PDF)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from geoservice.core.analysis.hexgrid import cells_for_points
from geoservice.core.analysis.study_area import study_area_cells
from geoservice.core.reporting.narrative import (
    analysis_sentences,
    missing_notes,
    sources_and_limits,
)
from geoservice.core.reporting.pdf_report import render_pdf
from geoservice.core.reporting.period_report import build_period_report
from geoservice.core.reporting.timeseries import ZoneInput

from .test_pdf_report import AREAS, concerns


def build(df, start, end, **kwargs):
    cells = study_area_cells(df["lon"], df["lat"]) if len(df) else np.zeros(0, np.uint64)
    options = {
        "start": start,
        "end": end,
        "study_cells": cells,
        "activities": [],
        "include_suggestions": True,
        "k": 2,
        "generated_on": dt.date(2025, 4, 2),
    } | kwargs
    return build_period_report(df, AREAS, **options)


def pdf_text(report) -> str:
    reader = PdfReader(io.BytesIO(render_pdf(report, AREAS)))
    return "\n".join(p.extract_text() for p in reader.pages)


FIRST = dt.date(2025, 2, 10)


def only_area_precision():
    df = concerns()
    return df.assign(precision="area")


CASES = {
    "no concerns at all": (
        lambda: concerns().iloc[:0],
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
        None,
        "Tjänsten har inga synpunkter ännu",
    ),
    "one day": (
        concerns,
        dt.date(2025, 3, 10),
        dt.date(2025, 3, 10),
        FIRST,
        "En så kort period",
    ),
    "before the service existed": (
        concerns,
        dt.date(2023, 1, 1),
        dt.date(2023, 12, 31),
        FIRST,
        "Perioden slutar före den första synpunkt",
    ),
    "only area precision": (
        only_area_precision,
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
        FIRST,
        "Alla periodens synpunkter gäller ett helt område",
    ),
    "only demo data": (
        lambda: concerns(demo=True),
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
        FIRST,
        "Alla periodens synpunkter är påhittade demodata",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_period_renders_and_says_what_is_missing(case):
    make, start, end, first, note = CASES[case]
    report = build(make(), start, end, first_concern=first)
    notes = missing_notes(report)
    assert any(note in n for n in notes), notes
    text = pdf_text(report)
    assert note in text.replace("\n", " ")
    for heading in ("1 Kartläggning", "2 Annan information", "3 Analys", "Källor och begr"):
        assert heading in text, (case, heading)
    assert len(report.series.months) == 24
    assert analysis_sentences(report, {"centrum": "Centrum", "norr": "Norr"})
    assert sources_and_limits(report)[0][0] == "Period"


def test_a_full_period_has_no_missing_note():
    report = build(concerns(), dt.date(2025, 3, 1), dt.date(2025, 3, 31), first_concern=FIRST)
    assert missing_notes(report) == []


def test_year_earlier_months_and_zones_in_the_report():
    df = concerns()
    year_ago = df.assign(created_at=df["created_at"] - pd.DateOffset(years=1))
    both = pd.concat([df, year_ago.assign(id=year_ago["id"] + "y")], ignore_index=True)
    cell = cells_for_points([58.70], [12.45])
    report = build(
        both,
        dt.date(2025, 3, 1),
        dt.date(2025, 3, 31),
        first_concern=dt.date(2024, 2, 10),
        zones=[ZoneInput("z1", "vid Torget", cell)],
    )
    assert (report.year.start, report.year.end) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert report.year.count == report.year.earlier == 5
    assert report.year.change_pct == 0.0
    assert str(report.series.months[-1]) == "2025-03" and report.series.total.sum() == 14
    [zone] = report.zones.itertuples(index=False)
    assert zone.name == "vid Torget" and zone.count == 4 and zone.total == 12
    assert zone.trend_class in {"sporadic", "persistent", "new", "intensifying"}
    text = pdf_text(report)
    assert "vid Torget" in text and "samma period året före" in text


def test_accuracy_in_plain_words_next_to_the_naive_baseline():
    df = concerns()
    report = build(df, dt.date(2025, 3, 1), dt.date(2025, 3, 31), first_concern=FIRST)
    sentences = " ".join(analysis_sentences(report, {"centrum": "Centrum"}))
    assert "Förra periodens hotspots fångade" in sentences
    assert "att bara ta förra periodens flest synpunkter fångade" in sentences
    assert "\u00a0%" in sentences  # 31 % with a no-break space, as Språkrådet writes it
