"""The resident's journey in a real browser (SPEC §2 and §7): pin, submit, receipt, erase.

Runs Debian's Chromium against the app on a live local server; every request to another
host is blocked and recorded. Tiles point at a real tile host that is always blocked, so
the map is exercised exactly as when tiles cannot load.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geoservice.core.categories import CATEGORIES
from geoservice.store.areas import AreaLayer

from .conftest import TILE_HOST, assert_accessible, assert_accessible_without_js

pytestmark = pytest.mark.browser

AREA_IDS = {"bolstad", "fagerlid-jarn", "mellerud-holm", "rostock-dalskog-or", "skallerud"}
AREA_PATHS = ".leaflet-overlay-pane path"
RECEIPT_RE = re.compile(r"/kvitto/([^/?#]+)\?new=1$")


def _layer(live_server) -> AreaLayer:
    from geoservice.store.areas import shipped_layer

    return shipped_layer()


def _open_map(page, url: str) -> None:
    page.goto(url)
    expect(page.locator(AREA_PATHS)).to_have_count(5)
    # The page's scripts have run (buttons shown, handlers bound) and the map holds its
    # first view: a tap computed before that could land where the map no longer shows it.
    page.wait_for_function(
        """() => document.readyState === "complete" && window.trygghetskartan
            && window.trygghetskartan.map && window.trygghetskartan.map._loaded
            && !window.trygghetskartan.map._animatingZoom"""
    )


def _pixel(page, lat: float, lon: float) -> tuple[float, float]:
    return tuple(
        page.evaluate(
            """([lat, lon]) => {
                const p = window.trygghetskartan.map.latLngToContainerPoint([lat, lon]);
                return [p.x, p.y];
            }""",
            [lat, lon],
        )
    )


def _latlng_at(page, x: float, y: float) -> tuple[float, float]:
    return tuple(
        page.evaluate(
            """([x, y]) => {
                const ll = window.trygghetskartan.map.containerPointToLatLng([x, y]);
                return [ll.lat, ll.lng];
            }""",
            [x, y],
        )
    )


def _click_map(page, x: float, y: float) -> None:
    page.locator("div.folium-map").click(position={"x": x, "y": y})


def _pin_area(page, live_server, area_id: str) -> tuple[float, float]:
    """Tap the map inside ``area_id`` and confirm at street level; return the (lat, lon)."""
    lon, lat = _layer(live_server).area_point(area_id)
    x, y = (round(v) for v in _pixel(page, lat, lon))
    tapped = _latlng_at(page, x, y)
    _click_map(page, x, y)
    # The first tap at town scale zooms in and asks to confirm the spot.
    page.get_by_role("button", name="Bekräfta platsen").click()
    return tapped


def _receipt_from_url(page) -> str:
    match = RECEIPT_RE.search(page.url)
    assert match, f"expected the receipt page after submitting, got {page.url}"
    return match.group(1)


def _fill_details(page, *, category: str = "lighting", time_of_day: str = "evening") -> None:
    page.select_option("#category", category)
    page.check(f"input[name=time_of_day][value={time_of_day}]")
    page.fill("#description", "Mörkt vid gångtunneln, trasig belysning sedan hösten.")


def _submit(page) -> None:
    page.get_by_role("button", name="Skicka synpunkt").click()


def test_js_journey_pin_on_map_to_receipt(page, live_server, external_requests):
    _open_map(page, live_server.url + "/")
    assert_accessible(page, "/")

    clicked_lat, clicked_lon = _pin_area(page, live_server, "mellerud-holm")

    expect(page.locator("#lat")).not_to_have_value("")
    expect(page.locator("#lon")).not_to_have_value("")
    expect(page.locator("#pin-status")).to_contain_text("Mellerud/Holm")
    lat = float(page.input_value("#lat"))
    lon = float(page.input_value("#lon"))
    assert abs(lat - clicked_lat) < 0.001 and abs(lon - clicked_lon) < 0.001

    _fill_details(page)
    page.check("input[name=weekend][value=weekend]")
    _submit(page)

    expect(page.locator("#receipt-code")).to_be_visible()
    receipt = _receipt_from_url(page)
    expect(page.locator("#receipt-code")).to_have_text(receipt)
    expect(page.locator("#stored-area")).to_have_text("Mellerud/Holm")
    expect(page.locator("#status")).not_to_be_empty()

    row = live_server.report(receipt)
    assert row is not None, "the concern was not stored"
    assert row["area_id"] == "mellerud-holm"
    assert row["precision"] == "point"
    assert row["category"] == "lighting"
    assert row["time_of_day"] == "evening"
    assert abs(row["lat"] - clicked_lat) < 0.001
    assert abs(row["lon"] - clicked_lon) < 0.001

    assert_accessible(page, "receipt page (new)")
    assert external_requests.except_tiles() == [], external_requests.urls


def test_click_outside_municipality_places_no_pin(page, live_server):
    _open_map(page, live_server.url + "/")
    box = page.locator("div.folium-map").bounding_box()
    # Middle of the map's left edge: west of the outline, clear of the zoom and scale controls.
    x, y = 12, round(box["height"] / 2)
    lat, lon = _latlng_at(page, x, y)
    assert _layer(live_server).locate(lon, lat) is None, "the test point should be outside"

    _click_map(page, x, y)

    expect(page.locator("#pin-status")).to_contain_text("utanför")
    expect(page.locator("#lat")).to_have_value("")
    expect(page.locator("#lon")).to_have_value("")
    expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive")).to_have_count(5)


def test_nojs_journey_choose_area_from_list(nojs_page, new_context, live_server, external_requests):
    page = nojs_page
    page.goto(live_server.url + "/")
    expect(page.locator("#area_id")).to_be_visible()
    # Without JavaScript the map-only buttons stay hidden.
    expect(page.locator("#use-location")).to_be_hidden()
    assert_accessible_without_js(new_context, page, "/ without JavaScript")

    page.select_option("#area_id", "skallerud")
    _fill_details(page, category="drugs", time_of_day="night")
    _submit(page)

    expect(page.locator("#receipt-code")).to_be_visible()
    receipt = _receipt_from_url(page)
    expect(page.locator("#stored-area")).to_have_text("Skållerud")
    row = live_server.report(receipt)
    assert row is not None
    assert row["area_id"] == "skallerud"
    assert row["precision"] == "area"
    assert row["category"] == "drugs"
    assert external_requests.except_tiles() == [], external_requests.urls


def test_missing_place_and_category_are_listed_and_nothing_is_stored(page, live_server):
    before = live_server.report_count()
    _open_map(page, live_server.url + "/")
    page.check("input[name=time_of_day][value=day]")
    _submit(page)

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#place-fieldset']")).to_have_count(1)
    expect(summary.locator("a[href='#category']")).to_have_count(1)
    expect(page.locator("#category")).to_have_attribute("aria-invalid", "true")
    # report.js moves focus to the summary so screen readers announce it.
    expect(summary).to_be_focused()
    # The map is still usable on the re-rendered form.
    expect(page.locator(AREA_PATHS)).to_have_count(5)
    assert live_server.report_count() == before
    assert_accessible(page, "form with errors")


def test_receipt_lookup_and_erase(page, live_server):
    _open_map(page, live_server.url + "/")
    _pin_area(page, live_server, "bolstad")
    expect(page.locator("#pin-status")).to_contain_text("Bolstad")
    _fill_details(page, category=CATEGORIES[0].code, time_of_day="unknown")
    _submit(page)
    receipt = _receipt_from_url(page)
    assert live_server.report(receipt)["area_id"] == "bolstad"

    page.goto(live_server.url + "/kvitto")
    assert_accessible(page, "/kvitto")
    page.fill("#kod", receipt.lower())
    page.get_by_role("button", name="Visa").click()
    expect(page).to_have_url(re.compile(rf"/kvitto/{re.escape(receipt)}$"))
    expect(page.locator("#stored-area")).to_have_text("Bolstad")
    assert_accessible(page, "receipt page (lookup)")

    # Without the confirmation tick nothing is erased.
    page.get_by_role("button", name="Radera").click()
    expect(page.locator("#confirm-error")).to_be_visible()
    assert live_server.report(receipt) is not None

    page.check("#confirm")
    page.get_by_role("button", name="Radera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Synpunkten är raderad")
    assert live_server.report(receipt) is None

    page.goto(live_server.url + "/kvitto?kod=" + receipt)
    expect(page.locator("#kod-error")).to_be_visible()


def test_english_page(page, live_server):
    _open_map(page, live_server.url + "/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Category labels come from the code, not the message catalogue: English either way.
    labels = page.locator("#category option").all_inner_texts()
    assert {c.label_en for c in CATEGORIES} <= set(labels)
    expect(page.get_by_role("link", name="Svenska")).to_be_visible()
    assert_accessible(page, "/?lang=en")


def test_map_draws_areas_without_tiles_and_asks_no_third_party(
    page, live_server, external_requests
):
    _open_map(page, live_server.url + "/")
    paths = page.locator(AREA_PATHS)
    for i in range(5):
        d = paths.nth(i).get_attribute("d") or ""
        assert len(d) > 20, "an area path has no geometry"
        assert paths.nth(i).bounding_box()["width"] > 5
    # Every loaded tile image failed (blocked), yet the areas are drawn and clickable.
    assert page.locator(".leaflet-tile-loaded").count() == 0
    assert external_requests.urls, "expected the (blocked) tile requests to be recorded"
    assert external_requests.hosts() == {TILE_HOST}
    assert external_requests.except_tiles() == []
    # All scripts and stylesheets come from the app itself.
    sources = page.evaluate(
        """() => [...document.querySelectorAll('script[src], link[rel=stylesheet]')]
                   .map(e => e.src || e.href)"""
    )
    assert sources and all(s.startswith(live_server.url) for s in sources), sources


def test_screenshots(new_context, live_server, screenshot_dir, external_requests):
    mobile = new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
    ).new_page()
    _open_map(mobile, live_server.url + "/")
    mobile.screenshot(path=screenshot_dir / "resident-mobile.png", full_page=True)

    desktop = new_context(viewport={"width": 1280, "height": 900}).new_page()
    _open_map(desktop, live_server.url + "/")
    desktop.screenshot(path=screenshot_dir / "resident-desktop.png", full_page=True)

    _pin_area(mobile, live_server, "fagerlid-jarn")
    expect(mobile.locator("#pin-status")).to_contain_text("Fagerlid")
    _fill_details(mobile, category="lighting", time_of_day="night")
    _submit(mobile)
    expect(mobile.locator("#receipt-code")).to_be_visible()
    mobile.screenshot(path=screenshot_dir / "receipt-mobile.png", full_page=True)

    for name in ("resident-mobile.png", "resident-desktop.png", "receipt-mobile.png"):
        assert (screenshot_dir / name).stat().st_size > 10_000
    assert external_requests.except_tiles() == [], external_requests.urls


def test_the_not_found_page_is_readable_and_accessible(page, live_server):
    response = page.goto(live_server.url + "/kvitto/AAAA-BBBB-CCCC")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Sidan finns inte.")
    expect(page.locator("a", has_text="Till startsidan")).to_be_visible()
    assert_accessible(page, "404 page")
