"""The staff hotspot page and GET /api/v1/hotspots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Report
from geoservice.store.reports import new_receipt

CLASSES = {"hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95", "cold_99"}
PLANTED = (58.70180, 12.46280)  # behind the station


def seed(app, n_background=400, n_cluster=60, seed=3):
    """Background over the town and villages, plus a planted cluster at night."""
    rng = np.random.default_rng(seed)
    now = datetime.now(UTC) - timedelta(days=1)
    towns = [(58.7005, 12.4535), (58.7853, 12.4289), (58.7167, 12.35), (58.655, 12.44)]
    with session_scope(app) as session:
        for i in range(n_background):
            lat, lon = towns[i % len(towns)]
            session.add(
                Report(
                    lat=lat + rng.normal(0, 0.01),
                    lon=lon + rng.normal(0, 0.02),
                    category="lighting",
                    time_of_day="evening",
                    area_id="mellerud-holm",
                    receipt=new_receipt(),
                    created_at=now - timedelta(days=int(rng.integers(0, 80))),
                    client_key=f"bg{i}",
                    description="bakgrundstext",
                )
            )
        for i in range(n_cluster):
            session.add(
                Report(
                    lat=PLANTED[0] + rng.normal(0, 0.0003),
                    lon=PLANTED[1] + rng.normal(0, 0.0005),
                    category="drugs",
                    time_of_day="night",
                    weekend=True,
                    area_id="mellerud-holm",
                    receipt=new_receipt(),
                    created_at=now - timedelta(days=int(rng.integers(0, 80))),
                    client_key=f"cl{i}",
                )
            )
        bump_version(session)


def test_hotspots_api_has_the_contracted_shape_and_finds_the_planted_cluster(app, client, login):
    seed(app)
    login("bra")
    body = client.get("/api/v1/hotspots").get_json()
    assert body["type"] == "FeatureCollection" and body["significant"] is True
    for feature in body["features"]:
        props = feature["properties"]
        assert {"cell", "count", "gi_z", "gi_p", "hotspot_class"} <= set(props)
        assert props["hotspot_class"] in CLASSES
        assert feature["geometry"]["type"] == "Polygon"
    import h3

    planted = h3.latlng_to_cell(*PLANTED, 10)
    by_cell = {f["properties"]["cell"]: f["properties"] for f in body["features"]}
    assert by_cell[planted]["hotspot_class"] == "hot_99"
    assert not any(p["hotspot_class"].startswith("cold") for p in by_cell.values())


def test_cold_spots_only_when_asked(app, client, login):
    seed(app)
    login("police")
    with_cold = client.get("/api/v1/hotspots", query_string={"cold": "1"}).get_json()
    without = client.get("/api/v1/hotspots").get_json()
    count = lambda body: sum(  # noqa: E731
        f["properties"]["hotspot_class"].startswith("cold") for f in body["features"]
    )
    assert count(without) == 0
    assert count(with_cold) >= count(without)


def test_too_little_data_claims_no_significance_and_says_why(app, client, login):
    seed(app, n_background=20, n_cluster=5)
    login("police")
    body = client.get("/api/v1/hotspots").get_json()
    assert body["significant"] is False
    assert "60" in body["explanation"]
    assert {f["properties"]["hotspot_class"] for f in body["features"]} == {"not_significant"}
    page = client.get("/personal/hotspots").get_data(as_text=True)
    assert "60" in page and 'id="hotspot-explanation"' in page


@pytest.mark.parametrize(
    ("query", "field"),
    [({"radius": "5"}, "radius"), ({"from": "igår"}, "from"), ({"weekend": "ja"}, "weekend")],
)
def test_bad_filters_get_422(client, login, query, field):
    login("police")
    response = client.get("/api/v1/hotspots", query_string=query)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_police_sees_points_and_it_is_audited(app, client, login):
    seed(app, n_background=40, n_cluster=10)
    login("police")
    page = client.get("/personal/hotspots", query_string={"layer": ["points", "hotspots"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "L.markerClusterGroup" in text
    assert "/vendor/markercluster/leaflet.markercluster.js" in text
    from sqlalchemy import select

    from geoservice.store.models import AuditEvent

    with session_scope(app) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view_points"))
        assert event.rows == 50


def test_bra_never_gets_points_or_free_text_on_the_page(app, client, login):
    seed(app, n_background=40, n_cluster=10)
    login("bra")
    text = client.get(
        "/personal/hotspots", query_string={"layer": ["points", "hotspots", "density", "areas"]}
    ).get_data(as_text=True)
    assert "markerClusterGroup" not in text and 'id="layer-points"' not in text
    assert "bakgrundstext" not in text
    assert f"{PLANTED[0]:.4f}" not in text


def test_moderated_spam_leaves_the_hotspot_statistics(app, client, login):
    seed(app)
    login("police")
    before = client.get("/api/v1/hotspots").get_json()["n_reports"]
    from sqlalchemy import update

    with session_scope(app) as session:
        session.execute(update(Report).where(Report.category == "drugs").values(status="spam"))
        bump_version(session)
    after = client.get("/api/v1/hotspots").get_json()["n_reports"]
    assert after == before - 60


def test_page_shows_layers_legend_and_the_band_week_table(app, client, login):
    seed(app)
    login("municipality")
    text = client.get(
        "/personal/hotspots", query_string={"layer": ["hotspots", "density", "areas"]}
    ).get_data(as_text=True)
    for marker in ('id="legend"', 'id="band-week"', 'id="staff-areas"', 'id="hot-zones"'):
        assert marker in text
    assert "Benjamini" in text and "kvartisk" in text


def test_the_database_counts_voices_exactly_as_the_core_does(app, client, login):
    """The API counts one voice per place in SQL; the page counts it in memory: the same."""
    from geoservice.core.analysis.hotspots import compute_hotspots
    from geoservice.store.moderation import staff_frame
    from geoservice.web.analysis import study_area
    from geoservice.web.staff_filter import parse_staff_filter

    seed(app, n_background=120, n_cluster=40)
    now = datetime.now(UTC) - timedelta(days=1)
    with session_scope(app) as session:
        # One client pinning the same spot five times a day, two days running, plus an
        # area-precision concern and one without a client key.
        for day in range(2):
            for _ in range(5):
                session.add(
                    Report(
                        lat=PLANTED[0],
                        lon=PLANTED[1],
                        category="drugs",
                        time_of_day="night",
                        area_id="mellerud-holm",
                        receipt=new_receipt(),
                        client_key="flooder",
                        created_at=now - timedelta(days=day),
                    )
                )
        session.add(
            Report(
                lat=58.70,
                lon=12.45,
                category="drugs",
                time_of_day="night",
                precision="area",
                area_id="mellerud-holm",
                receipt=new_receipt(),
                created_at=now,
            )
        )
        session.add(
            Report(
                lat=58.7005,
                lon=12.4535,
                category="drugs",
                time_of_day="night",
                area_id="mellerud-holm",
                receipt=new_receipt(),
                created_at=now,
            )
        )
        bump_version(session)
    login("police")
    body = client.get("/api/v1/hotspots").get_json()
    with app.test_request_context():
        with session_scope(app) as session:
            frame = staff_frame(session, parse_staff_filter({"kind": "unsafe"}))
        expected = compute_hotspots(frame, mask_cells=study_area())
    assert body["n_reports"] == expected.n_reports
    by_cell = {f["properties"]["cell"]: f["properties"] for f in body["features"]}
    for record in expected.records():
        assert by_cell[record["cell"]]["count"] == record["count"]
        assert by_cell[record["cell"]]["hotspot_class"] == record["hotspot_class"]
