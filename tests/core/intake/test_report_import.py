"""Earlier dialogue results import with the API's rules; every refused row says why."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from geoservice.core.intake.report_import import (
    ReportFileError,
    read_report_rows,
    validate_rows,
)
from geoservice.core.intake.validation import IDEMPOTENCY_KEY, TEXT_LIMIT
from geoservice.core.places.assign import AreaIndex
from geoservice.core.places.boundaries import load_areas

TOWN = (12.4633, 58.6994)  # Mellerud town centre
VANERSBORG = (12.3247, 58.3800)  # south of the municipality
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return AreaIndex(load_areas())


@pytest.fixture
def check(index):
    def locate(lon: float, lat: float) -> str | None:
        found = index.assign(np.array([lon]), np.array([lat]))[0]
        return None if found is None else str(found)

    def run(rows):
        return validate_rows(rows, locate=locate, area_point=lambda _id: None, now=NOW)

    return run


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


GOOD_AND_BAD = "\n".join(
    [
        "lat,lon,category,time_of_day,weekend,description,created_at,source_id",
        f"{TOWN[1]},{TOWN[0]},lighting,evening,ja,Mörk gångväg,2025-10-02,A1",
        f"{VANERSBORG[1]},{VANERSBORG[0]},lighting,day,,,,A2",
        f"NaN,{TOWN[0]},drugs,night,,,,A3",
        f"{TOWN[1]},{TOWN[0]},fireworks,night,,,,A4",
        f'{TOWN[1]},{TOWN[0]},other,day,,"{"x" * (TEXT_LIMIT + 1)}",,A5',
        f"{TOWN[1]},{TOWN[0]},other,day,,,2025-13-40,A6",
        f"{TOWN[1]},{TOWN[0]},traffic,day,nej,,2025-10-03T17:45:00+02:00,A7",
    ]
)


def test_csv_rows_are_accepted_or_rejected_with_the_reason(tmp_path, check):
    rows = read_report_rows(write(tmp_path, "dialog.csv", GOOD_AND_BAD))
    result = check(rows)

    assert result.rejected == [
        (3, {"lat": "The place lies outside Mellerud municipality. Mark a place inside it."}),
        (4, {"lat": "Must be a finite number."}),
        (5, {"category": "Choose one of the options."}),
        (6, {"description": f"At most {TEXT_LIMIT} characters."}),
        (
            7,
            {
                "created_at": "Must be an ISO 8601 date (2024-05-31) "
                "or date and time (2024-05-31T18:30)."
            },
        ),
    ]
    assert [number for number, *_ in result.accepted] == [2, 8]
    (_, first, first_at, first_key), (_, second, second_at, _) = result.accepted
    assert first.area_id == "mellerud-holm"
    assert (first.category, first.time_of_day, first.weekend) == ("lighting", "evening", True)
    assert first.description == "Mörk gångväg"
    assert first.idempotency_key == first_key
    assert IDEMPOTENCY_KEY.fullmatch(first_key)
    # A date alone is noon in Sweden; an offset is honoured; both come back in UTC.
    assert first_at == datetime(2025, 10, 2, 10, 0, tzinfo=UTC)
    assert second_at == datetime(2025, 10, 3, 15, 45, tzinfo=UTC)
    assert second.weekend is False
    assert not result.ok


def test_semicolon_delimiter_bom_and_decimal_comma(tmp_path, check):
    text = (
        "Latitude;Longitude;category;time_of_day;kind\n"
        f"{str(TOWN[1]).replace('.', ',')};{str(TOWN[0]).replace('.', ',')};"
        "safe_people;night;safe\n"
    )
    path = write(tmp_path, "excel.csv", text, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    rows = read_report_rows(path)
    assert rows == [
        {
            "lat": "58,6994",
            "lon": "12,4633",
            "category": "safe_people",
            "time_of_day": "night",
            "kind": "safe",
            "_row": 2,
        }
    ]
    result = check(rows)
    assert result.rejected == []
    ((_, draft, created_at, _),) = result.accepted
    assert (draft.lon, draft.lat, draft.kind) == (TOWN[0], TOWN[1], "safe")
    assert created_at is None  # the caller decides


def test_geojson_points_import_like_csv_rows(tmp_path, check):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(TOWN)},
                "properties": {"category": "vandalism", "time_of_day": "day", "weekend": True},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(TOWN), list(TOWN)]},
                "properties": {"category": "vandalism", "time_of_day": "day"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(TOWN)},
                "properties": {"category": "vandalism", "time_of_day": "day", "weekend": "ja"},
            },
        ],
    }
    path = write(tmp_path, "dialog.geojson", json.dumps(collection))
    result = check(read_report_rows(path))

    assert result.rejected == [(2, {"geometry": "Must be a Point, not LineString."})]
    assert [number for number, *_ in result.accepted] == [1]
    # Feature 3 says the same thing in words, so it is the same concern.
    assert result.duplicates == [(3, 1)]
    assert result.accepted[0][1].area_id == "mellerud-holm"


def test_geojson_with_another_crs_is_refused(tmp_path):
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": [],
    }
    with pytest.raises(ReportFileError, match="WGS 84"):
        read_report_rows(write(tmp_path, "sweref.geojson", json.dumps(collection)))


def test_identical_rows_give_identical_keys_and_other_rows_other_keys(tmp_path, check):
    header = "lat,lon,category,time_of_day,description\n"
    row = f"{TOWN[1]},{TOWN[0]},drugs,night,  Langning vid stationen \n"
    once = check(read_report_rows(write(tmp_path, "a.csv", header + row)))
    again = check(
        read_report_rows(write(tmp_path, "b.csv", header.replace(",", ";") + row.replace(",", ";")))
    )
    other = check(read_report_rows(write(tmp_path, "c.csv", header + row.replace("night", "day"))))

    key = once.accepted[0][3]
    assert again.accepted[0][3] == key
    assert other.accepted[0][3] != key

    twice = check(read_report_rows(write(tmp_path, "d.csv", header + row + row)))
    assert [n for n, *_ in twice.accepted] == [2]
    assert twice.duplicates == [(3, 2)]


def test_csv_x_y_columns_are_refused_as_ambiguous(tmp_path):
    path = write(tmp_path, "xy.csv", "x,y,category,time_of_day\n6507000,336000,other,day\n")
    with pytest.raises(ReportFileError, match="ambiguous"):
        read_report_rows(path)


def test_csv_unknown_or_missing_columns_are_refused(tmp_path):
    unknown = write(tmp_path, "u.csv", "lat,lon,category,time_of_day,email\n")
    with pytest.raises(ReportFileError, match="unknown column.*email"):
        read_report_rows(unknown)
    missing = write(tmp_path, "m.csv", "lat,lon,category\n")
    with pytest.raises(ReportFileError, match="missing column.*time_of_day"):
        read_report_rows(missing)


def test_a_row_with_too_many_values_is_rejected(tmp_path, check):
    path = write(
        tmp_path,
        "shift.csv",
        f"lat,lon,category,time_of_day\n{TOWN[1]},{TOWN[0]},other,day,surplus\n",
    )
    ((number, errors),) = check(read_report_rows(path)).rejected
    assert number == 2
    assert "check the delimiter" in errors["row"]


def test_created_at_in_the_future_is_rejected(check):
    row = {
        "lat": str(TOWN[1]),
        "lon": str(TOWN[0]),
        "category": "other",
        "time_of_day": "day",
        "created_at": "2030-01-01",
    }
    assert check([row]).rejected == [(1, {"created_at": "Lies in the future."})]


def test_non_utf8_csv_is_refused(tmp_path):
    path = write(
        tmp_path,
        "latin1.csv",
        "lat,lon,category,time_of_day,description\n58.7,12.46,other,day,Mörkt\n",
        encoding="latin-1",
    )
    with pytest.raises(ReportFileError, match="UTF-8"):
        read_report_rows(path)
