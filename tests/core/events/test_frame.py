"""Events become rows of the concern table with their own source, band and weekday/weekend."""

from __future__ import annotations

import pandas as pd

from geoservice.core.analysis.aggregate import REPORT_COLUMNS, band_week_table
from geoservice.core.events.frame import events_as_reports


def events(*rows):
    frame = pd.DataFrame(
        rows,
        columns=["id", "occurred_from", "occurred_to", "types", "reporter_id"],
    )
    frame["occurred_from"] = pd.to_datetime(frame["occurred_from"], utc=True)
    frame["occurred_to"] = pd.to_datetime(frame["occurred_to"], utc=True)
    frame["lon"], frame["lat"], frame["area_id"] = 12.45, 58.70, "mellerud-holm"
    frame["seriousness"], frame["organisation"] = 2, "Mellerudsbostäder"
    return frame


def test_events_get_band_weekend_category_and_one_voice_per_reporter():
    rows = events(
        # Friday 2026-11-27 21:30 UTC = 22:30 Swedish time: night, weekend.
        ("a", "2026-11-27 21:30", None, "graffiti,fire", 7),
        # Tuesday 10:00 Swedish time: day, weekday.
        ("b", "2026-11-24 09:00", None, "drug_dealing", 8),
        # A whole night, eight hours: no time band can be claimed.
        ("c", "2026-11-24 21:00", "2026-11-25 05:00", "fire", 7),
    )
    out = events_as_reports(rows)
    assert list(out.columns) == [*REPORT_COLUMNS, "exact_hour"]
    assert list(out["category"]) == ["vandalism", "drugs", "other"]
    assert list(out["time_of_day"]) == ["night", "day", "unknown"]
    assert list(out["weekend"]) == [True, False, None]
    assert list(out["exact_hour"]) == [22, 10, None]
    assert set(out["source"]) == {"partner"} and set(out["status"]) == {"confirmed"}
    assert list(out["client_key"]) == ["partner-7", "partner-8", "partner-7"]
    table = band_week_table(out)
    assert table.loc["night", "weekend"] == 1 and table.loc["day", "weekday"] == 1
    assert table.loc["unknown", "unknown"] == 1


def test_no_events_give_an_empty_table_with_the_columns():
    out = events_as_reports(events())
    assert out.empty and list(out.columns) == [*REPORT_COLUMNS, "exact_hour"]
