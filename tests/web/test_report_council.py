"""The council's lägesbild on the web: every period renders, figures by hand, hidden quotes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from sqlalchemy import select

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import ModerationEvent, Report, ReportFigure
from tests.conftest import csrf_token_from

TODAY = datetime.now(UTC)
PERIOD = {
    "from": (TODAY - timedelta(days=30)).date().isoformat(),
    "to": (TODAY - timedelta(days=1)).date().isoformat(),
}
QUOTE = "Fler vuxna ute på kvällarna vid torget"


@pytest.fixture
def concerns(app):
    """30 concerns in the last month, a few with the same suggestion, one area-only."""
    ids = []
    with session_scope(app) as session:
        for i in range(30):
            report = Report(
                lat=58.7005 + (i % 5) * 0.0004,
                lon=12.4535,
                category="drugs",
                time_of_day="evening",
                weekend=bool(i % 2),
                area_id="mellerud-holm",
                created_at=TODAY - timedelta(days=2 + i % 20),
                suggestion=QUOTE if i < 4 else None,
                client_key=f"k{i}",
                precision="area" if i == 29 else "point",
            )
            session.add(report)
            session.flush()
            ids.append(report.id)
        bump_version(session)
    return ids


def get(client, query):
    return client.get("/personal/rapport", query_string=query)


@pytest.mark.parametrize("role", ["bra", "municipality"])
@pytest.mark.parametrize(
    "query",
    [
        {},  # a fresh install's default period: no concerns at all
        {"from": "2019-06-01", "to": "2019-06-30"},  # before the service existed
        {"from": TODAY.date().isoformat(), "to": TODAY.date().isoformat()},  # one day
    ],
)
def test_a_period_with_no_concerns_renders_a_complete_report(client, login, role, query):
    login(role)
    response = get(client, query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="missing"' in page
    assert "Tjänsten har inga synpunkter ännu" in page
    for heading in ("1 Kartläggning", "2 Annan information", "3 Analys"):
        assert heading in page
    pdf = client.get("/personal/rapport.pdf", query_string=query)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Tjänsten har inga synpunkter ännu" in text


def test_a_period_before_the_first_concern_says_so(client, login, concerns):
    login("bra")
    page = get(client, {"from": "2019-06-01", "to": "2019-06-30"}).get_data(as_text=True)
    assert "Perioden slutar före den första synpunkt" in page


def test_themes_count_the_same_suggestion_once_with_its_count(client, login, concerns):
    login("bra")
    page = get(client, PERIOD).get_data(as_text=True)
    themes = page[page.index('id="suggestion-themes"') :]
    assert themes.count(QUOTE) == 2  # the label and one quote, not four times
    assert "4 förslag" in themes


def test_a_moderator_hides_a_quote_from_the_council(app, client, login, concerns):
    login("police")
    token = csrf_token_from(client, f"/personal/synpunkt/{concerns[0]}")
    for report_id in concerns[:4]:
        response = client.post(
            f"/personal/rapport/citat/{report_id}",
            data={"csrf_token": token, "hidden": "1"},
        )
        assert response.status_code == 303
    page = get(client, PERIOD).get_data(as_text=True)
    themes = page[page.index('id="suggestion-themes"') :]
    assert QUOTE in themes and "4 förslag" in themes  # the label names the theme...
    assert f"”{QUOTE}”" not in themes  # ...but nothing is quoted
    with session_scope(app) as session:
        events = session.scalars(select(ModerationEvent).where(ModerationEvent.field == "quote"))
        assert [e.to_value for e in events] == ["hidden"] * 4
    assert (
        client.post(
            "/personal/rapport/citat/no-such-id", data={"csrf_token": token, "hidden": "1"}
        ).status_code
        == 404
    )


def test_the_moderation_page_offers_to_hide_the_quote(client, login, concerns):
    login("municipality")
    page = client.get(f"/personal/synpunkt/{concerns[0]}").get_data(as_text=True)
    assert f'action="/personal/rapport/citat/{concerns[0]}"' in page


def test_staff_add_a_figure_with_its_source_and_bad_fields_are_named(app, client, login):
    login("municipality")
    token = csrf_token_from(client, "/personal/rapport")
    bad = client.post(
        "/personal/rapport/uppgifter",
        data={
            "csrf_token": token,
            "measure": "",
            "year": "20x5",
            "value": "många",
            "source": "",
            **PERIOD,
        },
    )
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Mått måste fyllas i." in page and "Skriv ett årtal" in page
    assert "Skriv ett tal" in page and "Källa måste fyllas i." in page
    with session_scope(app) as session:
        assert session.scalar(select(ReportFigure)) is None
    good = client.post(
        "/personal/rapport/uppgifter",
        data={
            "csrf_token": token,
            "measure": "Otrygg ute sent på kvällen",
            "year": "2025",
            "value": "23,5",
            "unit": "%",
            "source": "Polisens trygghetsmätning 2025",
            **PERIOD,
        },
    )
    assert good.status_code == 303
    page = get(client, PERIOD).get_data(as_text=True)
    assert "Otrygg ute sent på kvällen" in page and "23,5 %" in page
    assert "Polisens trygghetsmätning 2025" in page
    pdf = client.get("/personal/rapport.pdf", query_string=PERIOD)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Polisens trygghetsmätning 2025" in text
    with session_scope(app) as session:
        figure_id = session.scalar(select(ReportFigure.id))
    removed = client.post(
        f"/personal/rapport/uppgifter/{figure_id}/ta-bort", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    with session_scope(app) as session:
        assert session.scalar(select(ReportFigure)) is None


def test_bra_cannot_add_figures_or_hide_quotes(client, login, concerns):
    login("bra")
    token = csrf_token_from(client, "/personal/rapport")
    assert (
        client.post(
            "/personal/rapport/uppgifter", data={"csrf_token": token, "measure": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/personal/rapport/citat/{concerns[0]}", data={"csrf_token": token, "hidden": "1"}
        ).status_code
        == 403
    )
    page = get(client, PERIOD).get_data(as_text=True)
    assert 'id="figure-form"' not in page


def test_monthly_and_theme_csv_keep_numbers_machine_readable(client, login, concerns):
    login("municipality")
    text = client.get("/personal/rapport/months.csv", query_string=PERIOD).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 24 and sum(int(r["total"]) for r in rows) == 30
    assert all(r["month"][4] == "-" for r in rows)
    themes = client.get("/personal/rapport/themes.csv", query_string=PERIOD).get_data(as_text=True)
    [theme] = list(csv.DictReader(io.StringIO(themes.lstrip("\ufeff"))))
    assert theme["count"] == "4" and theme["theme"] == QUOTE
    for table in ("year", "seasons", "zones"):
        assert client.get(f"/personal/rapport/{table}.csv", query_string=PERIOD).status_code == 200
