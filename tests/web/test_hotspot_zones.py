"""One set of numbers: page, API and exports show the same cells, zones and counts.

Also: zones carry gazetteer names, the previous period is the previous period, and the bra
role sees no count from 1 to k−1 at cell level.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Report

STATION = (58.7012, 12.4620)
TOWN = (58.7005, 12.4535)


def add(session, lat, lon, *, days_ago, client, category="drugs", band="night", weekend=True):
    session.add(
        Report(
            lat=lat,
            lon=lon,
            category=category,
            time_of_day=band,
            weekend=weekend,
            area_id="mellerud-holm",
            created_at=datetime.now(UTC) - timedelta(days=days_ago, hours=2),
            client_key=client,
        )
    )


def seed(app, *, cluster=45, previous_cluster=12, seed=5):
    rng = np.random.default_rng(seed)
    with session_scope(app) as session:
        for period, offset in (("now", 0), ("prev", 90)):
            for i in range(350):
                add(
                    session,
                    TOWN[0] + rng.uniform(-0.009, 0.009),
                    TOWN[1] + rng.uniform(-0.017, 0.017),
                    days_ago=offset + int(rng.integers(1, 85)),
                    client=f"{period}-bg{i}",
                    category=str(rng.choice(["traffic", "lighting", "theft"])),
                    band=str(rng.choice(["day", "evening", "night"])),
                    weekend=bool(rng.integers(0, 2)),
                )
            n = cluster if period == "now" else previous_cluster
            for i in range(n):
                add(
                    session,
                    STATION[0] + rng.normal(0, 0.0004),
                    STATION[1] + rng.normal(0, 0.0007),
                    days_ago=offset + int(rng.integers(1, 85)),
                    client=f"{period}-st{i}",
                )
        bump_version(session)


def zone_cards(page: str) -> list[tuple[str, int]]:
    cards = re.findall(
        r'<li class="zone-card" id="([^"]+)">.*?<dd class="zone-voices">([\d\s\u00a0]+)</dd>',
        page,
        re.S,
    )
    return [(zid, int(re.sub(r"\D", "", n))) for zid, n in cards]


def test_page_api_and_exports_show_the_same_cells_zones_and_counts(app, client, login):
    seed(app)
    login("police")
    query = {"weekend": "true"}
    api = client.get("/api/v1/hotspots", query_string=query).get_json()
    page = client.get("/personal/hotspots", query_string=query).get_data(as_text=True)
    geo = json.loads(
        client.get("/personal/hotspots/hotspots.geojson", query_string=query).get_data()
    )
    zones_csv = list(
        csv.DictReader(
            io.StringIO(
                client.get("/personal/hotspots/zoner.csv", query_string=query)
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    cells_csv = list(
        csv.DictReader(
            io.StringIO(
                client.get("/personal/hotspots/rutor.csv", query_string=query)
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )

    api_zones = [(f["id"], f["properties"]["voices"]) for f in api["zones"]["features"]]
    assert api_zones, "the planted cluster should make a zone"
    assert zone_cards(page) == api_zones
    assert [(f["id"], f["properties"]["voices"]) for f in geo["zones"]["features"]] == api_zones
    assert [(r["id"], int(r["voices"])) for r in zones_csv] == api_zones

    api_cells = {f["properties"]["cell"]: f["properties"] for f in api["features"]}
    assert {r["cell"]: int(r["count"]) for r in cells_csv} == {
        c: p["count"] for c, p in api_cells.items()
    }
    assert {r["cell"]: r["hotspot_class"] for r in cells_csv} == {
        c: p["hotspot_class"] for c, p in api_cells.items()
    }
    assert geo["features"] == api["features"]
    # Each zone's voices are the sum of its cells' counts, in every output.
    for feature in api["zones"]["features"]:
        props = feature["properties"]
        assert props["voices"] == sum(api_cells[c]["count"] for c in props["cells"])


def test_zones_are_named_and_compare_with_the_previous_period(app, client, login):
    seed(app)
    login("police")
    api = client.get("/api/v1/hotspots").get_json()
    names = [f["properties"]["name"] for f in api["zones"]["features"]]
    assert "vid Resecentrum" in names
    station = api["zones"]["features"][names.index("vid Resecentrum")]["properties"]
    assert station["previous_voices"] < station["voices"]
    assert station["trend"] == "up"
    assert station["change"] == station["voices"] - station["previous_voices"]
    # The previous period is the 90 days before the 90 days of the filter.
    assert api["previous_period"]["to"] < api["filter"]["from"]
    page = client.get("/personal/hotspots").get_data(as_text=True)
    assert "vid Resecentrum" in page
    card = page.split('id="hot-zones"')[1].split("zone-detail")[0]
    assert "8a08" not in re.sub(r"<[^>]+>", "", card)  # H3 ids only in the detail
    # The area table's previous column is not all zero any more.
    table = page.split('id="staff-areas"')[1].split("</table>")[0]
    previous = [int(re.sub(r"\D", "", m)) for m in re.findall(r"<td>([^<]*)</td></tr>", table)]
    assert sum(previous) > 0


def test_the_town_is_not_painted_hot(app, client, login):
    seed(app)
    login("police")
    api = client.get("/api/v1/hotspots").get_json()
    hot = [f for f in api["features"] if f["properties"]["hotspot_class"].startswith("hot")]
    with_data = [f for f in api["features"] if (f["properties"]["count"] or 0) > 0]
    assert len(hot) <= 0.1 * len(with_data)
    assert api["n_zones"] <= 3


@pytest.mark.parametrize("path", ["/api/v1/hotspots", "/personal/hotspots/rutor.csv"])
def test_bra_sees_no_cell_count_from_one_to_k_minus_one(app, client, login, path):
    seed(app)
    login("bra")
    response = client.get(path)
    assert response.status_code == 200
    if path.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        counts = [int(r["count"]) for r in rows if r["count"]]
        hidden = [r for r in rows if not r["count"]]
    else:
        body = response.get_json()
        rows = [f["properties"] for f in body["features"]]
        counts = [r["count"] for r in rows if r["count"] is not None]
        hidden = [r for r in rows if r["count"] is None]
        assert body["counts_hidden_below"] == 5
        for zone in body["zones"]["features"]:
            values = [v for v in zone["properties"]["categories"].values() if v is not None]
            assert all(v == 0 or v >= 5 for v in values)
    assert all(c == 0 or c >= 5 for c in counts)
    assert hidden, "small cells should be listed with their count hidden"


def test_bra_page_shows_zones_but_no_small_counts(app, client, login):
    seed(app)
    login("bra")
    page = client.get("/personal/hotspots").get_data(as_text=True)
    assert 'id="hot-zones"' in page and 'id="hidden-note"' in page
    assert "Exakta platser" not in page.split('id="hotspot-filters"')[1].split("</form>")[0]


def test_a_bad_filter_names_the_field_in_plain_swedish(app, client, login):
    login("police")
    response = client.get("/personal/hotspots", query_string={"from": "2026-13-40", "radius": "5"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Från: Skriv datumet som ÅÅÅÅ-MM-DD" in page
    assert "Täthetskartans radie (meter): Skriv en radie i hela meter" in page
    assert "should be" not in page
    assert '<details class="filter-panel" id="filter-panel" open>' in page
    api = client.get("/api/v1/hotspots", query_string={"from": "x"})
    assert api.status_code == 422 and "from" in api.get_json()["errors"]


def test_empty_period_says_there_are_no_zones(app, client, login):
    login("police")
    page = client.get("/personal/hotspots").get_data(as_text=True)
    assert 'id="no-zones"' in page
    api = client.get("/api/v1/hotspots").get_json()
    assert api["zones"]["features"] == [] and api["significant"] is False


def test_the_period_report_names_the_same_zones_with_the_same_counts(app, client, login):
    import pypdf

    seed(app)
    login("police")
    api = client.get("/api/v1/hotspots").get_json()
    period = {"from": api["filter"]["from"], "to": api["filter"]["to"]}
    zones = [(f["properties"]["name"], f["properties"]["voices"]) for f in api["zones"]["features"]]
    assert zones
    page = client.get("/personal/rapport", query_string=period).get_data(as_text=True)
    listed = page.split('id="report-zones"')[1].split("</ol>")[0]
    for name, voices in zones:
        assert f"{name}: {voices} synpunkter" in listed
    pdf = client.get("/personal/rapport.pdf", query_string=period)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.get_data())).pages)
    for name, _voices in zones:
        assert name in text
    assert "8a08" not in text.split("Hotspots")[1][:1500]  # places, not H3 ids
