"""Real-browser tests of the lägesbild: structure, themes, charts, phone, print and its PDF."""

from __future__ import annotations

import io
from datetime import date, timedelta

import numpy as np
import pypdf
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, serve_tiles
from tests.browser.test_insight_and_staff import log_in

YEAR = {
    "from": (date.today() - timedelta(days=364)).isoformat(),
    "to": date.today().isoformat(),
}
SECTIONS = ("1 Kartläggning", "2 Annan information", "3 Analys", "Källor och begränsningar")
# A year's report is computed once per data version (then reused); on the shared test
# machine the first computation can take longer than the suite's ten seconds.
SLOW_MS = 90_000


def open_report(page, server, query=YEAR):
    page.set_default_timeout(SLOW_MS)
    page.goto(server.url + f"/personal/rapport?from={query['from']}&to={query['to']}")
    for heading in SECTIONS:
        expect(page.locator("h2", has_text=heading)).to_be_visible()


def test_council_member_reads_the_yearly_lagesbild_and_its_pdf(
    page, demo_server, screenshot_dir, tmp_path
):
    import pypdfium2

    log_in(page, demo_server, "bra")
    page.set_default_timeout(SLOW_MS)
    page.click("text=Lägesbild")  # the default period renders
    expect(page.locator("h1")).to_have_text("Lägesbild")
    open_report(page, demo_server)
    # The residents' suggestions as themes with counts and quotes.
    themes = page.locator("#suggestion-themes")
    expect(themes.locator(".themes li").first).to_be_visible()
    expect(themes).to_contain_text("Fler vuxna ute på kvällarna")
    expect(themes.locator("blockquote").first).to_be_visible()
    # Charts drawn on the page, each named for screen readers, with its figures beside it.
    for key in ("trend", "categories", "band-week"):
        chart = page.locator(f"#chart-{key} svg[role=img]")
        expect(chart).to_be_visible()
        assert chart.get_attribute("aria-label")
    expect(page.locator("#report-zone-trends tbody tr").first).to_be_visible()
    expect(page.locator("#analysis li").first).to_contain_text("Otrygga platser")
    expect(page.locator("#sources dt").first).to_have_text("Period")
    assert_accessible(page, "period report as bra")
    page.screenshot(path=screenshot_dir / "report-desktop.png", full_page=True)

    with page.expect_download() as download_info:
        page.click("#pdf-link")
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    for heading in (
        "Lägesbild",
        "1 Kartläggning",
        "2 Annan information",
        "3 Analys",
        "Källor och begränsningar",
        "Invånarnas förslag",
    ):
        assert heading in text, heading
    document = pypdfium2.PdfDocument(str(path))
    for number, name in ((0, "report-pdf-page1.png"), (1, "report-pdf-page2.png")):
        image = document[number].render(scale=1.5).to_pil()
        assert image.size[0] > 800
        # Something is drawn: a good share of the page is not white.
        assert (np.asarray(image.convert("L")) < 200).mean() > 0.01
        image.save(screenshot_dir / name)


def test_municipality_reads_the_report_on_a_phone_without_sideways_scrolling(
    new_context, demo_server, screenshot_dir
):
    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, demo_server, "municipality")
    open_report(page, demo_server)
    expect(page.locator("#suggestion-themes")).to_be_visible()
    expect(page.locator("#figure-form")).to_be_attached()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px wide"
    # Wide tables scroll in their own box, not the page.
    box = page.locator("#report-categories").locator("xpath=..")
    assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert_accessible(page, "period report on a phone as municipality")
    page.screenshot(path=screenshot_dir / "report-mobile.png", full_page=False)


def test_the_printed_report_has_a_labelled_map_without_tiles(
    page, demo_server, screenshot_dir, tmp_path, external_requests
):
    import pypdfium2

    log_in(page, demo_server, "municipality")
    open_report(page, demo_server)
    page.emulate_media(media="print")
    expect(page.locator("#chart-map svg")).to_be_visible()
    # No tile could load: the interactive map would print as an empty box, so it does not.
    expect(page.locator("#report-base-map")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    # The map orients the reader without tiles: area names, named places, scale and north.
    for name in ("Mellerud/Holm", "Bolstad", "Skållerud", "Åsensbruk", "km"):
        assert name in text, name
    assert external_requests.except_tiles() == [], external_requests.urls
    document = pypdfium2.PdfDocument(pdf)
    page_of_map = next(
        i for i, p in enumerate(reader.pages) if "Åsensbruk" in (p.extract_text() or "")
    )
    document[page_of_map].render(scale=1.2).to_pil().save(tmp_path / "print.png")


def _pdf_images(pdf: bytes) -> int:
    return sum(len(p.images) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_printed_report_and_patrol_sheet_have_a_base_map_when_tiles_load(
    page, demo_server, screenshot_dir
):
    import pypdfium2

    serve_tiles(page)
    log_in(page, demo_server, "police")
    open_report(page, demo_server)
    expect(page.locator("#report-base-map img.leaflet-tile-loaded").first).to_be_attached()
    page.emulate_media(media="print")
    # The base map and, for orientation, the labelled map with the places' names.
    expect(page.locator("#report-base-map")).to_be_visible()
    expect(page.locator("#chart-map svg")).to_be_visible()
    expect(page.locator("#report-base-map .leaflet-control-zoom")).to_be_hidden()
    assert _pdf_images(page.pdf(format="A4", print_background=True)) > 0

    page.emulate_media(media="screen")
    page.goto(demo_server.url + "/personal/patrull/utskrift?months=12")
    expect(page.locator("#print-base-map img.leaflet-tile-loaded").first).to_be_attached()
    page.emulate_media(media="print")
    expect(page.locator("#print-base-map")).to_be_visible()
    expect(page.locator("#orientation-map svg")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert _pdf_images(pdf) > 0
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=1.2).to_pil()
    image.save(screenshot_dir / "patrol-print-with-base-map.png")


def test_the_patrol_sheet_without_tiles_prints_its_labelled_map_only(page, demo_server):
    log_in(page, demo_server, "police")
    page.goto(demo_server.url + "/personal/patrull/utskrift?months=12")
    expect(page.locator("#orientation-map svg")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("#print-base-map")).to_be_hidden()
    expect(page.locator("#orientation-map svg")).to_contain_text("Mellerud/Holm")
