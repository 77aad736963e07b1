"""Real-browser tests of the public map and the staff workspace, on the demo data."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import STAFF_PASSWORD, assert_accessible

AREA_PATHS = ".leaflet-overlay-pane path"


def test_public_map_shows_areas_legend_and_filters(page, demo_server, external_requests):
    page.goto(demo_server.url + "/karta")
    expect(page.locator(AREA_PATHS)).to_have_count(5)
    expect(page.locator("#legend")).to_contain_text("antal synpunkter")
    expect(page.locator("#approximate-note")).to_be_visible()
    expect(page.locator(".demo-banner")).to_be_visible()
    rows = page.locator("#area-table tbody tr")
    expect(rows).to_have_count(5)
    before = page.locator("#area-table tbody").inner_text()
    fills_before = [p.get_attribute("fill") for p in page.locator(AREA_PATHS).all()]
    assert_accessible(page, "/karta")

    page.select_option("#category", "lighting")
    page.check("input[name=measure][value=rate]")
    page.click("#apply-filters")
    expect(page.locator("#legend")).to_contain_text("per 1 000 invånare")
    expect(page.locator("#area-table caption")).to_contain_text("belysning")
    assert page.locator("#area-table tbody").inner_text() != before
    fills_after = [p.get_attribute("fill") for p in page.locator(AREA_PATHS).all()]
    assert fills_after != fills_before
    assert external_requests.except_tiles() == [], external_requests.urls

    page.locator(AREA_PATHS).nth(2).click()
    expect(page.locator(".leaflet-popup-content")).to_be_visible()


def test_public_map_screenshot(new_context, demo_server, screenshot_dir):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(demo_server.url + "/karta")
    expect(page.locator(AREA_PATHS)).to_have_count(5)
    page.screenshot(path=screenshot_dir / "karta-desktop.png", full_page=True)


def log_in(page, server, role: str) -> None:
    page.goto(server.url + "/personal/logga-in")
    assert_accessible(page, "login")
    page.fill("#name", f"{role}-browser")
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text(f"{role}-browser")


def test_police_toggles_layers_reads_legend_and_logs_out(page, demo_server, external_requests):
    log_in(page, demo_server, "police")
    page.click("text=Hotspotkarta")
    expect(page.locator("#hotspot-explanation")).to_be_visible()
    page.click("#filter-panel summary")
    page.check("#layer-points")
    page.check("#layer-areas")
    page.uncheck("#layer-density")
    page.select_option("#time_of_day", "night")
    page.click("#apply")
    expect(page.locator(".marker-cluster").first).to_be_visible()
    page.click("#legend summary")
    expect(page.locator("#legend")).to_contain_text("Exakta platser")
    expect(page.locator("#legend")).not_to_contain_text("kvartisk")
    expect(page.locator("#band-week")).to_be_visible()
    assert "time_of_day=night" in page.url
    assert external_requests.except_tiles() == [], external_requests.urls

    page.click("#logout")
    expect(page.locator("h1")).to_contain_text("Logga in")
    page.goto(demo_server.url + "/personal/hotspots")
    assert "/personal/logga-in" in page.url


def test_bra_member_cannot_choose_exact_points(page, demo_server):
    log_in(page, demo_server, "bra")
    page.goto(demo_server.url + "/personal/hotspots?layer=points&layer=hotspots")
    expect(page.locator("#layer-points")).to_have_count(0)
    expect(page.locator(".marker-cluster")).to_have_count(0)
    response = page.request.get(demo_server.url + "/api/v1/reports")
    assert response.status == 403


def test_moderation_queue_and_a_concern(page, demo_server):
    log_in(page, demo_server, "municipality")
    page.click("text=Moderering")
    expect(page.locator("#queue tbody tr").first).to_be_visible()
    assert_accessible(page, "queue")
    page.locator("#queue tbody tr a").first.click()
    expect(page.locator("#history")).to_be_visible()
    assert_accessible(page, "concern")
    page.select_option("#status", "confirmed")
    page.fill("#reason", "granskad i webbläsartest")
    page.click("text=Spara")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#current-status")).to_have_text(re.compile("Bekräftad"))
    expect(page.locator("#history")).to_contain_text("Bekräftad")


def test_admin_reads_the_audit_log(page, demo_server):
    log_in(page, demo_server, "admin")
    page.goto(demo_server.url + "/personal/logg")
    expect(page.locator("#audit")).to_contain_text("login")
    assert_accessible(page, "audit log")


def test_residents_read_the_promise_page(page, demo_server, screenshot_dir):
    page.goto(demo_server.url + "/lofte")
    expect(page.locator("h2", has_text="Medborgarlöfte 2019")).to_be_visible()
    expect(page.locator("#said-did-table tbody tr")).to_have_count(5)
    expect(page.locator(".activity").first).to_contain_text("Uppföljning")
    assert_accessible(page, "/lofte")
    page.screenshot(path=screenshot_dir / "lofte-desktop.png", full_page=True)


def test_municipality_writes_a_promise_an_activity_and_a_follow_up_note(page, demo_server):
    from datetime import date, timedelta

    log_in(page, demo_server, "municipality")
    page.click("text=Medborgarlöften och åtgärdsplaner")
    expect(page.locator("#promise-list li").first).to_be_visible()
    assert_accessible(page, "promises")
    page.fill("#p-title", "Medborgarlöfte från webbläsartest")
    page.fill("#p-focus_areas", "Trygga stråk")
    page.check("input[name=published]")
    page.click("text=Spara löftet")
    expect(page.locator("h1")).to_have_text("Medborgarlöfte från webbläsartest")
    assert_accessible(page, "one promise")

    page.fill("#a-title", "Belysning längs Storgatan")
    page.select_option("#a-responsible", "municipality")
    page.check("#a-area_ids input[value=mellerud-holm]")
    page.check("#a-categories input[value=lighting]")
    page.fill("#a-start_on", (date.today() - timedelta(days=60)).isoformat())
    page.click("text=Spara aktiviteten")
    expect(page.locator("h1")).to_have_text("Belysning längs Storgatan")
    expect(page.locator("#followup-text")).not_to_be_empty()
    page.fill("#note", "Tio nya lampor uppsatta.")
    page.click("text=Lägg till anteckning")
    expect(page.locator("#notes")).to_contain_text("Tio nya lampor uppsatta.")
    assert_accessible(page, "activity")

    page.goto(demo_server.url + "/lofte")
    expect(page.locator("h2", has_text="Medborgarlöfte från webbläsartest")).to_be_visible()


def test_admin_sees_the_area_layer_in_use(page, demo_server):
    log_in(page, demo_server, "admin")
    page.click("text=Områdesindelning")
    expect(page.locator("#active-layer")).to_contain_text("valdistrikt")
    expect(page.locator("#active-layer")).to_contain_text("5")
    assert_accessible(page, "area layers")
