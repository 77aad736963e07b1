"""Predictive accuracy: hit rate, PAI and PEI on constructed grids with known answers."""

from __future__ import annotations

import h3.api.numpy_int as h3n
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoservice.core.analysis.accuracy import (
    TABLE_COLUMNS,
    Accuracy,
    cells_for_coverage,
    hit_rate_pai_pei,
    predictive_accuracy,
)
from geoservice.core.analysis.hexgrid import cell_centres

TOWN_CELL = h3n.latlng_to_cell(58.7005, 12.4535, 10)
STUDY = np.sort(h3n.grid_disk(TOWN_CELL, 6))[:100]  # 100 near-equal cells
AREA = np.array([h3n.cell_area(int(c), "m^2") for c in STUDY])


def share(cells) -> float:
    return sum(h3n.cell_area(int(c), "m^2") for c in cells) / AREA.sum()


def test_perfect_map_hits_everything():
    ranking = STUDY[[7, 3, *range(10, 60)]]
    b = np.repeat(STUDY[[7, 3]], [6, 4])  # all ten later concerns in the map's top 2 cells

    acc = hit_rate_pai_pei(ranking, b, STUDY, 0.02)

    assert acc.n_cells == 2 and acc.hits == 10 and acc.n_concerns == 10
    assert acc.hit_rate == 1.0
    assert acc.area_share == pytest.approx(share(STUDY[[7, 3]]))
    assert acc.area_share == pytest.approx(0.02, rel=0.01)
    assert acc.pai == pytest.approx(1 / acc.area_share)
    assert acc.pei == 1.0


def test_map_that_misses_scores_zero():
    acc = hit_rate_pai_pei(STUDY[50:], np.repeat(STUDY[[7, 3]], 5), STUDY, 0.05)

    assert (acc.hits, acc.hit_rate, acc.pai, acc.pei) == (0, 0.0, 0.0, 0.0)


def test_half_right_map():
    b = np.repeat(STUDY[[0, 1, 2]], [5, 3, 2])  # best two cells hold 8 of 10
    acc = hit_rate_pai_pei(STUDY[[0, 2, 1]], b, STUDY, 0.02)

    assert acc.hits == 7
    assert acc.hit_rate == pytest.approx(0.7)
    assert acc.pei == pytest.approx(7 / 8)
    # PEI is PAI over the best PAI for the same area.
    assert acc.pei == pytest.approx(acc.pai / ((8 / 10) / acc.area_share))


@pytest.mark.parametrize(
    ("n", "coverage", "cells"),
    [
        (100, 0.01, 1),
        (100, 0.05, 5),
        (100, 0.07, 7),
        (100, 0.011, 2),
        (30, 0.01, 1),
        (250, 0.01, 3),
    ],
)
def test_coverage_takes_the_fewest_cells_reaching_it_and_at_least_one(n, coverage, cells):
    assert cells_for_coverage(n, coverage) == cells


def test_coverage_is_counted_in_cells_though_their_areas_differ_slightly():
    # The smallest cell first: by area alone 1 % might need a second cell.
    ranking = STUDY[np.argsort(AREA)]
    assert AREA.min() < AREA.mean()

    assert hit_rate_pai_pei(ranking, STUDY[:1], STUDY, 0.01).n_cells == 1


def test_ties_are_broken_by_the_ranking_order():
    b = np.repeat(STUDY[[4, 5]], 3)
    assert hit_rate_pai_pei(STUDY[[4, 5]], b, STUDY, 0.01).hits == 3
    assert hit_rate_pai_pei(STUDY[[5, 4]], b, STUDY, 0.01).hits == 3
    assert hit_rate_pai_pei(STUDY[[9, 4, 5]], b, STUDY, 0.01).hits == 0


def test_outside_cells_and_repeats_in_the_ranking_are_skipped():
    outside = h3n.latlng_to_cell(58.0, 12.0, 10)
    b = np.concatenate([np.repeat(STUDY[[1]], 4), np.array([outside, outside, 0], np.uint64)])

    acc = hit_rate_pai_pei([outside, STUDY[1], STUDY[1], STUDY[2]], b, STUDY, 0.01)

    assert (acc.n_cells, acc.hits, acc.n_concerns) == (1, 4, 4)


def test_no_later_concerns_gives_no_rates():
    acc = hit_rate_pai_pei(STUDY, [], STUDY, 0.05)

    assert acc == Accuracy(0.05, 5, acc.area_share, 0, None, None, None, 0)


@pytest.mark.parametrize("coverage", [0, -0.1, 1.5, "5 %", True])
def test_bad_coverage_is_refused(coverage):
    with pytest.raises(ValueError, match="'coverage'"):
        hit_rate_pai_pei(STUDY, STUDY[:3], STUDY, coverage)


def test_ranking_without_study_cells_is_refused():
    with pytest.raises(ValueError, match="'ranking_cells'"):
        hit_rate_pai_pei([h3n.latlng_to_cell(58.0, 12.0, 10)], STUDY[:3], STUDY, 0.01)


@settings(max_examples=60, deadline=None)
@given(
    ranking=st.permutations(list(range(100))),
    b=st.lists(st.integers(0, 99), min_size=1, max_size=60),
    coverage=st.floats(0.001, 1.0),
)
def test_pei_is_never_above_one(ranking, b, coverage):
    acc = hit_rate_pai_pei(STUDY[ranking], STUDY[b], STUDY, coverage)

    assert 0 <= acc.pei <= 1
    assert 0 <= acc.hit_rate <= 1
    assert acc.pai == pytest.approx(acc.hit_rate / acc.area_share)
    assert acc.n_cells == cells_for_coverage(100, coverage)


# --- both maps on report frames --------------------------------------------------------


def reports(cells, repeat, start="2026-03-02"):
    """One report per repetition of each cell, each from its own client on its own day."""
    lat, lon = cell_centres(np.repeat(np.asarray(cells, dtype=np.uint64), repeat))
    n = lat.size
    return pd.DataFrame(
        {
            "lat": lat,
            "lon": lon,
            "created_at": pd.date_range(start, periods=n, freq="h", tz="UTC"),
            "precision": "point",
            "client_key": [f"c{i}" for i in range(n)],
            "status": "new",
        }
    )


@pytest.fixture(scope="module")
def mask():
    return np.sort(h3n.grid_disk(TOWN_CELL, 12))  # 469 cells


def test_both_maps_on_a_persistent_cluster(mask):
    rng = np.random.default_rng(3)
    cluster = h3n.grid_disk(TOWN_CELL, 1)
    background = rng.choice(mask, 60, replace=False)
    df_a = reports(np.concatenate([cluster, background]), np.r_[np.full(7, 6), np.ones(60, int)])
    df_b = reports(cluster, 4, start="2026-06-01")

    out = predictive_accuracy(df_a, df_b, mask)
    table = out["table"]

    assert out["gi_significant"]
    assert out["concerns_b"] == 28
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert table[["method", "coverage"]].values.tolist() == [
        ["gi_star", 0.01],
        ["gi_star", 0.05],
        ["naive", 0.01],
        ["naive", 0.05],
    ]
    # 1 % of 469 cells is 5 cells; the cluster is 7: at best 5 of 7 cells' worth.
    assert table["cells"].tolist() == [5, 24, 5, 24]
    assert table["hit_rate"].tolist() == pytest.approx([20 / 28, 1, 20 / 28, 1])
    assert (table["pei"] == 1).all()
    assert table["pai"].iloc[1] == pytest.approx(1 / table["area_share"].iloc[1])


def test_gi_star_ranks_significant_hot_cells_first(mask):
    # A: a strong ring of six cells around an empty centre, and a lone high count far away.
    ring = h3n.grid_ring(TOWN_CELL, 1)
    lone = np.sort(h3n.grid_ring(TOWN_CELL, 11))[0]
    rng = np.random.default_rng(4)
    background = rng.choice(np.setdiff1d(mask, h3n.grid_disk(TOWN_CELL, 3)), 50, replace=False)
    background = np.setdiff1d(background, [lone])
    df_a = reports(
        np.concatenate([ring, [lone], background]),
        np.r_[np.full(6, 5), [12], np.ones(background.size, int)],
    )
    # B: concerns at the empty centre, which Gi* (the cell and its rings) picks up.
    df_b = reports([TOWN_CELL], 5, start="2026-06-01")

    # 5 % of 469 cells is 24: the seven hot cells and 17 of the 50 cells with one concern.
    table = predictive_accuracy(df_a, df_b, mask, coverages=(0.05,))["table"]
    by_method = table.set_index("method")

    assert by_method.loc["gi_star", "hit_rate"] == 1.0
    assert by_method.loc["naive", "hit_rate"] == 0.0


def test_too_little_data_falls_back_to_counts_and_says_so(mask):
    df_a = reports(mask[:10], 2)
    df_b = reports(mask[:3], 1, start="2026-06-01")

    out = predictive_accuracy(df_a, df_b, mask)
    table = out["table"]

    assert not out["gi_significant"]
    gi = table[table.method == "gi_star"].drop(columns="method").reset_index(drop=True)
    naive = table[table.method == "naive"].drop(columns="method").reset_index(drop=True)
    pd.testing.assert_frame_equal(gi, naive)
    assert "för lite data" in out["explanation_sv"]
    assert "too little data" in out["explanation_en"]


def test_moderated_and_flooded_b_concerns_do_not_count(mask):
    df_a = reports(mask[:10], 2)
    flood = reports(mask[[0]], 5, start="2026-06-01").assign(client_key="same")
    flood["created_at"] = pd.Timestamp("2026-06-01T10:00Z")
    spam = reports(mask[[1]], 3, start="2026-06-01").assign(status="spam")

    out = predictive_accuracy(df_a, pd.concat([flood, spam], ignore_index=True), mask)

    assert out["concerns_b"] == 1
