"""k-anonymity of public outputs: nothing below k comes out, directly or by arithmetic."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from geoservice.core.analysis.aggregate import aggregate_areas
from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.suppression import (
    PeriodError,
    coarse_period,
    protect_hierarchy,
    protect_table,
    public_area_payload,
    small_count_mask,
    suppress_small_counts,
)

# --- an independent attacker ---------------------------------------------------------


def determined_unknowns(equations: list[tuple[dict[str, int], float]], unknowns: list[str]):
    """Return the unknowns that the linear equations fix to a single value.

    Each equation is ``({unknown: coefficient}, right-hand side)``. An unknown is fixed
    exactly when its unit vector lies in the row space of the coefficient matrix, i.e.
    every vector of the null space is 0 there.
    """
    if not unknowns:
        return set()
    index = {u: j for j, u in enumerate(unknowns)}
    matrix = np.zeros((max(len(equations), 1), len(unknowns)))
    for i, (coefs, _) in enumerate(equations):
        for u, c in coefs.items():
            matrix[i, index[u]] = c
    _, s, vt = np.linalg.svd(matrix)
    rank = int((s > 1e-9).sum())
    null_space = vt[rank:]
    return {u for u in unknowns if np.all(np.abs(null_space[:, index[u]]) < 1e-9)}


def attack(payload: dict, truth_areas: np.ndarray, truth_mixes: dict[str, np.ndarray]):
    """Write every published sum as an equation over the hidden cells and solve it."""
    unknowns: list[str] = []
    values: dict[str, int] = {}

    def term(name: str, published, true_value) -> tuple[str | None, int]:
        if published is None:
            unknowns.append(name)
            values[name] = int(true_value)
            return name, 0
        return None, int(published)

    total_name, total_known = term("T", payload["total"], truth_areas.sum())
    equations = []
    top: dict[str, int] = {}
    rhs = 0.0
    if total_name:
        top[total_name] = -1
    else:
        rhs = total_known
    for i, area in enumerate(payload["areas"]):
        area_name, area_known = term(f"A{i}", area["count"], truth_areas[i])
        if area_name:
            top[area_name] = 1
        else:
            rhs -= area_known
        for key, codes in (("category_mix", CATEGORY_CODES), ("time_band_mix", TIME_BANDS)):
            coefs: dict[str, int] = {}
            row_rhs = 0.0
            if area_name:
                coefs[area_name] = -1
            else:
                row_rhs = area_known
            for j, code in enumerate(codes):
                part_name, part_known = term(f"{key}{i}.{code}", area[key][code], 0)
                if part_name:
                    values[part_name] = int(truth_mixes[key][i, j])
                    coefs[part_name] = 1
                else:
                    row_rhs -= part_known
            if coefs:
                equations.append((coefs, row_rhs))
    if top:
        equations.append((top, rhs))
    return determined_unknowns(equations, unknowns), values, equations


def check_published_sums(parts, total, hidden_parts, total_hidden, k):
    """The hidden parts of a published total are a safe group (module rules 2-4)."""
    parts = np.asarray(parts)
    if total_hidden:
        assert hidden_parts.all(), "a hidden total hides its whole breakdown"
        return
    if not hidden_parts.any():
        return
    group = parts[hidden_parts]
    assert (group > 0).all(), "only non-zero parts are hidden under a published total"
    assert group.size >= 2
    assert group.sum() >= k, "total minus the published parts must not be a small count"
    assert group.sum() > group.size, "parts known to be >= 1 must not be pinned to 1"


# --- strategies ----------------------------------------------------------------------

small_or_big = st.one_of(
    st.just(0), st.just(0), st.integers(1, 4), st.integers(1, 4), st.integers(5, 60)
)


@st.composite
def area_tables(draw):
    """Per-area category counts and a time-band split of the same totals."""
    n_areas = draw(st.integers(1, 6))
    categories = np.array(
        [[draw(small_or_big) for _ in CATEGORY_CODES] for _ in range(n_areas)], dtype=np.int64
    )
    # Many areas hold only a couple of concerns: thin most rows out.
    for i in range(n_areas):
        if draw(st.booleans()):
            keep = draw(st.integers(0, 2))
            categories[i, keep + 1 :] = 0
    totals = categories.sum(axis=1)
    bands = np.zeros((n_areas, len(TIME_BANDS)), dtype=np.int64)
    for i, total in enumerate(totals.tolist()):
        cuts = sorted(draw(st.integers(0, total)) for _ in range(len(TIME_BANDS) - 1))
        bands[i] = np.diff([0, *cuts, total])
    return totals, {"category_mix": categories, "time_band_mix": bands}


def agg_frame(totals, mixes, population=1000):
    return pd.DataFrame(
        {
            "area_id": [f"a{i}" for i in range(len(totals))],
            "name": [f"Area {i}" for i in range(len(totals))],
            "population": population,
            "count": totals,
            "rate_per_1000": [t / population * 1000 for t in totals],
            "category_mix": [
                dict(zip(CATEGORY_CODES, row, strict=True))
                for row in mixes["category_mix"].tolist()
            ],
            "time_band_mix": [
                dict(zip(TIME_BANDS, row, strict=True)) for row in mixes["time_band_mix"].tolist()
            ],
        }
    )


def published_numbers(payload):
    yield payload["total"]
    for area in payload["areas"]:
        yield area["count"]
        yield from area["category_mix"].values()
        yield from area["time_band_mix"].values()


# --- properties ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(small_or_big, min_size=1, max_size=12), k=st.sampled_from([2, 3, 5, 10]))
def test_one_level_table_hides_small_parts_and_their_complements(parts, k):
    total = sum(parts)
    protection = protect_table(parts, total, k)
    parts_a = np.array(parts)
    published = parts_a[~protection.parts]
    assert not ((published > 0) & (published < k)).any()
    if 0 < total < k:
        assert protection.total
    check_published_sums(parts_a, total, protection.parts, protection.total, k)


@settings(max_examples=200, deadline=None)
@given(tables=area_tables(), k=st.sampled_from([2, 3, 5, 10]))
def test_public_payload_never_shows_or_implies_a_small_count(tables, k):
    totals, mixes = tables
    payload = public_area_payload(agg_frame(totals, mixes), k)

    for number in published_numbers(payload):
        assert number is None or number == 0 or number >= k

    for i, area in enumerate(payload["areas"]):
        assert (area["count"] is None) == area["suppressed"] == (area["rate_per_1000"] is None)
        for key, codes in (("category_mix", CATEGORY_CODES), ("time_band_mix", TIME_BANDS)):
            hidden = np.array([area[key][c] is None for c in codes])
            check_published_sums(mixes[key][i], totals[i], hidden, area["suppressed"], k)
    check_published_sums(
        totals,
        totals.sum(),
        np.array([a["suppressed"] for a in payload["areas"]]),
        payload["total"] is None,
        k,
    )

    determined, values, _ = attack(payload, totals, mixes)
    assert not determined, {u: values[u] for u in determined}


@settings(max_examples=50, deadline=None)
@given(tables=area_tables(), k=st.sampled_from([3, 5]))
def test_protection_is_stable_and_only_adds_suppression(tables, k):
    totals, mixes = tables
    first = protect_hierarchy(totals, mixes, k)
    again = protect_hierarchy(totals, mixes, k)
    np.testing.assert_array_equal(first.areas, again.areas)
    assert small_count_mask(totals, k)[~first.areas].sum() == 0


# --- examples ------------------------------------------------------------------------


def test_one_small_area_among_large_ones_takes_the_smallest_other_with_it():
    protection = protect_table([50, 3, 50, 50, 50], 203, k=5)

    assert protection.parts.tolist() == [True, True, False, False, False]
    assert not protection.total  # 203 is published


def test_recovering_a_small_area_by_subtraction_fails():
    counts = [50, 3, 60, 70, 80]
    mixes = {"category_mix": np.zeros((5, 10), int), "time_band_mix": np.zeros((5, 4), int)}
    mixes["category_mix"][:, 0] = counts
    mixes["time_band_mix"][:, 3] = counts
    payload = public_area_payload(agg_frame(np.array(counts), mixes), k=5)

    published = [a["count"] for a in payload["areas"] if a["count"] is not None]
    left_over = payload["total"] - sum(published)
    # The attacker only learns that two areas hold 53 between them.
    assert left_over == 53
    assert [a["suppressed"] for a in payload["areas"]] == [True, True, False, False, False]
    assert not attack(payload, np.array(counts), mixes)[0]


def test_two_small_parts_that_together_reach_k_still_hide_a_third():
    # 2 + 2 = 4 < 5: the 2s alone would publish "4 in these two areas".
    protection = protect_table([2, 2, 0, 9], 13, k=5)

    assert protection.parts.tolist() == [True, True, False, True]


def test_parts_that_are_all_ones_hide_the_total():
    # Five hidden ones under a published 5 would each be pinned to exactly 1.
    protection = protect_table([1, 1, 1, 1, 1, 0], 5, k=5)

    assert protection.total
    assert protection.parts.all()


def test_total_below_k_hides_everything_including_zeros():
    protection = protect_table([3, 0, 0], 3, k=5)

    assert protection.total
    assert protection.parts.all()


def test_zero_is_published():
    assert protect_table([0, 0, 40], 40, k=5).parts.tolist() == [False, False, False]
    assert suppress_small_counts([0, 1, 4, 5], 5).mask.tolist() == [False, True, True, False]


def test_hidden_area_hides_its_category_and_time_band_mix():
    counts = np.array([3, 40, 40])
    categories = np.zeros((3, 10), int)
    categories[0, :2] = [1, 2]
    categories[1, 0] = categories[2, 0] = 40
    bands = np.zeros((3, 4), int)
    bands[:, 0] = counts
    payload = public_area_payload(
        agg_frame(counts, {"category_mix": categories, "time_band_mix": bands}), k=5
    )

    for area in payload["areas"][:2]:
        assert area["suppressed"]
        assert set(area["category_mix"].values()) == {None}
        assert set(area["time_band_mix"].values()) == {None}
    assert payload["areas"][2]["category_mix"]["drugs"] == 40
    assert payload["total"] == 83


def test_area_whose_breakdown_cannot_be_protected_is_hidden_with_a_partner():
    counts = np.array([5, 30, 40])
    categories = np.zeros((3, 10), int)
    categories[0, :5] = 1  # five different categories, one concern each
    categories[1, 0], categories[2, 0] = 30, 40
    bands = np.zeros((3, 4), int)
    bands[:, 3] = counts
    mixes = {"category_mix": categories, "time_band_mix": bands}

    payload = public_area_payload(agg_frame(counts, mixes), k=5)

    assert [a["suppressed"] for a in payload["areas"]] == [True, True, False]
    assert payload["total"] == 75
    assert not attack(payload, counts, mixes)[0]


def test_payload_shape_is_json_ready():
    counts = np.array([12, 0])
    categories = np.zeros((2, 10), int)
    categories[0, 1] = 12
    bands = np.zeros((2, 4), int)
    bands[0, 2] = 12
    frame = agg_frame(counts, {"category_mix": categories, "time_band_mix": bands})
    frame.loc[1, "rate_per_1000"] = None

    payload = public_area_payload(frame, k=5)

    json.dumps(payload)
    assert payload["k"] == 5
    assert payload["total"] == 12 and payload["total_suppressed"] is False
    first = payload["areas"][0]
    assert first == {
        "id": "a0",
        "name": "Area 0",
        "population": 1000,
        "count": 12,
        "rate_per_1000": 12.0,
        "suppressed": False,
        "category_mix": dict.fromkeys(CATEGORY_CODES, 0) | {"lighting": 12},
        "time_band_mix": {"day": 0, "evening": 0, "night": 12, "unknown": 0},
    }
    assert payload["areas"][1]["count"] == 0
    assert payload["areas"][1]["rate_per_1000"] is None


def test_empty_municipality():
    payload = public_area_payload(agg_frame(np.array([0, 0]), _zero_mixes(2)), k=5)

    assert payload["total"] == 0
    assert [a["count"] for a in payload["areas"]] == [0, 0]


def _zero_mixes(n):
    return {
        "category_mix": np.zeros((n, len(CATEGORY_CODES)), int),
        "time_band_mix": np.zeros((n, len(TIME_BANDS)), int),
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parts": [1, 2], "total": 4, "k": 5}, "should sum to 'total'"),
        ({"parts": [-1, 5], "total": 4, "k": 5}, "counts >= 0"),
        ({"parts": [1, 2], "total": 3, "k": 0}, "positive integer"),
        ({"parts": [[1, 2]], "total": 3, "k": 5}, "1 dimension"),
    ],
)
def test_protect_table_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        protect_table(**kwargs)


def test_protect_hierarchy_rejects_a_breakdown_that_does_not_add_up():
    with pytest.raises(ValueError, match="row 1 sums to 3, not to the area count 4"):
        protect_hierarchy([2, 4], {"category": [[2, 0], [1, 2]]}, k=5)


# --- coarse public periods -----------------------------------------------------------


def test_coarse_period_covers_whole_months_in_local_time():
    start, end = coarse_period("2025-01", "2025-03")

    assert start == pd.Timestamp("2025-01-01", tz="Europe/Stockholm")
    assert end == pd.Timestamp("2025-04-01", tz="Europe/Stockholm")


def test_coarse_period_single_month_and_year_end():
    assert coarse_period("2024-12") == (
        pd.Timestamp("2024-12-01", tz="Europe/Stockholm"),
        pd.Timestamp("2025-01-01", tz="Europe/Stockholm"),
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2025-3", None, "start"),
        ("2025-13", None, "start"),
        ("2025-03-05", None, "start"),
        ("march", None, "start"),
        (202503, None, "start"),
        ("2025-03", "2025-03-31", "end"),
        ("2025-03", "2025-02", "end"),
    ],
)
def test_coarse_period_rejects_anything_but_whole_months(start, end, field):
    with pytest.raises(PeriodError) as excinfo:
        coarse_period(start, end)

    assert excinfo.value.field == field
    assert field in str(excinfo.value)


def test_public_path_from_reports_to_payload():
    areas = gpd.GeoDataFrame(
        {"id": list("abcde"), "name": list("ABCDE"), "population": [900, 800, 700, 600, 500]},
        geometry=[box(i, 0, i + 1, 1) for i in range(5)],
        crs="EPSG:4326",
    )
    per_area = {"a": 3, "b": 50, "c": 50, "d": 50, "e": 50}
    when = pd.Timestamp("2025-03-10 20:00", tz="UTC")
    rows = [
        {
            "id": f"{area}{n}",
            "created_at": when,
            "lon": 12.45,
            "lat": 58.7,
            "precision": "point",
            "kind": "unsafe",
            "category": CATEGORY_CODES[n % 3],
            "time_of_day": "evening",
            "weekend": False,
            "area_id": area,
            "status": "new",
            "client_key": "c",
            "is_demo": False,
            "source": "web",
        }
        for area, count in per_area.items()
        for n in range(count)
    ]
    start, end = coarse_period("2025-03")
    agg = aggregate_areas(pd.DataFrame(rows), areas, start, end)

    payload = public_area_payload(agg, k=5)

    hidden = [a["id"] for a in payload["areas"] if a["suppressed"]]
    assert hidden == ["a", "b"]
    assert payload["total"] == 203
    assert payload["areas"][2]["category_mix"]["drugs"] == 17
    for number in published_numbers(payload):
        assert number is None or number == 0 or number >= 5
