"""The patrol plan speaks in places and whole counts, says its look-back, offers wider windows."""

from __future__ import annotations

import re

from tests.web.test_patrol import QUERY, seed


def test_stops_are_named_places_with_whole_counts_and_different_reasons(app, client, login):
    seed(app)
    login("police")
    body = client.get("/api/v1/patrol-plan", query_string=QUERY).get_json()
    stops = body["stops"]
    assert stops
    places = [s["place"] for s in stops]
    assert "vid Resecentrum" in places or any("Resecentrum" in p for p in places), places
    assert len(set(places)) == len(places)
    assert len({s["why_sv"] for s in stops}) == len(stops)
    for stop in stops:
        assert isinstance(stop["count"], int) and isinstance(stop["total"], int)
        assert all(isinstance(n, int) for n in stop["categories"].values())
        assert {"rank", "lat", "lon", "cell", "count", "categories"} <= set(stop)
        assert re.search(r"\d+ synpunkter senaste 12 mån, \d+ av dem i fönstret", stop["why_sv"])
        assert not re.search(r"\d,\d", stop["why_sv"])  # no aoristic fractions in the reason
    assert body["lookback"] == "senaste 12 mån"


def test_page_says_the_lookback_shows_cards_and_keeps_weights_in_the_detail(app, client, login):
    seed(app)
    login("police")
    page = client.get("/personal/patrull", query_string=QUERY).get_data(as_text=True)
    assert "underlag: synpunkterna senaste 12 mån" in page
    assert 'class="stop-cards"' in page and "<table" not in page.split('id="stop-list"')[1][:2000]
    detail = page.split('class="zone-detail"')[1].split("</details>")[0]
    assert "Viktat efter hur stor del" in detail and "Rutor (H3)" in detail
    # The map comes before the form's fields are needed: the form is folded.
    assert page.index('class="map-box"') < page.index('id="stop-list"')
    assert '<details class="filter-panel" id="filter-panel">' in page
    other = client.get("/personal/patrull", query_string={**QUERY, "months": "24"})
    assert "senaste 24 mån" in other.get_data(as_text=True)


def test_thin_data_offers_a_wider_window_with_enough(app, client, login):
    seed(app, n=40)
    login("police")
    page = client.get("/personal/patrull", query_string={**QUERY, "months": "3"}).get_data(
        as_text=True
    )
    assert 'id="wider"' in page
    wider = page.split('id="wider"')[1].split("</section>")[0]
    assert "synpunkter i" in wider
    assert "href=" in wider or "Inte ens tre års" in wider


def test_print_sheet_orients_without_tiles(app, client, login):
    seed(app)
    login("police")
    sheet = client.get("/personal/patrull/utskrift", query_string=QUERY).get_data(as_text=True)
    svg = sheet.split('id="orientation-map"')[1].split("</svg>")[0]
    assert "Mellerud/Holm" in svg  # area outlines are labelled
    assert "Resecentrum" in svg or "Storgatan" in svg  # the gazetteer's places
    assert 'id="print-base-map"' not in sheet  # TILE_URL is empty in tests: no base map


def test_print_sheet_has_a_base_map_when_tiles_are_configured(app, client, login):
    app.config["TILE_URL"] = "https://tile.example.org/{z}/{x}/{y}.png"
    seed(app)
    login("police")
    sheet = client.get("/personal/patrull/utskrift", query_string=QUERY).get_data(as_text=True)
    assert 'id="print-base-map"' in sheet and 'id="orientation-map"' in sheet


def test_bad_form_values_get_plain_swedish_naming_the_field(client, login):
    login("police")
    response = client.get(
        "/personal/patrull", query_string={"from_hour": "25", "to_hour": "x", "stops": "99"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Från klockan: Skriv en hel timme från 0 till 23" in page
    assert "Till klockan: Skriv en hel timme från 0 till 24" in page
    assert "Antal stopp: Skriv ett antal från 1 till 12." in page
    assert "should be" not in page and "from_hour:" not in page
    same = client.get("/personal/patrull", query_string={"from_hour": "5", "to_hour": "5"})
    assert "fönstret blir tomt" in same.get_data(as_text=True)
    api = client.get("/api/v1/patrol-plan", query_string={"from_hour": "25"})
    assert api.status_code == 422 and "from_hour" in api.get_json()["errors"]
