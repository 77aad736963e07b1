"""Publication periods, voices and the listing rule: the pieces of the public design."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.listing import listable_groups
from geoservice.core.privacy.periods import (
    PublicationPeriod,
    latest_published,
    parse_period,
    published_periods,
    whole_periods,
)
from geoservice.core.privacy.publish import publish_period, published_sum
from geoservice.core.privacy.suppression import PeriodError, protect_table
from geoservice.core.reporting.followup import FollowUpUnavailable, month_windows
from tests.core.privacy.test_suppression import attack

AREAS = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"], "population": [1000, 500]})


def test_a_month_is_published_once_it_is_over():
    october = PublicationPeriod(2026, 10)
    assert not october.is_published(dt.date(2026, 10, 31))
    assert october.is_published(dt.date(2026, 11, 1))
    assert latest_published(dt.date(2026, 1, 1)) == PublicationPeriod(2025, 12)
    assert published_periods(dt.date(2026, 3, 5), 3) == [
        PublicationPeriod(2026, 2),
        PublicationPeriod(2026, 1),
        PublicationPeriod(2025, 12),
    ]
    start, stop = PublicationPeriod(2026, 3).bounds()
    assert str(start) == "2026-03-01 00:00:00+01:00" and str(stop) == "2026-04-01 00:00:00+02:00"


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "last month", None, "1969-12", "2026-12"])
def test_only_published_months_written_yyyy_mm_are_accepted(value):
    with pytest.raises(PeriodError) as caught:
        parse_period(value, dt.date(2026, 12, 1))
    assert caught.value.field == "from"


def test_whole_periods_inside_a_range():
    months = whole_periods(dt.date(2026, 1, 15), dt.date(2026, 4, 1))
    assert [m.label for m in months] == ["2026-02", "2026-03"]


def test_few_voices_hide_a_cell_however_many_rows():
    hidden = protect_table([9, 7, 6], 22, 5, part_voices=[1, 7, 6], total_voices=14)
    assert hidden.parts.tolist() == [True, False, True] and not hidden.total
    assert protect_table([9], 9, 5, part_voices=[1], total_voices=1).total


def test_publish_period_counts_rows_and_decides_by_voices():
    rows = pd.DataFrame(
        {
            "area_id": ["a"] * 6 + ["b"] * 7,
            "category": ["drugs"] * 6 + ["theft"] * 7,
            "time_of_day": ["night"] * 13,
            "voice": ["flood"] * 6 + [f"v{i}" for i in range(7)],
        }
    )
    published = publish_period(rows, AREAS, 5)
    a, b = published["areas"]
    # Six concerns from one voice are hidden; the other area with them, so 13 - 7 fails.
    assert a["count"] is None and a["suppressed"]
    assert b["count"] is None and published["total"] == 13


def test_listing_takes_whole_published_groups_with_safe_status_splits():
    publication = {
        "areas": [
            {"id": "a", "category_mix": {"drugs": 6, "theft": None}},
            {"id": "b", "category_mix": {"drugs": 10}},
        ]
    }
    rows = pd.DataFrame(
        {
            "area_id": ["a"] * 6 + ["a"] * 2 + ["b"] * 10,
            "category": ["drugs"] * 6 + ["theft"] * 2 + ["drugs"] * 10,
            "public_status": ["open"] * 6 + ["open"] * 2 + ["open"] * 5 + ["closed"] * 5,
            "voice": [f"v{i}" for i in range(18)],
            "is_demo": [False] * 18,
        }
    )
    assert listable_groups(rows, publication, 5) == {("a", "drugs"), ("b", "drugs")}
    one_closed = rows.copy()
    one_closed.loc[0, "public_status"] = "closed"
    assert listable_groups(one_closed, publication, 5) == {("b", "drugs")}
    # A group that no longer matches its published count is not listed.
    assert listable_groups(rows.iloc[1:], publication, 5) == {("b", "drugs")}


def test_published_sum_is_none_when_any_cell_is_hidden():
    months = [
        {"areas": [{"id": "a", "count": 7, "category_mix": {"drugs": 7, "theft": 0}}]},
        {"areas": [{"id": "a", "count": None, "category_mix": {"drugs": None, "theft": None}}]},
    ]
    assert published_sum(months[:1], ["a"]) == 7
    assert published_sum(months[:1], ["a"], ["drugs", "theft"]) == 7
    assert published_sum(months, ["a"]) is None


@pytest.mark.parametrize(
    ("start", "end", "today", "before", "after"),
    [
        # Starting on the 1st: that month is the first after.
        (
            dt.date(2025, 3, 1),
            None,
            dt.date(2025, 6, 2),
            ["2024-12", "2025-01", "2025-02"],
            ["2025-03", "2025-04", "2025-05"],
        ),
        # A day later: March is split, so April is the first whole month after.
        (
            dt.date(2025, 3, 2),
            None,
            dt.date(2025, 6, 2),
            ["2025-01", "2025-02"],
            ["2025-04", "2025-05"],
        ),
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31), dt.date(2025, 6, 2), ["2025-02"], ["2025-03"]),
    ],
)
def test_follow_up_windows_are_whole_months(start, end, today, before, after):
    b, a = month_windows(start, end, today)
    assert [m.label for m in b] == before and [m.label for m in a] == after


def test_no_follow_up_before_a_whole_month_after_the_start_is_over():
    with pytest.raises(FollowUpUnavailable) as caught:
        month_windows(dt.date(2025, 3, 2), None, dt.date(2025, 4, 30))
    assert caught.value.reason == "not_started"


@st.composite
def month_rows(draw):
    """Concerns of one month: small groups, some flooded by one voice."""
    records = []
    for area in ("a", "b", "c")[: draw(st.integers(1, 3))]:
        for _ in range(draw(st.integers(0, 4))):
            category = draw(st.sampled_from(["drugs", "theft", "lighting"]))
            band = draw(st.sampled_from(["night", "day"]))
            n = draw(st.integers(1, 8))
            flooded = draw(st.booleans())
            voice = draw(st.integers(0, 10**6))
            for j in range(n):
                records.append((area, category, band, f"v{voice}" if flooded else f"v{voice}-{j}"))
    return pd.DataFrame(records, columns=["area_id", "category", "time_of_day", "voice"])


@settings(max_examples=150, deadline=None)
@given(rows=month_rows(), k=st.sampled_from([3, 5]))
def test_a_month_never_publishes_a_cell_of_fewer_than_k_voices_nor_implies_one(rows, k):
    areas = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"], "population": 1000})
    published = publish_period(rows, areas, k)
    for area in published["areas"]:
        mine = rows.loc[rows["area_id"] == area["id"]]
        if area["count"]:
            assert mine["voice"].nunique() >= k
        for code, value in area["category_mix"].items():
            if value:
                assert mine.loc[mine["category"] == code, "voice"].nunique() >= k
    counts = rows.groupby("area_id").size().reindex(areas["id"], fill_value=0).to_numpy()
    mixes = {
        "category_mix": np.array(
            [
                [((rows["area_id"] == a) & (rows["category"] == c)).sum() for c in CATEGORY_CODES]
                for a in areas["id"]
            ]
        ),
        "time_band_mix": np.array(
            [
                [((rows["area_id"] == a) & (rows["time_of_day"] == b)).sum() for b in TIME_BANDS]
                for a in areas["id"]
            ]
        ),
    }
    determined, values, _ = attack(published, counts, mixes)
    assert not determined, {u: values[u] for u in determined}
