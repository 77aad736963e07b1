"""The hotspot page and the patrol page in a real browser, on a phone and on a desktop.

Phone: 390 × 844, no sideways scroll, the map before the long forms, filters folded behind
one button, zones and stops as cards. Desktop: 1366 × 900, the map visible without
scrolling. axe-core finds no serious or critical WCAG 2.1 AA violation. The README's
hotspot and patrol screenshots are taken here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import STAFF_PASSWORD, assert_accessible

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def log_in(page, server, role: str) -> None:
    page.goto(server.url + "/personal/logga-in")
    page.fill("#name", f"{role}-browser")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"{role}-browser")


def no_sideways_scroll(page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"


def top_of(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["y"]


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_hotspot_page_lists_named_zones_map_first(
    new_context, demo_server, screenshot_dir, external_requests, size
):
    viewport = PHONE if size == "phone" else DESKTOP
    page = new_context(viewport=viewport).new_page()
    log_in(page, demo_server, "police")
    page.goto(demo_server.url + "/personal/hotspots?from=" + _year_ago(demo_server))
    expect(page.locator("#hotspot-explanation")).to_be_visible()
    expect(page.locator("#hot-zones .zone-card").first).to_be_visible()
    names = page.locator("#hot-zones .zone-card h3").all_inner_texts()
    assert 1 <= len(names) <= 12, names
    assert not any("8a08" in n for n in names)
    # The filters are folded behind one button; the map comes before the zone list.
    expect(page.locator("#hotspot-filters")).to_be_hidden()
    assert top_of(page, ".map-box") < top_of(page, "#hot-zones")
    box = page.locator(".map-box").bounding_box()
    if size == "desktop":
        assert box["y"] + box["height"] / 2 < DESKTOP["height"], "map not visible unscrolled"
    else:
        assert box["y"] < PHONE["height"], "map below the first screen"
    no_sideways_scroll(page)
    assert page.locator(".leaflet-overlay-pane path").count() > 5
    assert_accessible(page, f"hotspots {size}")

    page.click("#filter-panel summary")
    expect(page.locator("#hotspot-filters")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page, f"hotspots {size}, filters open")
    page.click("#filter-panel summary")
    name = "hotspots-desktop.png" if size == "desktop" else "hotspots-mobile.png"
    page.screenshot(path=screenshot_dir / name, full_page=size == "desktop")
    assert external_requests.except_tiles() == [], external_requests.urls


def test_hotspot_filter_errors_are_plain_swedish_in_the_browser(page, demo_server):
    log_in(page, demo_server, "police")
    page.goto(demo_server.url + "/personal/hotspots?from=2026-13-01")
    expect(page.locator("#hotspot-filters")).to_be_visible()  # opened to show the problem
    expect(page.locator(".error-summary")).to_contain_text("Från: Skriv datumet som ÅÅÅÅ-MM-DD")
    expect(page.locator("#from")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "hotspots with an error")


def test_bra_sees_zones_without_small_counts(new_context, demo_server):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, demo_server, "bra")
    page.goto(demo_server.url + "/personal/hotspots?from=" + _year_ago(demo_server))
    expect(page.locator("#hidden-note")).to_be_visible()
    expect(page.locator("#layer-points")).to_have_count(0)
    assert_accessible(page, "hotspots for bra")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_patrol_page_stops_are_cards_a_thumb_can_follow(
    new_context, demo_server, screenshot_dir, tmp_path, size
):
    import gpxpy

    viewport = PHONE if size == "phone" else DESKTOP
    page = new_context(viewport=viewport).new_page()
    log_in(page, demo_server, "police")
    page.click("text=Patrullplan")
    expect(page.locator("#plan-summary")).to_contain_text("senaste 12 mån")
    expect(page.locator("#patrol-form")).to_be_hidden()
    page.click("#filter-panel summary")
    page.select_option("#weekday", "weekend")
    page.fill("#from_hour", "20")
    page.fill("#to_hour", "2")
    page.fill("#stops", "5")
    page.click("#make-plan")
    expect(page.locator("#plan-explanation")).to_be_visible()
    cards = page.locator("#stop-list .stop-card")
    expect(cards.first).to_be_visible()
    assert 1 <= cards.count() <= 5
    expect(page.locator(".stop-number")).to_have_count(cards.count())
    titles = cards.locator("h3").all_inner_texts()
    assert len(set(titles)) == len(titles) and not any("8a08" in t for t in titles)
    assert top_of(page, ".map-box") < top_of(page, "#stop-list")
    box = page.locator(".map-box").bounding_box()
    if size == "desktop":
        assert box["y"] + box["height"] / 2 < DESKTOP["height"]
    no_sideways_scroll(page)
    # A thumb-sized card: the stop number and name are big enough to tap and read.
    card = cards.first.bounding_box()
    assert card["width"] >= 300 if size == "phone" else card["width"] >= 280
    assert_accessible(page, f"patrol plan {size}")
    name = "patrol-desktop.png" if size == "desktop" else "patrol-mobile.png"
    page.screenshot(path=screenshot_dir / name, full_page=size == "desktop")
    if size == "phone":
        return

    with page.expect_download() as download_info:
        page.click("#gpx-link")
    path = tmp_path / "plan.gpx"
    download_info.value.save_as(path)
    gpx = gpxpy.parse(path.read_text(encoding="utf-8"))
    assert len(gpx.waypoints) == cards.count()

    page.click("#print-link")
    svg = page.locator("#orientation-map svg.patrol-svg")
    expect(svg).to_be_visible()
    expect(svg).to_contain_text("Mellerud/Holm")
    expect(page.locator("#stop-list .stop-card")).to_have_count(cards.count())
    assert_accessible(page, "patrol print view")
    page.emulate_media(media="print")
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_patrol_form_errors_are_plain_swedish(new_context, demo_server):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, demo_server, "police")
    page.goto(demo_server.url + "/personal/patrull?from_hour=25&stops=0")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Från klockan: Skriv en hel timme från 0 till 23")
    expect(summary).to_contain_text("Antal stopp: Skriv ett antal från 1 till 12.")
    expect(page.locator("#from_hour")).to_have_attribute("aria-invalid", "true")
    no_sideways_scroll(page)
    assert_accessible(page, "patrol form with errors")


def _year_ago(server) -> str:
    from datetime import date, timedelta

    return (date.today() - timedelta(days=364)).isoformat()
