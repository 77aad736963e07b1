"""Real-browser tests: a partner reports on a phone, a safety walk is recorded and published.

At phone size (390×844) with touch: the partner's event form, the walk's recording page and
the public protocol page pass axe-core (WCAG 2.1 AA), do not scroll sideways, and ask no
third-party host for anything but base-map tiles. Screenshots for the README.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from geoservice.core.typography import LOCAL_ZONE
from tests.browser.conftest import STAFF_PASSWORD, _serve, assert_accessible

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture(scope="module")
def partner_server(tmp_path_factory):
    """A server with a partner of Mellerudsbostäder and a municipality coordinator."""
    from geoservice.store.accounts import create_user
    from geoservice.store.db import session_scope

    for server in _serve(tmp_path_factory.mktemp("browser-partners")):
        with session_scope(server.app) as session:
            create_user(
                session, "vaktis", "partner", STAFF_PASSWORD, organisation="Mellerudsbostäder"
            )
            create_user(session, "samordnare", "municipality", STAFF_PASSWORD)
        yield server


def log_in(page, server, name: str) -> None:
    page.goto(server.url + "/personal/logga-in")
    page.fill("#name", name)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def click_town(page) -> None:
    """Tap the map on Mellerud town centre."""
    page.wait_for_function("() => window.trygghetskartan && window.trygghetskartan.map")
    x, y = page.evaluate(
        """() => {
            const m = window.trygghetskartan.map;
            // Street level: a tap there places the pin at once (below it asks to confirm).
            m.setView([58.7005, 12.4535], 16, {animate: false});
            const p = m.latLngToContainerPoint([58.7005, 12.4535]);
            return [p.x, p.y];
        }"""
    )
    page.locator("div.folium-map").click(position={"x": round(x), "y": round(y)})


def test_a_caretaker_reports_last_nights_graffiti_on_a_phone(
    new_context, partner_server, screenshot_dir, external_requests
):
    page = new_context(**PHONE).new_page()
    log_in(page, partner_server, "vaktis")
    expect(page.locator("h1")).to_have_text("Rapportera händelse")
    expect(page.locator("main")).to_contain_text("Mellerudsbostäder")
    assert_accessible(page, "partner event form (phone)")
    no_sideways_scroll(page)

    started = time.monotonic()
    click_town(page)
    expect(page.locator("#e0-pin")).to_contain_text("Plats markerad")
    yesterday = (datetime.now(LOCAL_ZONE) - timedelta(days=1)).date().isoformat()
    page.fill("#e0-date", yesterday)
    page.fill("#e0-time", "23:10")
    page.get_by_label("Klotter").check()
    page.fill("#e0-description", "Klotter på gaveln, Storgatan 4")
    page.screenshot(path=screenshot_dir / "partner-event-mobile.png", full_page=True)
    page.click("#send-events")
    expect(page.locator("#saved")).to_contain_text("Händelsen är sparad")
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    rows = partner_server.rows("SELECT organisation, types, area_id FROM event_reports")
    assert [tuple(r) for r in rows] == [("Mellerudsbostäder", "graffiti", "mellerud-holm")]
    expect(page.locator("main")).to_contain_text("Klotter på gaveln")
    assert_accessible(page, "partner's own reports (phone)")
    no_sideways_scroll(page)
    assert external_requests.except_tiles() == [], external_requests.urls


def test_a_bad_event_is_explained_by_its_fields_in_the_browser(new_context, partner_server):
    page = new_context(**PHONE).new_page()
    log_in(page, partner_server, "vaktis")
    page.fill("#e0-date", "")
    page.click("#send-events")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Markera platsen på kartan")
    expect(summary).to_contain_text("Välj minst en typ")
    assert_accessible(page, "partner form with errors")


def _photo() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Anna Andersson"
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (40, 60, 120)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_walk_recorded_on_a_phone_is_published_with_its_protocol(
    new_context, partner_server, screenshot_dir, external_requests
):
    page = new_context(**PHONE).new_page()
    log_in(page, partner_server, "samordnare")
    page.goto(partner_server.url + "/personal/vandringar/ny")
    # Tap three points of central Mellerud where the map shows them now (not at offsets
    # from a box measured before the map had its final size and view).
    points = page.evaluate(
        """() => {
            const map = window[document.querySelector("div.folium-map").id];
            map.setView([58.7005, 12.4535], 15, {animate: false});
            return [[58.7008, 12.4510], [58.7005, 12.4535], [58.7000, 12.4560]].map(
                (p) => map.latLngToContainerPoint(p));
        }"""
    )
    for point in points:
        page.locator("div.folium-map").click(position={"x": point["x"], "y": point["y"]})
    expect(page.locator("#route-status")).to_contain_text("3 punkter")
    page.fill("#title", "Kvällsvandring Centrum")
    page.fill(
        "#participants", "Polisen\nKommunen\nMellerudsbostäder\nBoende i området (4 personer)"
    )
    assert_accessible(page, "walk planning (phone)")
    page.click("#save-walk")
    page.wait_for_load_state()
    # A refused plan says why; show it rather than only "wrong heading".
    assert not page.locator(".error-summary, .field-error").all_inner_texts(), page.locator(
        "main"
    ).inner_text()[:600]
    expect(page.locator("h1")).to_have_text("Kvällsvandring Centrum")
    assert_accessible(page, "walk recording (phone)")
    no_sideways_scroll(page)
    click_town(page)
    page.select_option("#category", "lighting")
    page.fill("#note", "Trasig lampa vid gångtunneln")
    page.set_input_files(
        "#photo", files=[{"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.screenshot(path=screenshot_dir / "walk-recording-mobile.png", full_page=True)
    page.click("#save-observation")
    expect(page.locator("#saved")).to_be_visible()
    (row,) = partner_server.rows("SELECT id, photo FROM walk_observations")
    assert b"Anna" not in row["photo"] and b"Exif" not in row["photo"]

    page.click("text=Till protokollet")
    obs = row["id"]
    page.fill(f"#action-{obs}", "Byta armatur i gångtunneln")
    page.select_option(f"#owner-{obs}", "municipality")
    page.fill(
        f"#deadline-{obs}", (datetime.now(LOCAL_ZONE) + timedelta(days=30)).date().isoformat()
    )
    page.select_option(f"#status-{obs}", "in_progress")
    page.locator(f"#observation-{obs} button[type=submit]").click()
    expect(page.locator(f"#observation-{obs}")).to_contain_text("Åtgärden är sparad")
    page.click("#publish")
    expect(page.locator("#public-link")).to_be_visible()

    public = new_context(**PHONE).new_page()
    public.goto(partner_server.url + "/trygghetsvandringar/")
    public.click("text=Kvällsvandring Centrum")
    expect(public.locator("#protocol")).to_contain_text("Byta armatur i gångtunneln")
    expect(public.locator("#protocol")).to_contain_text("Pågår")
    expect(public.locator("main")).not_to_contain_text("Trasig lampa")
    assert public.locator("main img:not(.leaflet-tile)").count() == 0  # no photo
    assert_accessible(public, "public walk protocol (phone)")
    no_sideways_scroll(public)
    public.screenshot(path=screenshot_dir / "walk-protocol-mobile.png", full_page=True)
    assert external_requests.except_tiles() == [], external_requests.urls


def test_the_weekly_lagesbild_and_measures_screenshots(
    new_context, partner_server, screenshot_dir, external_requests
):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, partner_server, "samordnare")
    page.goto(partner_server.url + "/personal/lagesbild/vecka")
    expect(page.locator("#weekly-totals")).to_be_visible()
    assert_accessible(page, "weekly lägesbild")
    page.screenshot(path=screenshot_dir / "lagesbild-desktop.png", full_page=True)
    page.goto(partner_server.url + "/personal/atgarder")
    assert_accessible(page, "measures")
    page.goto(partner_server.url + "/personal/prioritering")
    expect(page.locator("#tertial-ranking")).to_be_visible()
    assert_accessible(page, "tertial")
    assert external_requests.except_tiles() == [], external_requests.urls
