"""The weekly lägesbild and the tertial ranking against figures computed by hand."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from geoservice.core.events.situation import (
    last_whole_week,
    tertial_bounds,
    tertial_of,
    tertial_ranking,
    weekly_situation,
)
from geoservice.core.typography import LOCAL_ZONE

SPOT_A = (12.4535, 58.7005)  # Mellerud town centre
FAR_A = (12.4700, 58.6900)  # two kilometres away, another cell
SPOT_B = (12.3000, 58.8000)
AREAS = pd.DataFrame(
    {"id": ["a", "b", "c"], "name": ["Alfa", "Beta", "Gamma"], "population": [1000, 500, 0]}
)


def local(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE)).tz_convert("UTC")


def events(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "occurred_from": local(when),
                "lon": spot[0],
                "lat": spot[1],
                "area_id": area,
                "types": types,
                "organisation": org,
            }
            for when, spot, area, types, org in rows
        ],
        columns=["occurred_from", "lon", "lat", "area_id", "types", "organisation"],
    )


def concerns(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "created_at": local(when),
                "lon": spot[0],
                "lat": spot[1],
                "area_id": area,
                "category": category,
                "precision": "point",
            }
            for when, spot, area, category in rows
        ],
        columns=["created_at", "lon", "lat", "area_id", "category", "precision"],
    )


def test_the_last_whole_week_is_the_one_before_this_monday():
    assert last_whole_week(date(2026, 12, 1)) == date(2026, 11, 23)  # a Tuesday
    assert last_whole_week(date(2026, 11, 30)) == date(2026, 11, 23)  # a Monday
    assert last_whole_week(date(2026, 11, 29)) == date(2026, 11, 16)  # a Sunday


def test_the_week_against_the_four_weeks_before_by_hand():
    ev = events(
        # The week of Monday 23 November 2026 (Swedish time).
        ("2026-11-23T00:05", SPOT_A, "a", "graffiti", "Mellerudsbostäder"),
        ("2026-11-25T22:00", SPOT_A, "a", "graffiti,vandalism", "Mellerudsbostäder"),
        ("2026-11-29T23:30", SPOT_A, "a", "littering", "Gatukontoret"),
        ("2026-11-26T12:00", SPOT_B, "b", "fire", "Räddningstjänsten"),
        # Monday after: outside the week, and after the comparison too.
        ("2026-11-30T00:10", SPOT_A, "a", "graffiti", "Mellerudsbostäder"),
        # The four weeks before (26 October – 22 November).
        ("2026-11-03T10:00", FAR_A, "a", "graffiti", "Mellerudsbostäder"),
        ("2026-11-12T10:00", FAR_A, "a", "graffiti", "Mellerudsbostäder"),
        *[(f"2026-11-0{d}T10:00", SPOT_B, "b", "fire", "Räddningstjänsten") for d in (2, 4, 6, 8)],
        # Before the comparison weeks: ignored.
        ("2026-10-25T23:00", SPOT_A, "a", "graffiti", "Mellerudsbostäder"),
    )
    co = concerns(
        ("2026-11-24T18:00", SPOT_A, "a", "vandalism"),
        *[(f"2026-11-1{d}T18:00", SPOT_A, "a", "drugs") for d in (0, 1, 2, 3)],
    )
    week = weekly_situation(
        ev,
        co,
        AREAS,
        date(2026, 11, 23),
        type_labels={"graffiti": "Klotter"},
        category_labels={"drugs": "Narkotika"},
        place_name=lambda lon, lat: "Torget" if lon < 12.46 and lat > 58.69 else "annan",
    )
    assert week.week_end == date(2026, 11, 29) and week.comparison_start == date(2026, 10, 26)
    assert (week.events, week.events_mean) == (4, 1.5)  # 6 events in 4 weeks
    assert (week.concerns, week.concerns_mean) == (1, 1.0)
    areas = {a.area_id: a for a in week.areas}
    assert (areas["a"].events, areas["a"].events_mean) == (3, 0.5)
    assert (areas["a"].concerns, areas["a"].concerns_mean) == (1, 1.0)
    # 4 reports against a weekly mean of 1.5: at least 3 and at least twice the mean.
    assert areas["a"].stands_out
    assert (areas["b"].events, areas["b"].events_mean, areas["b"].stands_out) == (1, 1.0, False)
    types = {t.key: (t.this_week, t.weekly_mean) for t in week.event_types}
    assert types["graffiti"] == (2, 0.5) and types["vandalism"] == (1, 0.0)
    assert types["fire"] == (1, 1.0) and types["littering"] == (1, 0.0)
    assert [t.label for t in week.event_types][1] == "Klotter"
    categories = {c.key: (c.this_week, c.weekly_mean) for c in week.categories}
    assert categories["vandalism"] == (1, 0.0) and categories["drugs"] == (0, 1.0)
    # The town-centre spot: 3 events and 1 concern this week, 4 concerns in 4 weeks before.
    assert [(p.label, p.this_week, p.weekly_mean) for p in week.places] == [("Torget", 4, 1.0)]
    assert week.organisations == {
        "Mellerudsbostäder": 2,
        "Gatukontoret": 1,
        "Räddningstjänsten": 1,
    }


def test_an_empty_week_is_all_zeros_and_nothing_stands_out():
    week = weekly_situation(
        events(),
        concerns(),
        AREAS,
        date(2026, 11, 23),
        type_labels={},
        category_labels={},
        place_name=lambda lon, lat: "-",
    )
    assert (week.events, week.concerns, week.places) == (0, 0, [])
    assert not any(a.stands_out for a in week.areas)


def test_a_week_must_start_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        weekly_situation(
            events(), concerns(), AREAS, date(2026, 11, 24),
            type_labels={}, category_labels={}, place_name=lambda lon, lat: "-",
        )  # fmt: skip


def test_tertials_are_four_months():
    assert tertial_of(date(2026, 4, 30)) == (2026, 1)
    assert tertial_of(date(2026, 5, 1)) == (2026, 2)
    assert tertial_bounds(2026, 3) == (date(2026, 9, 1), date(2026, 12, 31))
    assert tertial_bounds(2026, 2) == (date(2026, 5, 1), date(2026, 8, 31))
    with pytest.raises(ValueError, match="tertial"):
        tertial_bounds(2026, 4)


def test_the_tertial_ranking_by_hand():
    ev = events(
        ("2026-09-01T00:30", SPOT_A, "a", "graffiti", "X"),  # first half hour of T3
        ("2026-12-31T23:00", SPOT_A, "a", "graffiti", "X"),
        ("2026-10-10T10:00", SPOT_B, "b", "fire", "X"),
        ("2026-10-11T10:00", SPOT_B, "c", "fire", "X"),
        ("2026-08-31T23:30", SPOT_A, "a", "graffiti", "X"),  # last half hour of T2
        ("2027-01-01T00:30", SPOT_A, "a", "graffiti", "X"),  # next year: not counted
    )
    co = concerns(
        *[("2026-10-01T12:00", SPOT_A, "a", "drugs")] * 3,
        *[("2026-11-01T12:00", SPOT_B, "b", "drugs")] * 2,
    )
    rows = tertial_ranking(ev, co, AREAS, 2026, 3)
    # Beta: (1 + 2) / 500 × 1 000 = 6.0, before 0 → +6.0; Alfa: (2 + 3) / 1 000 × 1 000 = 5.0,
    # before 1 / 1 000 × 1 000 = 1.0 → +4.0; Gamma has no residents: no rate, last.
    assert [(r.rank, r.name, r.events, r.concerns) for r in rows] == [
        (1, "Beta", 1, 2),
        (2, "Alfa", 2, 3),
        (3, "Gamma", 1, 0),
    ]
    beta, alfa, gamma = rows
    assert (beta.rate_per_1000, beta.previous_rate_per_1000, beta.change) == (6.0, 0.0, 6.0)
    assert (alfa.rate_per_1000, alfa.previous_rate_per_1000) == (5.0, 1.0)
    assert alfa.change == pytest.approx(4.0)
    assert (beta.previous_rank, alfa.previous_rank) == (2, 1)
    assert gamma.rate_per_1000 is None and gamma.change is None and gamma.previous_rank is None
