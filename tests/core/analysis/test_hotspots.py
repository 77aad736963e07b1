"""Hotspots: Gi* as esda computes it, FDR classes, one voice per place, minimum data, mask."""

from __future__ import annotations

import h3
import h3.api.numpy_int as h3n
import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.stats
import shapely
from esda.getisord import G_Local
from scipy.special import erfc

from geoservice.core.analysis.hexgrid import cell_centres
from geoservice.core.analysis.hotspots import (
    HOTSPOT_CLASSES,
    HotspotResult,
    benjamini_hochberg,
    compute_hotspots,
    getis_ord_gi_star,
    hotspot_classes,
    one_voice_per_place,
    ring_neighbours,
)
from geoservice.core.analysis.study_area import study_area_cells

TOWN = (58.7005, 12.4535)  # lat, lon of Mellerud town centre
TOWN_CELL = h3n.latlng_to_cell(*TOWN, 10)


def reports(lat, lon, *, client_key=None, created_at="2026-03-02T12:00:00Z", precision="point"):
    """A report frame with the columns hotspots need, one row per point."""
    n = len(lat)
    keys = [f"c{i}" for i in range(n)] if client_key is None else client_key
    return pd.DataFrame(
        {
            "lat": np.asarray(lat, dtype=float),
            "lon": np.asarray(lon, dtype=float),
            "created_at": pd.to_datetime(
                pd.Series(created_at if not isinstance(created_at, str) else [created_at] * n)
            ),
            "precision": precision if isinstance(precision, list) else [precision] * n,
            "client_key": keys,
            "status": ["new"] * n,
        }
    )


def points_in(cells, repeat=1):
    lat, lon = cell_centres(np.repeat(np.asarray(cells, dtype=np.uint64), repeat))
    return lat, lon


def esda_weights(neighbours) -> libpysal.weights.W:
    """libpysal W with the same neighbour lists, without self-links.

    With ``star=True`` and a zero diagonal esda fills the diagonal with 1 itself
    (``_infer_star_and_structure_w``), which is the Gi* definition used here.
    """
    coo = neighbours.tocoo()
    lists = {i: [] for i in range(neighbours.shape[0])}
    for i, j in zip(coo.row.tolist(), coo.col.tolist(), strict=True):
        if i != j:
            lists[i].append(j)
    return libpysal.weights.W(lists)


@pytest.fixture(scope="module")
def mask():
    return np.sort(h3n.grid_disk(TOWN_CELL, 12))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gi_star_z_equals_esda_analytic_z(mask, seed):
    rng = np.random.default_rng(seed)
    counts = rng.poisson(0.6, mask.size).astype(float)
    counts[rng.choice(mask.size, 15, replace=False)] += rng.integers(3, 12, 15)
    neighbours = ring_neighbours(mask)

    z, p = getis_ord_gi_star(counts, neighbours)
    esda = G_Local(counts, esda_weights(neighbours), transform="B", star=True, permutations=0)

    np.testing.assert_allclose(z, esda.Zs, rtol=0, atol=1e-9)
    esda_p = erfc(np.abs(esda.Zs) / np.sqrt(2))
    assert np.array_equal(hotspot_classes(z, p), hotspot_classes(esda.Zs, esda_p))
    np.testing.assert_allclose(p, 2 * scipy.stats.norm.sf(np.abs(esda.Zs)), rtol=1e-9)


def test_neighbourhood_is_the_cell_and_two_rings_inside_the_mask(mask):
    neighbours = ring_neighbours(mask)
    sizes = np.asarray(neighbours.sum(axis=1)).ravel()
    centre = int(np.searchsorted(mask, TOWN_CELL))

    assert sizes[centre] == 19
    assert neighbours[centre, centre] == 1
    assert sizes.min() < 19  # cells on the mask's edge lose neighbours outside it


def test_equal_counts_give_zero_z_and_p_one(mask):
    z, p = getis_ord_gi_star(np.full(mask.size, 3.0), ring_neighbours(mask))

    assert np.array_equal(z, np.zeros(mask.size))
    assert np.array_equal(p, np.ones(mask.size))


def test_benjamini_hochberg_matches_scipy():
    p = np.random.default_rng(5).uniform(0, 1, 400) ** 3
    for q in (0.01, 0.05, 0.10):
        adjusted = scipy.stats.false_discovery_control(p, method="bh")
        assert np.array_equal(benjamini_hochberg(p, q), adjusted <= q)


@pytest.mark.parametrize(("third_z", "third_class"), [(2.2, "hot_95"), (2.0, "hot_90")])
def test_classes_take_the_strongest_fdr_level_passed(third_z, third_class):
    z = np.array([5.0, -5.0, third_z, 0.5])
    p = erfc(np.abs(z) / np.sqrt(2))
    # m = 4; the third-smallest p must be <= 3 alpha / 4 at a level: z = 2.2 gives
    # p = 0.028 (> 0.0075 at 0.01, <= 0.0375 at 0.05), z = 2.0 gives p = 0.046
    # (> 0.0375 at 0.05, <= 0.075 at 0.10).

    classes = hotspot_classes(z, p)

    assert classes.tolist() == ["hot_99", "cold_99", third_class, "not_significant"]


def test_one_client_counts_once_per_cell_and_utc_day():
    lat, lon = points_in([TOWN_CELL], repeat=7)
    df = reports(
        lat,
        lon,
        client_key=["a", "a", "a", "a", "b", None, None],
        created_at=[
            "2026-03-02T08:00:00Z",
            "2026-03-02T20:00:00Z",
            "2026-03-02T23:59:00Z",
            "2026-03-03T00:01:00Z",  # next UTC day: a new voice
            "2026-03-02T08:00:00Z",
            "2026-03-02T08:00:00Z",  # no key: each counts
            "2026-03-02T08:00:00Z",
        ],
    )
    cells = np.full(len(df), TOWN_CELL, dtype=np.uint64)

    kept = one_voice_per_place(df, cells)

    assert kept["client_key"].fillna("-").tolist() == ["a", "a", "b", "-", "-"]
    assert (kept["cell"] == TOWN_CELL).all()


def test_one_voice_is_per_cell_and_area_concerns_are_left_out():
    other = h3n.grid_ring(TOWN_CELL, 1)[0]
    lat, lon = points_in([TOWN_CELL, other, TOWN_CELL])
    df = reports(lat, lon, client_key=["a", "a", "b"], precision=["point", "point", "area"])
    cells = np.array([TOWN_CELL, other, TOWN_CELL], dtype=np.uint64)

    kept = one_voice_per_place(df, cells)

    assert kept["cell"].tolist() == [TOWN_CELL, other]


def test_flooding_one_spot_does_not_make_a_hotspot(mask):
    rng = np.random.default_rng(3)
    lat, lon = points_in(rng.choice(mask, 200))
    flood_lat, flood_lon = points_in([mask[0]], repeat=80)
    df = pd.concat(
        [reports(lat, lon), reports(flood_lat, flood_lon, client_key=["x"] * 80)],
        ignore_index=True,
    )

    result = compute_hotspots(df, mask_cells=mask)

    assert result.n_reports == 201
    assert result.counts[np.searchsorted(result.cells, mask[0])] <= 2


def test_planted_cluster_is_hot_99(mask):
    rng = np.random.default_rng(11)
    background = rng.choice(mask, 300)
    cluster = np.concatenate(
        [np.repeat(np.uint64(TOWN_CELL), 12), np.repeat(h3n.grid_ring(TOWN_CELL, 1), 6)]
    )
    lat, lon = points_in(np.concatenate([background, cluster]))

    result = compute_hotspots(reports(lat, lon), mask_cells=mask)

    assert result.significant
    assert set(result.classes) <= set(HOTSPOT_CLASSES)
    assert result.classes[np.searchsorted(result.cells, TOWN_CELL)] == "hot_99"
    far = np.searchsorted(result.cells, mask[0])  # a corner of the mask, far from it
    assert result.classes[far] in ("not_significant", "cold_90", "cold_95", "cold_99")
    assert "heta" in result.explanation_sv and "hot" in result.explanation_en


def test_too_few_concerns_claims_no_significance(mask):
    lat, lon = points_in(mask[:42])

    result = compute_hotspots(reports(lat, lon), mask_cells=mask)

    assert not result.significant
    assert result.explanation_sv == (
        "För få synpunkter (42 av minst 60) för att säga var det finns statistiskt "
        "säkerställda hotspots. Kartan visar antal."
    )
    assert "42 of at least 60" in result.explanation_en
    assert set(result.classes) == {"not_significant"}
    assert np.isnan(result.z).all()
    records = result.records()
    assert len(records) == 42
    assert records[0]["gi_z"] is None and records[0]["count"] == 1


def test_too_few_cells_claims_no_significance(mask):
    lat, lon = points_in(mask[:10], repeat=10)

    result = compute_hotspots(reports(lat, lon), mask_cells=mask)

    assert not result.significant
    assert result.n_reports == 100 and result.n_cells_with_data == 10
    assert "10 av minst 30" in result.explanation_sv


def test_mask_excludes_empty_cells_far_from_every_concern():
    village = h3n.latlng_to_cell(58.7853, 12.4289, 10)  # Åsensbruk, ~10 km north
    lat, lon = points_in([TOWN_CELL, village])
    lake = h3n.latlng_to_cell(58.75, 12.60, 10)  # ~9 km from both
    outline = shapely.box(12.40, 58.68, 12.455, 58.80)  # leaves out the east of the town

    cells = study_area_cells(lon, lat, buffer_m=500)
    clipped = study_area_cells(lon, lat, buffer_m=500, outline=outline)

    assert TOWN_CELL in cells and village in cells
    assert lake not in cells
    assert 40 < cells.size < 160  # two disks of radius 500 m, ~11,300 m² cells
    assert clipped.size < cells.size
    clat, clon = cell_centres(np.setdiff1d(clipped, [TOWN_CELL, village]))
    assert (clon <= 12.455).all()
    assert study_area_cells(lon, lat, buffer_m=1000).size > 3 * cells.size


def test_default_mask_comes_from_the_data(mask):
    rng = np.random.default_rng(4)
    lat, lon = points_in(rng.choice(mask, 150))
    result = compute_hotspots(reports(lat, lon))

    far = h3n.latlng_to_cell(58.60, 12.30, 10)
    assert far not in result.cells
    assert result.n_reports == 150


def test_records_hide_cold_spots_unless_asked():
    result = HotspotResult(
        cells=np.array([TOWN_CELL], dtype=np.uint64),
        counts=np.array([0]),
        z=np.array([-4.0]),
        p=np.array([6e-5]),
        classes=np.array(["cold_99"]),
        significant=True,
        n_reports=0,
        n_cells_with_data=0,
        explanation_sv="",
        explanation_en="",
    )

    assert result.records(empty=True)[0]["hotspot_class"] == "not_significant"
    shown = result.records(include_cold=True, empty=True)[0]
    assert shown == {
        "cell": h3.int_to_str(int(TOWN_CELL)),
        "count": 0,
        "gi_z": -4.0,
        "gi_p": 6e-5,
        "hotspot_class": "cold_99",
        "nearby": 0,
        "local_p": None,
        "local_ratio": None,
        "zone": None,
    }
    assert result.records() == []  # cells without concerns only when asked


def test_moderated_reports_are_not_counted(mask):
    lat, lon = points_in(mask[:70])
    df = reports(lat, lon)
    df.loc[:19, "status"] = "spam"

    assert compute_hotspots(df, mask_cells=mask).n_reports == 50
