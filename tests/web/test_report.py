"""The period report (lägesbild): sections, role-dependent suggestions, PDF and tables."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import select

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import AuditEvent, Report

TODAY = datetime.now(UTC)
PERIOD = {
    "from": (TODAY - timedelta(days=30)).date().isoformat(),
    "to": (TODAY - timedelta(days=1)).date().isoformat(),
}
SUGGESTION = "Mer belysning, ring mig 070-765 43 21 eller anna@example.se"


@pytest.fixture
def concerns(app):
    with session_scope(app) as session:
        for i in range(40):
            session.add(
                Report(
                    lat=58.7005 + (i % 5) * 0.0004,
                    lon=12.4535,
                    category="lighting" if i % 2 else "drugs",
                    time_of_day="evening",
                    weekend=bool(i % 3),
                    area_id="mellerud-holm",
                    created_at=TODAY - timedelta(days=2 + i % 25),
                    suggestion=SUGGESTION if i == 0 else None,
                    client_key=f"k{i}",
                )
            )
        for i in range(12):
            session.add(
                Report(
                    lat=58.7005,
                    lon=12.4535,
                    category="drugs",
                    time_of_day="night",
                    area_id="mellerud-holm",
                    created_at=TODAY - timedelta(days=40 + i),
                    client_key=f"p{i}",
                )
            )
        bump_version(session)


def test_police_report_has_every_section_and_masked_suggestions(app, client, login, concerns):
    login("police")
    page = client.get("/personal/rapport", query_string=PERIOD).get_data(as_text=True)
    for section in (
        "Sammanfattning",
        "1 Kartläggning",
        "2 Annan information",
        "3 Analys",
        "Källor och begränsningar",
    ):
        assert f">{section}</h2>" in page, section
    for sub in (
        "Per område",
        "Per kategori",
        "Över tid",
        "Hotspots och zoner",
        "Åtgärdsplan",
        "Andra källor",
        "Invånarnas förslag",
        "Träffsäkerhet",
    ):
        assert f">{sub}</h3>" in page, sub
    assert "40 synpunkter" in page and "mot 12 perioden före" in page
    assert "Mer belysning" in page and "070-765" not in page and "anna@example.se" not in page
    assert page.count('role="img"') >= 4  # the charts, each named for screen readers
    with session_scope(app) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view_free_text"))
        assert event.rows == 1


def test_bra_report_has_themes_with_masked_quotes_never_with_a_place(client, login, concerns):
    login("bra")
    page = client.get("/personal/rapport", query_string=PERIOD).get_data(as_text=True)
    assert 'id="suggestion-themes"' in page and "Mer belysning" in page
    assert "070-765" not in page and "anna@example.se" not in page
    # The quote is not tied to a point or a time: the themes hold no coordinate or clock.
    themes = page[page.index('id="suggestion-themes"') :]
    themes = themes[: themes.index("</div>")]
    assert "58.7" not in themes and "12.45" not in themes and ":" not in themes


def test_pdf_has_the_headings_and_tables(client, login, concerns):
    login("municipality")
    response = client.get("/personal/rapport.pdf", query_string=PERIOD)
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
    page = reader.pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    text = "\n".join(p.extract_text() for p in reader.pages)
    for heading in ("Lägesbild", "Sammanfattning", "Per område", "Träffsäkerhet", "Åtgärdsplan"):
        assert heading in text, heading
    assert "Mellerud/Holm" in text and "070-765" not in text


def test_tables_as_csv_and_geojson(client, login, concerns):
    login("municipality")
    text = client.get("/personal/rapport/areas.csv", query_string=PERIOD).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    holm = next(r for r in rows if "Holm" in str(r))
    assert "40" in holm.values()
    body = client.get("/personal/rapport/omraden.geojson", query_string=PERIOD).get_json()
    assert len(body["features"]) == 5
    assert client.get("/personal/rapport/secret.csv", query_string=PERIOD).status_code == 404


@pytest.mark.parametrize(
    "query", [{"from": "igår"}, {"from": "2026-05-01", "to": "2026-04-01"}, {"from": "2019-01-01"}]
)
def test_bad_periods_are_refused(client, login, query):
    login("police")
    assert client.get("/personal/rapport", query_string=query).status_code == 422
    assert client.get("/personal/rapport.pdf", query_string=query).status_code == 422
