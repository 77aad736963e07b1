"""The printable lägesbild: A4, headings, figures, masked text, Swedish and English."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader
from shapely.geometry import box

from geoservice.core.analysis.study_area import study_area_cells
from geoservice.core.reporting.pdf_report import pdf_text, render_pdf
from geoservice.core.reporting.period_report import build_period_report

AREAS = gpd.GeoDataFrame(
    {"id": ["centrum", "norr"], "name": ["Centrum", "Norr & Åsen"], "population": [2000, 500]},
    geometry=[box(12.44, 58.69, 12.46, 58.71), box(12.44, 58.71, 12.46, 58.73)],
    crs="EPSG:4326",
)
ACTIVITY = {
    "title": "Bättre belysning i parken",
    "responsible": "both",
    "status": "ongoing",
    "area_names": ["Centrum"],
    "start_on": dt.date(2025, 1, 1),
    "end_on": dt.date(2025, 6, 30),
    "followup_sv": "Efter starten kom 12 synpunkter mot 20 före (\u221240 %).",
    "followup_en": "After the start 12 concerns came in against 20 before (\u221240 %).",
}
SUGGESTIONS = (
    "Ring mig på 070-123 45 67",
    "Skriv till anna.andersson@example.se",
    "Mitt personnummer är 19850101-1234",
    "Tänd lamporna <b>fet</b> & snabbt",
)


def concerns(*, demo: bool = False) -> pd.DataFrame:
    """Four concerns in Centrum and one in Norr this March, two in Centrum in February."""
    rows = [
        {"created_at": "2025-03-10T18:30:00Z", "lat": 58.70, "suggestion": text}
        for text in SUGGESTIONS
    ]
    rows += [
        {"created_at": "2025-03-12T18:30:00Z", "lat": 58.72, "area_id": "norr"},
        {"created_at": "2025-02-10T18:30:00Z", "lat": 58.70},
        {"created_at": "2025-02-11T18:30:00Z", "lat": 58.70},
    ]
    base = {
        "lon": 12.45,
        "precision": "point",
        "kind": "unsafe",
        "category": "lighting",
        "time_of_day": "evening",
        "weekend": False,
        "exact_hour": None,
        "area_id": "centrum",
        "status": "new",
        "client_key": None,
        "is_demo": demo,
        "source": "web",
        "suggestion": None,
    }
    frame = pd.DataFrame([base | {"id": f"r{i}"} | row for i, row in enumerate(rows)])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def report(*, demo=False, include_suggestions=True, lang="sv"):
    df = concerns(demo=demo)
    return build_period_report(
        df,
        AREAS,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 31),
        study_cells=study_area_cells(df["lon"], df["lat"]),
        activities=[ACTIVITY],
        include_suggestions=include_suggestions,
        k=2,
        lang=lang,
        generated_on=dt.date(2025, 4, 2),
    )


def pdf_text_of(document: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(document))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def swedish():
    return pdf_text_of(render_pdf(report(), AREAS))


def test_pages_are_a4(swedish):
    reader, _ = swedish
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.1)


def test_swedish_headings_in_order(swedish):
    _, text = swedish
    headings = [
        "Lägesbild",
        "Sammanfattning",
        "1 Kartläggning",
        "Per område",
        "Per kategori",
        "Över tid",
        "Tid på dygnet, veckodel och årstid",
        "Hotspots och zoner",
        "2 Annan information",
        "Åtgärdsplan",
        "Andra källor",
        "Invånarnas förslag",
        "3 Analys",
        "Träffsäkerhet",
        "Källor och begränsningar",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)


def test_title_block(swedish):
    _, text = swedish
    assert "2025-03-01 – 2025-03-31" in text
    assert "2025-01-29 – 2025-02-28" in text
    assert "Skapad: 2025-04-02" in text
    assert "Demodata" not in text


def test_table_figures(swedish):
    _, text = swedish
    assert "Centrum" in text and "Norr & Åsen" in text
    assert "2 000" in text  # population with a Swedish thousands separator
    assert "2,0" in text  # 4 concerns per 2,000 residents: 2.0 per 1,000
    assert "+100 %" in text  # 4 against 2 in Centrum
    assert "Dålig belysning, mörka platser" in text
    assert "Kväll (18–22)" in text
    assert "Gi*-karta" in text and "Förra periodens antal" in text


def test_suggestions_are_masked_and_markup_is_text(swedish):
    _, text = swedish
    assert "[telefonnummer dolt]" in text
    assert "[e-post dold]" in text
    assert "[personnummer dolt]" in text
    for secret in ("070-123 45 67", "anna.andersson", "19850101-1234"):
        assert secret not in text
    assert "<b>fet</b> & snabbt" in text


def test_action_plan_and_minus_sign(swedish):
    _, text = swedish
    assert "Bättre belysning i parken" in text
    assert "Polisen och kommunen" in text and "Pågår" in text
    assert "(-40 %)" in text and "\u2212" not in text


def test_without_quotes_prints_counts_only():
    _, text = pdf_text_of(render_pdf(report(include_suggestions=False), AREAS))
    assert "Förslagens text visas inte" in text
    assert "[telefonnummer dolt]" not in text and "lamporna" not in text


def test_demo_warning():
    _, text = pdf_text_of(render_pdf(report(demo=True), AREAS))
    assert "Demodata" in text


def test_english_variant():
    _, text = pdf_text_of(render_pdf(report(lang="en"), AREAS, lang="en"))
    for heading in (
        "Situation report",
        "Summary",
        "1 Mapping",
        "By area",
        "By category",
        "Over time",
        "Hotspots and zones",
        "2 Other information",
        "Action plan",
        "Residents' suggestions",
        "3 Analysis",
        "Predictive accuracy",
        "Sources and limitations",
    ):
        assert heading in text
    assert "Poor lighting, dark places" in text
    assert "Police and municipality" in text
    assert "2,000" in text and "2.0" in text
    assert "Sammanfattning" not in text


def test_empty_period_still_renders():
    df = concerns().iloc[:0]
    empty = build_period_report(
        df,
        AREAS,
        start=dt.date(2025, 3, 1),
        end=dt.date(2025, 3, 31),
        study_cells=[],
        activities=[],
        include_suggestions=True,
        k=5,
    )
    _, text = pdf_text_of(render_pdf(empty, AREAS))
    assert "Inga förslag under perioden" in text
    assert "Inga aktiviteter" in text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("\u221240 %", "-40 %"), ("a \u2264 b", "a &lt;= b"), ("日本", "??"), ("<i>", "&lt;i&gt;")],
)
def test_text_helvetica_cannot_draw_is_replaced(raw, shown):
    assert pdf_text(raw) == shown
