"""Names from an imported boundary file are text in every map, never markup or script."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from playwright.sync_api import expect

from geoservice.core.privacy.periods import latest_published
from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Report
from geoservice.web.insight import local_today
from tests.browser.conftest import _serve, assert_accessible

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "boundaries"
# Markup that would load an image, make a link, or run code inside a template literal.
HOSTILE = {
    "bolstad": '<img src="x" onerror="window.__pwned=1">Bolstad',
    "fagerlid-jarn": '<a href="https://example.org/">Fagerlid</a>',
    "mellerud-holm": "Holm ${window.__pwned=2} `</b>",
    "rostock-dalskog-or": "<script>window.__pwned=3</script>Rostock",
    "skallerud": "Skållerud & <b>co</b>",
}
AREA_PATHS = ".leaflet-overlay-pane path"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-names")
    for server in _serve(base):
        areas = gpd.read_file(SHIPPED / "mellerud_valdistrikt_2022.geojson")
        areas["name"] = areas["id"].map(HOSTILE)
        path = base / "hostile.geojson"
        areas.to_file(path, driver="GeoJSON")
        result = server.app.test_cli_runner().invoke(args=["import-boundaries", str(path)])
        assert result.exit_code == 0, result.output
        month = latest_published(local_today())
        with session_scope(server.app) as session:
            for i in range(7):
                session.add(
                    Report(
                        lat=58.70,
                        lon=12.45,
                        area_id="mellerud-holm",
                        category="drugs",
                        client_key=f"c{i}",
                        created_at=datetime(month.year, month.month, 10, 12, tzinfo=UTC),
                    )
                )
            bump_version(session)
        yield server


def _no_markup_ran(page) -> None:
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator('a[href="https://example.org/"]').count() == 0


def _hover_each_area(page) -> list[str]:
    shown = []
    for i in range(page.locator(AREA_PATHS).count()):
        page.locator(AREA_PATHS).nth(i).hover(force=True)
        tip = page.locator(".leaflet-tooltip").last
        expect(tip).to_be_visible()
        assert tip.locator("img, a, b, script").count() == 0
        shown.append(tip.inner_text())
    return shown


def test_the_public_map_shows_imported_names_as_text(page, hostile_server):
    page.goto(hostile_server.url + "/karta")
    expect(page.locator(AREA_PATHS)).to_have_count(5)
    shown = " ".join(_hover_each_area(page))
    for name in HOSTILE.values():
        assert name in shown, (name, shown)
    page.locator(AREA_PATHS).nth(2).click(force=True)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    assert popup.locator("img, a, b, script").count() == 0
    assert any(name in popup.inner_text() for name in HOSTILE.values())
    expect(page.locator("#area-table")).to_contain_text(HOSTILE["skallerud"])
    _no_markup_ran(page)
    assert_accessible(page, "/karta with hostile names")


def test_the_resident_map_and_the_promise_page_show_names_as_text(page, hostile_server):
    page.goto(hostile_server.url + "/")
    expect(page.locator(AREA_PATHS)).to_have_count(5)
    shown = " ".join(_hover_each_area(page))
    for name in HOSTILE.values():
        assert name in shown, (name, shown)
    _no_markup_ran(page)
    page.goto(hostile_server.url + "/lofte")
    expect(page.locator("#said-did-table")).to_contain_text(HOSTILE["bolstad"])
    _no_markup_ran(page)
