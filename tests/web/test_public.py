"""The resident's pages through Flask's test client: form, receipt, erasure, language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from geoservice.store.models import Report
from geoservice.store.reports import receipt_digest


def form_tokens(client, path: str = "/") -> dict[str, str]:
    page = client.get(path).get_data(as_text=True)
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("csrf_token", "idempotency_key")
    }


def submit(client, **fields):
    data = form_tokens(client) | {
        "lat": "58.7005",
        "lon": "12.4535",
        "kind": "unsafe",
        "category": "lighting",
        "time_of_day": "evening",
        "weekend": "weekday",
    }
    data.update(fields)
    return client.post("/", data=data)


def count(db_session) -> int:
    db_session.rollback()  # end the previous read snapshot: see what the app committed since
    return db_session.scalar(select(func.count()).select_from(Report))


def test_resident_page_has_map_form_and_crime_notice(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "folium-map" in page and "Skicka synpunkt" in page
    assert "112" in page and "114 14" in page and "polisen.se" in page
    for area in ("Bolstad", "Fagerlid/Järn", "Mellerud/Holm", "Rostock/Dalskog/Ör", "Skållerud"):
        assert f">{area}</option>" in page
    assert "Områdesgränserna är ungefärliga" in page


def test_resident_page_loads_nothing_from_third_party_hosts(client):
    page = client.get("/").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(s.startswith(("/", "#", "?")) for s in sources), sources
    for asset in [s for s in sources if s.startswith(("/vendor", "/static"))]:
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_a_pinned_concern_is_stored_and_gets_a_receipt(client, db_session):
    response = submit(client, description="Mörk gångtunnel")
    assert response.status_code == 303
    receipt_url = response.headers["Location"]
    page = client.get(receipt_url).get_data(as_text=True)
    receipt = re.search(r'id="receipt-code">([A-Z0-9-]+)<', page).group(1)
    row = db_session.scalar(select(Report))
    assert row.receipt_hash == receipt_digest(client.application.config["SECRET_KEY"], receipt)
    assert (row.area_id, row.precision, row.category, row.source) == (
        "mellerud-holm",
        "point",
        "lighting",
        "web",
    )
    assert row.weekend is False and row.description == "Mörk gångtunnel"
    assert "Mellerud/Holm" in page


def test_without_a_pin_the_chosen_area_is_stored(client, db_session):
    response = submit(client, lat="", lon="", area_id="skallerud")
    assert response.status_code == 303
    row = db_session.scalar(select(Report))
    assert (row.area_id, row.precision) == ("skallerud", "area")


def test_errors_are_shown_by_their_fields_and_nothing_is_stored(client, db_session):
    response = submit(client, lat="", lon="", category="", description="x" * 1001)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in page
    assert 'id="place-error"' in page and 'id="category-error"' in page
    assert 'id="description-error"' in page and 'aria-invalid="true"' in page
    assert count(db_session) == 0


def test_a_point_outside_the_municipality_is_refused(client, db_session):
    page = submit(client, lat="57.7089", lon="11.9746").get_data(as_text=True)
    assert "utanför Melleruds kommun" in page
    assert count(db_session) == 0


def test_the_honeypot_stores_nothing(client, db_session):
    assert submit(client, website="buy pills").status_code == 422
    assert count(db_session) == 0


def test_a_form_without_csrf_token_is_refused(client, db_session):
    response = client.post("/", data={"lat": "58.7", "lon": "12.45", "category": "drugs"})
    assert response.status_code == 400
    assert count(db_session) == 0


def test_a_double_submitted_form_stores_one_concern(client, db_session):
    tokens = form_tokens(client)
    first = submit(client, **tokens)
    second = submit(client, **tokens)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(db_session) == 1


def test_receipt_lookup_finds_and_erasure_deletes(client, db_session):
    location = submit(client).headers["Location"]
    receipt = re.search(r"/kvitto/([A-Z0-9-]+)", location).group(1)
    found = client.get("/kvitto", query_string={"kod": receipt.lower()})
    assert found.status_code == 303 and receipt in found.headers["Location"]
    page = client.get(f"/kvitto/{receipt}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    unconfirmed = client.post(f"/kvitto/{receipt}/radera", data={"csrf_token": token})
    assert unconfirmed.status_code == 422 and count(db_session) == 1
    erased = client.post(f"/kvitto/{receipt}/radera", data={"csrf_token": token, "confirm": "yes"})
    assert erased.status_code == 200 and "raderad" in erased.get_data(as_text=True)
    assert count(db_session) == 0
    assert client.get(f"/kvitto/{receipt}").status_code == 404


def test_unknown_receipt_code_is_a_clear_404(client):
    response = client.get("/kvitto", query_string={"kod": "AAAA-AAAA-AAAA"})
    assert response.status_code == 404
    assert "Ingen synpunkt har den kvittokoden" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/kvitto"])
def test_english_is_one_click_away_and_remembered(client, path):
    page = client.get(path).get_data(as_text=True)
    assert 'hreflang="en"' in page
    english = client.get(path, query_string={"lang": "en"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert 'lang="en"' in client.get(path).get_data(as_text=True)


def test_english_page_is_translated(client):
    page = client.get("/", query_string={"lang": "en"}).get_data(as_text=True)
    assert "Send concern" in page and "This is not a crime report." in page
    assert "Skicka synpunkt" not in page


def test_demo_banner_shows_only_while_demo_data_exists(app, client, runner):
    assert "Demodata" not in client.get("/").get_data(as_text=True)
    assert runner.invoke(args=["seed-demo", "--count", "50"]).exit_code == 0
    assert "Demodata" in client.get("/").get_data(as_text=True)
    assert runner.invoke(args=["seed-demo", "--remove"]).exit_code == 0
    assert "Demodata" not in client.get("/").get_data(as_text=True)
