"""Months in local time, the same period a year earlier, seasons and zone trends."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geoservice.core.analysis.hexgrid import cells_for_points
from geoservice.core.reporting.timeseries import (
    ZoneInput,
    compare_with_year_before,
    monthly_series,
    season_table,
    year_before,
    zone_trends,
)


def frame(moments, category="drugs", area="a", lat=58.7005, lon=12.4535, precision="point"):
    n = len(moments)
    return pd.DataFrame(
        {
            "created_at": pd.to_datetime(moments, utc=True),
            "category": [category] * n,
            "area_id": [area] * n,
            "lat": [lat] * n,
            "lon": [lon] * n,
            "precision": [precision] * n,
        }
    )


def test_a_concern_late_on_the_last_utc_evening_of_march_counts_in_april():
    df = frame(["2026-03-31T22:30:00Z", "2026-03-31T21:30:00Z"])
    s = monthly_series(df, end=dt.date(2026, 4, 30), categories=["drugs"], area_ids=["a"], months=2)
    assert [str(m) for m in s.months] == ["2026-03", "2026-04"]
    assert s.total.tolist() == [1, 1] and not s.partial


def test_24_months_with_zeros_and_a_partial_last_month():
    df = frame(["2025-01-15T12:00:00Z", "2026-11-20T12:00:00Z", "2026-11-29T12:00:00Z"])
    s = monthly_series(
        df, end=dt.date(2026, 11, 25), categories=["drugs", "theft"], area_ids=["a", "b"]
    )
    assert len(s.months) == 24 and str(s.months[0]) == "2024-12" and s.partial
    assert s.total.sum() == 2  # the 29th is after the period's end
    assert s.by_category["theft"].sum() == 0 and s.by_area["a"].sum() == 2


def test_an_empty_frame_gives_a_series_of_zeros():
    empty = frame([])
    s = monthly_series(empty, end=dt.date(2020, 1, 1), categories=["drugs"], area_ids=["a"])
    assert s.total.tolist() == [0] * 24
    assert season_table(s)["count"].tolist() == [0, 0, 0, 0]


def test_the_same_period_a_year_earlier_and_the_change():
    assert year_before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    now = frame(["2026-05-02T10:00:00Z"] * 6, area="a")
    then = frame(["2025-05-02T10:00:00Z"] * 4, area="b")
    c = compare_with_year_before(
        now,
        then,
        start=dt.date(2026, 5, 1),
        end=dt.date(2026, 5, 31),
        categories=["drugs", "theft"],
        area_ids=["a", "b"],
    )
    assert (c.start, c.end) == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert c.change_pct == 50.0
    assert c.areas.set_index("code")["change"].to_dict() == {"a": 6, "b": -4}
    assert c.categories.set_index("code")["change_pct"]["theft"] is None


def test_seasons_sum_the_months_of_each_season():
    moments = ["2026-01-10T12:00:00Z"] * 3 + ["2026-07-10T12:00:00Z"] * 2
    s = monthly_series(frame(moments), end=dt.date(2026, 12, 31), categories=[], area_ids=[])
    table = season_table(s).set_index("code")
    assert table.loc["winter", "count"] == 3 and table.loc["summer", "count"] == 2
    assert table["months"].sum() == 24 and table.loc["summer", "per_month"] == 2 / 6


def test_zone_trends_count_points_in_the_zone_cells_and_classify():
    lat, lon = 58.7005, 12.4535
    cell = cells_for_points([lat], [lon])
    rising = [f"2026-{m:02d}-10T12:00:00Z" for m in range(1, 13) for _ in range(m)]
    df = pd.concat(
        [
            frame(rising),
            frame(["2026-06-10T12:00:00Z"] * 5, precision="area"),  # in no zone
            frame(["2026-06-10T12:00:00Z"] * 5, lat=58.80, lon=12.40),  # elsewhere
        ]
    )
    s = monthly_series(df, end=dt.date(2026, 12, 31), categories=[], area_ids=[], months=12)
    [(zone, counts, trend)] = zone_trends(
        df, [ZoneInput("z1", "vid Torget", cell)], s, end=dt.date(2026, 12, 31)
    )
    assert counts.tolist() == list(range(1, 13))
    assert trend.trend_class == "intensifying" and zone.name == "vid Torget"
    assert zone_trends(df, [], s, end=dt.date(2026, 12, 31)) == []
    assert np.asarray(zone.cells).dtype == np.uint64


def test_months_before_the_service_existed_do_not_read_as_a_rise():
    lat, lon = 58.7005, 12.4535
    cell = cells_for_points([lat], [lon])
    # A steady 3 a month since the service started in January 2026.
    steady = [f"2026-{m:02d}-10T12:00:00Z" for m in range(1, 13) for _ in range(3)]
    df = frame(steady)
    s = monthly_series(df, end=dt.date(2026, 12, 31), categories=[], area_ids=[])
    zone = [ZoneInput("z", "vid Torget", cell)]
    [(_, counts_all, rising)] = zone_trends(df, zone, s, end=dt.date(2026, 12, 31))
    assert len(counts_all) == 24 and rising.trend_class == "intensifying"
    [(_, counts, steady_trend)] = zone_trends(
        df, zone, s, end=dt.date(2026, 12, 31), since=dt.date(2026, 1, 3)
    )
    assert counts.tolist() == [3] * 12 and steady_trend.trend_class == "persistent"
