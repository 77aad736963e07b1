"""References to areas survive boundary imports and rollbacks; rollback follows the history."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import geopandas as gpd
import pytest
from shapely.geometry import box
from sqlalchemy import select

from geoservice.core.places.area_mapping import carry_over, overlap_mapping
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.store.db import session_scope
from geoservice.store.demo import add_example_promises
from geoservice.store.models import Activity, AreaLayerRecord, Promise
from tests.test_imports import GOOD, official_file


def activities(app) -> dict[int, Activity]:
    with session_scope(app) as session:
        rows = list(session.scalars(select(Activity)))
        session.expunge_all()
    return {a.id: a for a in rows}


def active_layer(app) -> int | None:
    with session_scope(app) as session:
        return session.scalar(select(AreaLayerRecord.id).where(AreaLayerRecord.active.is_(True)))


def staff_pages(app) -> list[str]:
    with session_scope(app) as session:
        promise_ids = list(session.scalars(select(Promise.id)))
        activity_ids = list(session.scalars(select(Activity.id)))
    today = datetime.now(LOCAL_ZONE).date()
    # A period holding the concerns: an empty one is the period report's own case.
    period = f"from={today.replace(day=1).isoformat()}&to={today.isoformat()}"
    return [
        "/lofte",
        "/personal/lofte",
        *(f"/personal/lofte/{i}" for i in promise_ids),
        *(f"/personal/aktivitet/{i}" for i in activity_ids),
        f"/personal/rapport?{period}",
        f"/personal/rapport.pdf?{period}",
        f"/personal/rapport/areas.csv?{period}",
        f"/personal/rapport/omraden.geojson?{period}",
        "/personal/admin/omraden",
        "/karta",
        "/",
    ]


@pytest.fixture
def planned(app, client):
    """Concerns and the example promises, whose activities name the shipped areas."""
    for lon, lat in ((12.30, 58.70), (12.4535, 58.7005), (12.55, 58.65)):
        assert client.post("/api/v1/reports", json=GOOD | {"lon": lon, "lat": lat}).status_code
    add_example_promises(app, datetime.now(UTC).date())
    return activities(app)


def test_every_page_answers_after_an_import_with_new_ids_and_after_rollback(
    app, client, runner, login, tmp_path, planned
):
    login("admin")
    result = runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "carried over by overlap" in result.output
    for path in staff_pages(app):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    carried = activities(app)
    for activity_id, activity in carried.items():
        ids = activity.area_ids.split(",")
        assert ids and set(ids) <= {"1461R001", "1461R002"}, ids
        note = json.loads(activity.areas_mapped)
        assert note["old_ids"] == planned[activity_id].area_ids.split(",")
        assert activity.area_layer == "layer-1"
    page = client.get(f"/personal/aktivitet/{min(carried)}").get_data(as_text=True)
    assert 'id="area-mapping"' in page and ("Väst" in page or "Öst" in page)

    rolled = runner.invoke(args=["boundaries", "rollback"])
    assert rolled.exit_code == 0, rolled.output
    back = activities(app)
    # Back on the shipped layer each activity has exactly the areas it was made with.
    assert {i: a.area_ids for i, a in back.items()} == {i: a.area_ids for i, a in planned.items()}
    assert all(a.areas_mapped is None for a in back.values())
    for path in staff_pages(app):
        assert client.get(path).status_code == 200, path


def test_saving_the_activity_confirms_the_carried_over_areas(
    app, client, runner, login, tmp_path, planned
):
    from tests.conftest import csrf_token_from

    login("municipality")
    runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    activity_id = min(planned)
    activity = activities(app)[activity_id]
    page = f"/personal/aktivitet/{activity_id}"
    response = client.post(
        page,
        data={
            "csrf_token": csrf_token_from(client, page),
            "title": activity.title,
            "responsible": activity.responsible,
            "status": activity.status,
            "area_ids": ["1461R001"],
            "start_on": activity.start_on.isoformat(),
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    saved = activities(app)[activity_id]
    assert saved.area_ids == "1461R001" and saved.areas_mapped is None
    assert 'id="area-mapping"' not in client.get(page).get_data(as_text=True)


def test_a_dry_run_says_which_references_would_be_orphaned(app, runner, tmp_path, planned):
    # The activities name the shipped areas: a layer of official areas replaces all of them.
    dry = runner.invoke(args=["import-boundaries", str(official_file(tmp_path)), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would be carried over by overlap (0 with orphaned areas)" in dry.output
    assert activities(app) == planned or all(
        activities(app)[i].area_ids == a.area_ids for i, a in planned.items()
    )
    # An activity naming an id no layer has any more is orphaned, and the dry run says so.
    with session_scope(app) as session:
        session.get(Activity, min(planned)).area_ids = "gone-area"
        session.commit()
    dry = runner.invoke(args=["import-boundaries", str(official_file(tmp_path)), "--dry-run"])
    assert "ORPHANED (no new area replaces them): gone-area" in dry.output, dry.output
    assert "(1 with orphaned areas)" in dry.output
    runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    assert activities(app)[min(planned)].area_ids == ""


def test_an_activity_with_areas_the_layer_does_not_know_still_opens(app, client, login, planned):
    login("police")
    with session_scope(app) as session:
        session.get(Activity, min(planned)).area_ids = "1461R999"
        session.commit()
    today = datetime.now(LOCAL_ZONE).date().isoformat()
    report = f"/personal/rapport?from={today[:8]}01&to={today}"
    for path in ("/lofte", f"/personal/aktivitet/{min(planned)}", report):
        assert client.get(path).status_code == 200, path


def test_rollback_returns_to_the_layer_in_use_before_never_to_one_rolled_back(
    app, runner, tmp_path
):
    def import_file(folder: str, east: str) -> int:
        (tmp_path / folder).mkdir()
        result = runner.invoke(
            args=["import-boundaries", str(official_file(tmp_path / folder, east_code=east))]
        )
        assert result.exit_code == 0, result.output
        return active_layer(app)

    first = import_file("a", "1461R002")
    second = import_file("b", "1461R003")
    assert runner.invoke(args=["boundaries", "rollback"]).exit_code == 0
    assert active_layer(app) == first
    third = import_file("c", "1461R004")
    assert third not in (first, second)
    # The old rule (the next lower id) would bring back the rolled-back second layer here.
    assert runner.invoke(args=["boundaries", "rollback"]).exit_code == 0
    assert active_layer(app) == first
    assert runner.invoke(args=["boundaries", "rollback"]).exit_code == 0
    assert active_layer(app) is None
    again = runner.invoke(args=["boundaries", "rollback"])
    assert again.exit_code != 0 and "nothing to roll back" in again.output

    listing = runner.invoke(args=["boundaries", "list"]).output
    history = listing.split("History (newest first):")[1].strip().splitlines()
    actions = [line.split(" UTC ")[1].split(" by ")[0].split(",")[0] for line in history]
    assert actions == [
        "rollback -> shipped",
        f"rollback -> {first} (regso.gpkg)",
        f"import -> {third} (regso.gpkg)",
        f"rollback -> {first} (regso.gpkg)",
        f"import -> {second} (regso.gpkg)",
        f"import -> {first} (regso.gpkg)",
    ]
    assert "rolled back" in history[-1] and "rolled back" in history[-2]
    assert listing.splitlines()[1].startswith("* shipped")


def test_overlap_rule_maps_small_areas_into_large_and_large_into_small():
    crs = "EPSG:3006"
    old = gpd.GeoDataFrame(
        {"id": ["west", "east"], "name": ["W", "E"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)],
        crs=crs,
    )
    # Four DeSO-like areas, one straddling the border mostly in the east.
    new = gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"], "name": list("ABCD")},
        geometry=[
            box(0, 0, 50, 100),
            box(50, 0, 90, 100),
            box(90, 0, 150, 100),
            box(150, 0, 200, 100),
        ],
        crs=crs,
    )
    mapping = overlap_mapping(old, new)
    assert mapping == {"west": ["a", "b"], "east": ["c", "d"]}
    # Back again: each small old area lies inside one large new area.
    assert overlap_mapping(new, old)["c"] == ["east"]
    assert carry_over(["west", "gone"], mapping) == (["a", "b"], ["gone"])
    far = gpd.GeoDataFrame({"id": ["x"], "name": ["X"]}, geometry=[box(500, 0, 600, 100)], crs=crs)
    assert overlap_mapping(far, new) == {"x": []}


def test_an_identical_retry_straddling_a_layer_change_gets_the_first_answer(
    app, client, runner, tmp_path
):
    body = GOOD | {"idempotency_key": "retry-across-layers-1"}
    first = client.post("/api/v1/reports", json=body)
    assert first.status_code == 201
    assert runner.invoke(args=["import-boundaries", str(official_file(tmp_path))]).exit_code == 0
    retry = client.post("/api/v1/reports", json=body)
    assert retry.status_code == 201, retry.get_json()
    assert retry.get_json()["receipt"] == first.get_json()["receipt"]
    assert retry.get_json()["id"] == first.get_json()["id"]
    # A different body under the same key is still refused.
    other = client.post("/api/v1/reports", json=body | {"category": "lighting"})
    assert other.status_code == 409


def test_a_point_in_an_accepted_gap_of_the_layer_is_told_as_such(app, client, runner, tmp_path):
    from geoservice.store.areas import shipped_layer

    path = official_file(tmp_path)
    frame = gpd.read_file(path)
    hole = gpd.GeoSeries(gpd.points_from_xy([12.30], [58.70]), crs=4326).to_crs(3006).buffer(300)
    frame.loc[0, "geometry"] = frame.geometry.iloc[0].difference(hole.iloc[0])
    gapped = tmp_path / "gapped.gpkg"
    frame.to_file(gapped, layer="regso", driver="GPKG")
    result = runner.invoke(args=["import-boundaries", str(gapped)])
    assert result.exit_code == 0, result.output
    assert shipped_layer().in_municipality(12.30, 58.70)
    in_gap = client.post("/api/v1/reports", json=GOOD | {"lon": 12.30, "lat": 58.70})
    assert in_gap.status_code == 422
    assert "gap between the areas" in in_gap.get_json()["errors"]["lat"]
    outside = client.post("/api/v1/reports", json=GOOD | {"lon": 11.97, "lat": 57.70})
    assert "outside Mellerud municipality" in outside.get_json()["errors"]["lat"]
    token_page = client.get("/")
    assert token_page.status_code == 200
