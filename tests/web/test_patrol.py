"""Patrol planning through the test client: API shape, window rules, downloads, the log."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import gpxpy
import numpy as np
import pytest

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Report
from geoservice.store.reports import new_receipt
from tests.conftest import csrf_token_from

STATION = (58.70180, 12.46280)
PARK = (58.69880, 12.45600)


def seed(app, n=90):
    """Friday-night concerns at the station and the park, weekday ones elsewhere."""
    rng = np.random.default_rng(7)
    friday = datetime.now(UTC) - timedelta(days=(datetime.now(UTC).weekday() - 4) % 7 + 7)
    with session_scope(app) as session:
        for i in range(n):
            lat, lon = STATION if i % 2 else PARK
            session.add(
                Report(
                    lat=lat + rng.normal(0, 0.0002),
                    lon=lon + rng.normal(0, 0.0003),
                    category="drugs" if i % 3 else "disorder",
                    time_of_day="night",
                    weekend=True,
                    exact_hour=23,
                    area_id="mellerud-holm",
                    receipt=new_receipt(),
                    created_at=friday.replace(hour=21) - timedelta(days=7 * (i % 8)),
                    client_key=f"c{i}",
                )
            )
            session.add(
                Report(
                    lat=58.695 + rng.normal(0, 0.003),
                    lon=12.445 + rng.normal(0, 0.005),
                    category="traffic",
                    time_of_day="day",
                    weekend=False,
                    area_id="mellerud-holm",
                    receipt=new_receipt(),
                    created_at=friday - timedelta(days=2 + 7 * (i % 8)),
                    client_key=f"d{i}",
                )
            )
        bump_version(session)


QUERY = {"weekday": "fri", "from_hour": "22", "to_hour": "2", "stops": "4"}


def test_patrol_plan_api_has_the_contracted_shape(app, client, login):
    seed(app)
    login("police")
    body = client.get("/api/v1/patrol-plan", query_string=QUERY).get_json()
    assert body["route_length_m"] > 0 and 1 <= len(body["stops"]) <= 4
    for stop in body["stops"]:
        assert {"rank", "lat", "lon", "cell", "count", "categories"} <= set(stop)
    import h3

    chosen = {s["cell"] for s in body["stops"]}
    assert h3.latlng_to_cell(*STATION, 10) in chosen and h3.latlng_to_cell(*PARK, 10) in chosen
    assert sorted(body["visit_order"]) == sorted(s["rank"] for s in body["stops"])


def test_patrol_plan_is_staff_only(client):
    assert client.get("/api/v1/patrol-plan", query_string=QUERY).status_code == 401
    assert client.get("/personal/patrull").status_code == 302


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"weekday": "funday"}, "weekday"),
        ({"from_hour": "25"}, "from_hour"),
        ({"to_hour": "x"}, "to_hour"),
        ({"stops": "0"}, "stops"),
        ({"stops": "50"}, "stops"),
        ({"from": "igår"}, "from"),
    ],
)
def test_bad_windows_get_422_naming_the_parameter(client, login, query, field):
    login("police")
    response = client.get("/api/v1/patrol-plan", query_string=QUERY | query)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_gpx_is_valid_gpx_11_with_waypoints_and_a_route(app, client, login):
    seed(app)
    login("police")
    plan = client.get("/api/v1/patrol-plan", query_string=QUERY).get_json()
    response = client.get("/personal/patrull.gpx", query_string=QUERY)
    assert response.mimetype == "application/gpx+xml"
    assert "attachment" in response.headers["Content-Disposition"]
    gpx = gpxpy.parse(response.get_data(as_text=True))
    assert gpx.version == "1.1"
    assert len(gpx.waypoints) == len(plan["stops"])
    route = gpx.routes[0].points
    by_rank = {s["rank"]: s for s in plan["stops"]}
    for point, rank in zip(route, plan["visit_order"], strict=True):
        assert point.latitude == pytest.approx(by_rank[rank]["lat"], abs=1e-5)
        assert point.longitude == pytest.approx(by_rank[rank]["lon"], abs=1e-5)


def test_geojson_and_print_view(app, client, login):
    seed(app)
    login("municipality")
    collection = client.get("/personal/patrull.geojson", query_string=QUERY).get_json()
    kinds = [f["geometry"]["type"] for f in collection["features"]]
    assert "LineString" in kinds and kinds.count("Point") >= 1
    page = client.get("/personal/patrull/utskrift", query_string=QUERY).get_data(as_text=True)
    assert "<svg" in page and "fågelvägen" in page and "print.css" in page
    assert 'id="stop-list"' in page


def test_log_a_patrol_and_export_it_safely(app, client, login):
    seed(app)
    name = login("police")
    plan = client.get("/api/v1/patrol-plan", query_string=QUERY).get_json()
    cells = [s["cell"] for s in plan["stops"]][:2]
    data = QUERY | {
        "csrf_token": csrf_token_from(client, "/personal/patrull"),
        "carried_out_on": datetime.now(UTC).date().isoformat(),
        "note": '=HYPERLINK("http://evil")',
    }
    from werkzeug.datastructures import MultiDict

    form = MultiDict(list(data.items()) + [("cells", c) for c in cells])
    assert client.post("/personal/patrull/logg", data=form).status_code == 303
    rows = list(
        csv.reader(io.StringIO(client.get("/personal/patrull/logg.csv").get_data(as_text=True)))
    )
    assert rows[0][:3] == ["carried_out_on", "time_window", "stops"]
    assert rows[1][2] == "2" and rows[1][5] == name
    assert rows[1][4].startswith("'=")
    future = form.copy()
    future["carried_out_on"] = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    assert client.post("/personal/patrull/logg", data=future).status_code == 422
    empty = MultiDict(list(data.items()))
    assert client.post("/personal/patrull/logg", data=empty).status_code == 422


def test_thin_data_says_so_and_ranks_by_count(app, client, login):
    seed(app, n=6)
    login("police")
    body = client.get("/api/v1/patrol-plan", query_string=QUERY).get_json()
    assert body["significant_data"] is False
    assert "60" in body["explanation_en"] or "few" in body["explanation_en"].lower()
