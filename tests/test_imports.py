"""Boundary and report imports through the command line, with rollback."""

from __future__ import annotations

import zipfile

import geopandas as gpd
from shapely.geometry import box
from sqlalchemy import func, select

from geoservice import create_app
from geoservice.store.areas import last_seen_layer, shipped_layer
from geoservice.store.db import engine_for, get_session, session_scope
from geoservice.store.models import AreaLayerRecord, Report
from tests.conftest import csrf_token_from

GOOD = {"lat": 58.7005, "lon": 12.4535, "category": "drugs", "time_of_day": "night"}


def official_file(tmp_path, fmt="gpkg", east_code="1461R002"):
    """Two 'official' areas in EPSG:3006: the municipality split west/east, with a hole."""
    outline = shipped_layer().outline.to_crs(3006).geometry.iloc[0]
    minx, miny, maxx, maxy = outline.bounds
    middle = 349_000.0
    west = outline.intersection(box(minx - 10, miny - 10, middle, maxy + 10))
    east = outline.intersection(box(middle, miny - 10, maxx + 10, maxy + 10))
    frame = gpd.GeoDataFrame(
        {"regsokod": ["1461R001", east_code], "regso": ["Väst", "Öst"], "folkmangd": [4000, 5235]},
        geometry=[west, east],
        crs=3006,
    )
    if fmt == "gpkg":
        path = tmp_path / "regso.gpkg"
        frame.to_file(path, layer="regso", driver="GPKG")
    elif fmt == "shpzip":
        folder = tmp_path / "shp"
        folder.mkdir()
        frame.to_file(folder / "regso.shp")
        path = tmp_path / "regso.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in folder.iterdir():
                archive.write(part, part.name)
    return path


def area_ids(app) -> list[str]:
    with session_scope(app) as session:
        return list(session.scalars(select(Report.area_id).order_by(Report.created_at)))


def test_import_reassigns_every_concern_and_rollback_restores(app, client, runner, tmp_path):
    # West of the split (x < 349,000 in EPSG:3006), then the town and Bolstad in the east.
    for lon, lat in ((12.30, 58.70), (12.4535, 58.7005), (12.55, 58.65)):
        response = client.post("/api/v1/reports", json=GOOD | {"lon": lon, "lat": lat})
        assert response.status_code == 201
    before = area_ids(app)
    assert 'id="approximate-note"' in client.get("/karta").get_data(as_text=True)
    result = runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "EPSG:3006" in result.output and "Re-assigned 3 concerns" in result.output
    assert area_ids(app) == ["1461R001", "1461R002", "1461R002"]
    page = client.get("/karta").get_data(as_text=True)
    assert 'id="approximate-note"' not in page and "Väst" in page
    features = client.get("/api/v1/areas").get_json()["features"]
    assert {f["properties"]["name"] for f in features} == {"Väst", "Öst"}
    assert client.post("/api/v1/reports", json=GOOD).get_json()["area"]["name"] in {"Väst", "Öst"}
    rolled = runner.invoke(args=["boundaries", "rollback"])
    assert rolled.exit_code == 0, rolled.output
    assert area_ids(app)[:3] == before
    assert 'id="approximate-note"' in client.get("/karta").get_data(as_text=True)
    again = runner.invoke(args=["boundaries", "rollback"])
    assert again.exit_code != 0 and "nothing to roll back" in again.output


def test_a_new_layer_moves_only_the_concerns_whose_area_changes(app, client, runner, tmp_path):
    for lon, lat in ((12.30, 58.70), (12.4535, 58.7005), (12.55, 58.65)):
        response = client.post("/api/v1/reports", json=GOOD | {"lon": lon, "lat": lat})
        assert response.status_code == 201
    first = runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    assert "Re-assigned 3 concerns (3 changed area, 0 fall outside" in first.output, first.output
    # The same split with the eastern area under a new code: only its two concerns move.
    (tmp_path / "next").mkdir()
    renamed = official_file(tmp_path / "next", east_code="1461R003")
    second = runner.invoke(args=["import-boundaries", str(renamed)])
    assert "Re-assigned 3 concerns (2 changed area, 0 fall outside" in second.output, second.output
    assert area_ids(app) == ["1461R001", "1461R003", "1461R003"]
    rolled = runner.invoke(args=["boundaries", "rollback"])
    assert "re-assigned 3 concerns (2 changed area" in rolled.output, rolled.output
    assert area_ids(app) == ["1461R001", "1461R002", "1461R002"]


def test_zipped_shapefile_and_dry_run(app, runner, tmp_path):
    path = official_file(tmp_path, "shpzip")
    result = runner.invoke(args=["import-boundaries", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(AreaLayerRecord)) == 0


def test_a_broken_boundary_file_changes_nothing(app, client, runner, tmp_path):
    client.post("/api/v1/reports", json=GOOD)
    frame = gpd.GeoDataFrame(
        {"id": ["a", "a"], "name": ["x", "y"], "population": [1, 2]},
        geometry=[box(12.3, 58.6, 12.4, 58.7), box(12.4, 58.6, 12.5, 58.7)],
        crs=4326,
    )
    path = tmp_path / "dupes.geojson"
    frame.to_file(path)
    result = runner.invoke(args=["import-boundaries", str(path)])
    assert result.exit_code != 0 and "duplicate" in result.output
    assert area_ids(app) == ["mellerud-holm"]
    missing = runner.invoke(args=["import-boundaries", str(path), "--population-field", "pop"])
    assert missing.exit_code != 0 and "pop" in missing.output


def test_admin_page_shows_the_active_layer_and_provenance(app, client, runner, login, tmp_path):
    runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    login("admin")
    page = client.get("/personal/admin/omraden").get_data(as_text=True)
    assert "regso.gpkg" in page and "EPSG:3006" in page and "regsokod" in page


CSV = """lat,lon,category,time_of_day,description,created_at
58.7005,12.4535,drugs,night,Gammal synpunkt från dialogen 2018,2018-05-03
58.71,12.46,lighting,evening,,2018-05-04
57.70,11.97,drugs,night,utanför kommunen,2018-05-05
NaN,12.45,drugs,night,,2018-05-06
58.70,12.45,ufo,night,,2018-05-07
58.70,12.45,drugs,night,,igår
"""


def test_report_import_dry_run_all_or_nothing_and_idempotent(app, runner, tmp_path):
    path = tmp_path / "dialog-2018.csv"
    path.write_text(CSV, encoding="utf-8")
    dry = runner.invoke(args=["import-reports", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    for row in (4, 5, 6, 7):
        assert f"row {row}: rejected" in dry.output
    assert "2 valid rows, 4 rejected" in dry.output
    refused = runner.invoke(args=["import-reports", str(path)])
    assert refused.exit_code != 0 and "nothing was imported" in refused.output
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0
    done = runner.invoke(args=["import-reports", str(path), "--skip-invalid"])
    assert "Imported 2 concerns" in done.output
    again = runner.invoke(args=["import-reports", str(path), "--skip-invalid"])
    assert "Imported 0 concerns" in again.output and "2 were already stored" in again.output
    with session_scope(app) as session:
        rows = list(session.scalars(select(Report)))
    assert {r.source for r in rows} == {"import"} and len(rows) == 2
    assert {r.created_at.year for r in rows} == {2018}


def test_boundaries_list_marks_the_layer_in_use(app, runner, tmp_path):
    before = runner.invoke(args=["boundaries", "list"])
    assert "* shipped: approximate electoral districts" in before.output
    runner.invoke(args=["import-boundaries", str(official_file(tmp_path))])
    after = runner.invoke(args=["boundaries", "list"])
    assert "* 1: regso.gpkg, 2 areas" in after.output and "* shipped" not in after.output


def test_a_worker_that_missed_a_layer_change_checks_a_submission_against_the_new_one(
    app, client, runner, tmp_path
):
    west = GOOD | {"lon": 12.30, "lat": 58.70}
    # This worker has seen the shipped layer in force ...
    shipped_area = client.post("/api/v1/reports", json=west).get_json()["area"]["id"]
    assert not shipped_area.startswith("1461R")
    token = csrf_token_from(client, "/")
    # ... when another worker (its own app, the same database) imports official areas.
    other_worker = create_app(
        {
            key: app.config[key]
            for key in ("TESTING", "DATABASE_URL", "SECRET_KEY", "RATELIMIT_ENABLED")
        }
        | {"INSTANCE_PATH": str(tmp_path / "other")}
    )
    result = other_worker.test_cli_runner().invoke(
        args=["import-boundaries", str(official_file(tmp_path))]
    )
    assert result.exit_code == 0, result.output
    engine_for(other_worker).dispose()

    # The next submission here is checked again against the layer now in force.
    answer = client.post("/api/v1/reports", json=west).get_json()
    assert answer["area"] == {"id": "1461R001", "name": "Väst"}
    assert area_ids(app) == ["1461R001", "1461R001"]
    # ... and the worker now takes that layer as the one in force.
    with app.app_context():
        assert last_seen_layer(app, get_session()).layer_id == 1
    # The resident's form too: an area chosen from the old layer's list is refused.
    form = {"category": "drugs", "time_of_day": "night", "kind": "unsafe", "csrf_token": token}
    response = client.post("/", data=form | {"area_id": shipped_area})
    assert response.status_code == 422
    assert "Väst" in response.get_data(as_text=True)  # the form offers the new areas
    assert len(area_ids(app)) == 2


def test_impossible_and_too_early_dates_are_refused_with_the_earliest_date(app, runner, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        "lat,lon,category,time_of_day,created_at\n"
        "58.7005,12.4535,drugs,night,0001-01-01\n"
        "58.7005,12.4535,drugs,night,0001-01-01T00:00:00+00:00\n"
        "58.7005,12.4535,drugs,night,1999-12-31\n"
        "58.7005,12.4535,drugs,night,2000-01-01\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-reports", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert result.output.count("Lies before 2000-01-01, the earliest date") == 3, result.output
    assert "1 valid rows, 3 rejected" in result.output


def test_boundary_files_with_nan_coordinates_or_too_many_areas_get_clean_messages(
    app, runner, tmp_path
):
    import numpy as np
    import shapely

    with np.errstate(invalid="ignore"):
        broken = shapely.Polygon([(340_000, 6_500_000), (340_100, np.nan), (340_100, 6_500_100)])
    frame = gpd.GeoDataFrame(
        {"id": ["a"], "name": ["A"], "population": [1]}, geometry=[broken], crs=3006
    )
    path = tmp_path / "nan.gpkg"
    frame.to_file(path, layer="nan", driver="GPKG")
    result = runner.invoke(args=["import-boundaries", str(path)])
    assert result.exit_code != 0 and "NaN or infinity" in result.output
    assert "Traceback" not in result.output
