"""A resident's trust (issue 15) in a real browser at phone size (390×844).

Submit → Back → Submit stores one concern; the pin is placed at street level, can be
dragged, and a place outside the municipality is refused at once; a safe place has its
own reasons; without JavaScript the page says what it can do; the receipt tells the
truth; the public map reads right. axe-core checks every page touched here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geoservice.core.categories import CATEGORIES, SAFE_REASONS
from geoservice.maps.choropleth import HIDDEN_COLOUR
from geoservice.maps.report_map import STREET_ZOOM

from .conftest import assert_accessible, assert_accessible_without_js
from .test_resident_pages import (
    _click_map,
    _fill_details,
    _layer,
    _open_map,
    _pin_area,
    _pixel,
    _receipt_from_url,
    _submit,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(new_context):
    return new_context(**PHONE).new_page()


def _zoom(page) -> float:
    return page.evaluate("() => window.trygghetskartan.map.getZoom()")


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"


def test_submit_back_submit_stores_one_concern(phone, live_server):
    before = live_server.report_count()
    _open_map(phone, live_server.url + "/")
    key = phone.input_value("#idempotency_key")
    _pin_area(phone, live_server, "mellerud-holm")
    _fill_details(phone)
    _submit(phone)
    first = _receipt_from_url(phone)

    phone.go_back()
    expect(phone.locator("#report-form")).to_be_visible()
    # The history entry keeps its key, whether the page came from the cache or anew.
    expect(phone.locator("#idempotency_key")).to_have_value(key)
    if not phone.input_value("#lat"):  # reloaded anew: the same answers again
        _open_map(phone, phone.url)
        _pin_area(phone, live_server, "mellerud-holm")
        _fill_details(phone)
    _submit(phone)
    assert _receipt_from_url(phone) == first
    assert live_server.report_count() == before + 1

    # A reload of the form after sending keeps the key too; a fresh visit gets a new one.
    phone.go_back()
    phone.reload()
    expect(phone.locator("#idempotency_key")).to_have_value(key)
    phone.goto(live_server.url + "/karta")
    phone.goto(live_server.url + "/")
    assert phone.input_value("#idempotency_key") != key


def test_a_double_tap_on_send_stores_one_concern(phone, live_server):
    before = live_server.report_count()
    _open_map(phone, live_server.url + "/")
    _pin_area(phone, live_server, "bolstad")
    _fill_details(phone, category="drugs", time_of_day="night")
    phone.locator("#submit-report").dblclick()
    expect(phone.locator("#receipt-code")).to_be_visible()
    assert live_server.report_count() == before + 1


def test_the_pin_is_placed_at_street_level_and_can_be_dragged(phone, live_server):
    _open_map(phone, live_server.url + "/")
    assert _zoom(phone) < STREET_ZOOM
    centre = phone.locator("#use-centre")
    expect(centre).to_be_disabled()  # the centre of a whole municipality is no place
    expect(phone.locator("#centre-hint")).to_be_visible()

    lon, lat = _layer(live_server).area_point("mellerud-holm")
    x, y = (round(v) for v in _pixel(phone, lat, lon))
    _click_map(phone, x, y)
    # The first tap only zooms in and asks to confirm; nothing is placed yet.
    phone.wait_for_function(f"() => window.trygghetskartan.map.getZoom() >= {STREET_ZOOM}")
    expect(phone.locator("#pin-status")).to_contain_text("gatunivå")
    expect(phone.locator("#lat")).to_have_value("")
    confirm = phone.get_by_role("button", name="Bekräfta platsen")
    expect(confirm).to_be_visible()
    assert_accessible(phone, "/ asking to confirm the pin")
    confirm.click()
    expect(phone.locator("#pin-status")).to_contain_text("Mellerud/Holm")
    expect(confirm).to_be_hidden()
    placed = float(phone.input_value("#lat")), float(phone.input_value("#lon"))

    # At street level the map centre can be marked.
    expect(centre).to_be_enabled()
    phone.evaluate("() => window.trygghetskartan.map.panBy([60, 40], {animate: false})")
    centre.click()
    centred = float(phone.input_value("#lat")), float(phone.input_value("#lon"))
    assert centred != placed

    # The pin can be dragged.
    box = phone.locator(".pin-icon").bounding_box()
    sx, sy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    phone.mouse.move(sx, sy)
    phone.mouse.down()
    phone.mouse.move(sx + 30, sy + 50, steps=8)
    phone.mouse.up()
    expect(phone.locator("#lat")).not_to_have_value(f"{centred[0]:.6f}")
    dragged = float(phone.input_value("#lat"))
    assert dragged < centred[0]  # moved down the screen: south

    # A tap outside the municipality says the earlier pin was kept.
    minx, miny, maxx, maxy = _layer(live_server).outline.total_bounds
    olat, olon = (miny + maxy) / 2, minx - 0.05
    assert _layer(live_server).locate(olon, olat) is None
    phone.evaluate(
        "([lat, lon]) => window.trygghetskartan.map.setView([lat, lon], 12, {animate: false})",
        [olat, olon],
    )
    ox, oy = (round(v) for v in _pixel(phone, olat, olon))
    _click_map(phone, ox, oy)
    expect(phone.locator("#pin-status")).to_contain_text("tidigare markering finns kvar")
    assert float(phone.input_value("#lat")) == dragged
    _no_sideways_scroll(phone)


@pytest.mark.parametrize(
    ("where", "accuracy", "said"),
    [((59.3293, 18.0686), 30, "utanför"), ((58.7005, 12.4535), 30, "inom 30 m")],
    ids=["outside", "inside"],
)
def test_my_position_is_checked_at_once_and_its_accuracy_shown(
    new_context, live_server, where, accuracy, said
):
    context = new_context(
        **PHONE,
        geolocation={"latitude": where[0], "longitude": where[1], "accuracy": accuracy},
        permissions=["geolocation"],
    )
    page = context.new_page()
    _open_map(page, live_server.url + "/")
    page.get_by_role("button", name="Använd min position").click()
    expect(page.locator("#pin-status")).to_contain_text(said)
    if said == "utanför":
        expect(page.locator("#lat")).to_have_value("")
        expect(page.locator(".pin-icon")).to_have_count(0)  # no pin where none was placed
    else:
        assert abs(float(page.input_value("#lat")) - where[0]) < 1e-6
        expect(page.locator(".pin-icon")).to_have_count(1)
        assert _zoom(page) >= STREET_ZOOM


def test_a_safe_place_is_given_its_own_reasons(phone, live_server):
    _open_map(phone, live_server.url + "/")
    options = phone.locator("#category option")
    unsafe_labels = [c.label_sv for c in CATEGORIES]
    assert options.all_inner_texts()[1:] == unsafe_labels
    phone.check("input[name=kind][value=safe]")
    expect(phone.locator("#category-label")).to_have_text("3. Varför känns platsen trygg?")
    assert options.all_inner_texts()[1:] == [r.label_sv for r in SAFE_REASONS]
    assert_accessible(phone, "/ with a safe place")
    _pin_area(phone, live_server, "skallerud")
    phone.select_option("#category", "safe_people")
    phone.check("input[name=time_of_day][value=evening]")
    _submit(phone)
    receipt = _receipt_from_url(phone)
    row = live_server.report(receipt)
    assert (row["kind"], row["category"]) == ("safe", "safe_people")
    expect(phone.locator("#stored-category")).to_have_text("Folk i rörelse")
    expect(phone.locator("#stored-kind")).to_have_text("Trygg")

    # Back to unsafe: the unsafe list again, the safe reason no longer chosen.
    phone.goto(live_server.url + "/")
    phone.check("input[name=kind][value=safe]")
    phone.select_option("#category", "safe_lighting")
    phone.check("input[name=kind][value=unsafe]")
    assert options.all_inner_texts()[1:] == unsafe_labels
    assert phone.input_value("#category") == ""


def test_without_javascript_the_page_offers_an_area_and_words(
    new_context, live_server, external_requests
):
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    page.goto(live_server.url + "/")
    hint = page.locator("#nojs-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Välj området i listan")
    expect(page.locator("#map-hint")).to_be_hidden()
    expect(page.locator("#use-location")).to_be_hidden()
    expect(page.locator("#place_note")).to_be_visible()
    _no_sideways_scroll(page)
    assert_accessible_without_js(new_context, page, "/ on a phone without JavaScript")

    page.select_option("#area_id", "fagerlid-jarn")
    page.fill("#place_note", "Busshållplatsen vid skolan")
    page.select_option("#category", "disorder")
    page.check("input[name=time_of_day][value=night]")
    _submit(page)
    receipt = _receipt_from_url(page)
    row = live_server.report(receipt)
    assert (row["precision"], row["place_note"]) == ("area", "Busshållplatsen vid skolan")
    expect(page.locator("#stored-place_note")).to_have_text("Busshållplatsen vid skolan")
    assert external_requests.except_tiles() == [], external_requests.urls


def test_the_receipt_tells_the_truth(phone, live_server):
    _open_map(phone, live_server.url + "/")
    _pin_area(phone, live_server, "rostock-dalskog-or")
    _fill_details(phone, category="traffic", time_of_day="day")
    phone.check("input[name=weekend][value=weekday]")
    phone.locator("details.optional summary").click()
    phone.select_option("#role", "visitor")
    phone.select_option("#age_band", "65_plus")
    _submit(phone)
    receipt = _receipt_from_url(phone)

    who = phone.locator("#who-sees li")
    expect(who).to_have_count(4)
    expect(who.nth(0)).to_contain_text("Aldrig punkten")
    expect(who.nth(1)).to_contain_text("den exakta punkten, texterna")
    expect(who.nth(2)).to_contain_text("zoner och teman")
    expect(phone.locator("#stored-weekend")).to_have_text("Vardag")
    expect(phone.locator("#stored-role")).to_have_text("Besökare")
    expect(phone.locator("#stored-age_band")).to_have_text("65 eller äldre")
    expect(phone.locator("#stored-place")).to_contain_text("En punkt på kartan: 58,")
    expect(phone.locator("#retention li").first).to_contain_text("365 dagar")
    expect(phone.get_by_text("Ingen annan kan se synpunkten som en enskild punkt")).to_have_count(0)
    expect(phone.locator("#receipt-code")).to_have_text(receipt)
    _no_sideways_scroll(phone)
    assert_accessible(phone, "receipt page on a phone")

    phone.goto(live_server.url + "/kvitto")
    phone.fill("#kod", receipt.lower().replace("-", " "))
    phone.get_by_role("button", name="Visa").click()
    expect(phone.locator("#stored-role")).to_have_text("Besökare")
    assert_accessible(phone, "receipt page opened by lookup")


def test_the_public_map_reads_right_on_a_phone(new_context, demo_server):
    page = new_context(**PHONE).new_page()
    page.goto(demo_server.url + "/karta")
    map_box = page.locator("#area-map").bounding_box()
    filters = page.locator("#map-filters").bounding_box()
    assert map_box["y"] < filters["y"], "the map should come before the filter form"
    _no_sideways_scroll(page)

    # Legend classes follow on without overlapping: 0–40, 41–80 ...
    labels = page.locator("#legend li").all_inner_texts()[:-1]
    ranges = [[int(n.replace("\u00a0", "")) for n in re.findall(r"[\d\u00a0]+", t)] for t in labels]
    for (_, high), (low, _) in zip(ranges, ranges[1:], strict=False):
        assert low == high + 1, labels
    # The hidden swatch is the map's grey.
    swatch = page.locator("#legend .swatch-hidden")
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(189, 189, 189)"
    assert HIDDEN_COLOUR == "#bdbdbd"

    # The total row: a count (or "minst ...") and its rate per 1 000, Swedish style.
    total = page.locator("#municipality-row td")
    expect(total.nth(2)).not_to_be_empty()
    assert re.fullmatch(r"(minst )?\d+,\d", total.nth(2).inner_text()), total.nth(2).inner_text()
    assert re.fullmatch(r"\d{1,3}(\u00a0\d{3})*", total.nth(0).inner_text())

    # A popup opened near the top left keeps clear of the zoom buttons.
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    paths.first.click(force=True)
    popup = page.locator(".leaflet-popup-content-wrapper")
    expect(popup).to_be_visible()
    page.wait_for_timeout(400)  # the map pans the popup into view
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    box = popup.bounding_box()
    overlap = not (
        box["x"] > zoom["x"] + zoom["width"]
        or box["x"] + box["width"] < zoom["x"]
        or box["y"] > zoom["y"] + zoom["height"]
        or box["y"] + box["height"] < zoom["y"]
    )
    assert not overlap, (box, zoom)
    # Categories by count, the most common first.
    rows = popup.locator("table.mix tr").all_inner_texts()[2:]
    counts = [int(r.split("\t")[-1].replace("\u00a0", "")) for r in rows if "dolt" not in r]
    assert counts == sorted(counts, reverse=True), rows
    assert_accessible(page, "/karta on a phone")

    # Count or rate acts at once: no button to press.
    page.get_by_role("radio", name="Per 1 000 invånare").check()
    expect(page).to_have_url(re.compile(r"measure=rate"))
    expect(page.locator("#legend-heading")).to_contain_text("per 1 000 invånare")
    assert_accessible(page, "/karta?measure=rate on a phone")
