"""Hotspots discriminate: planted clusters are found, a uniform background is not hot.

Generated data in SWEREF 99 TM (EPSG:3006): a uniform background of about 400 concerns
over a 2 x 2 km part of Mellerud town, plus clusters of 40 concerns within 100 m of their
centres, every concern from a distinct client (SPEC §6, issue "Hotspots that point at
places"). Repeated over seeds and layouts, with a cluster in a village too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geoservice.core.analysis.hexgrid import cell_centres
from geoservice.core.analysis.hotspots import compute_hotspots

TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
TOWN = TO_METRIC.transform(12.4535, 58.7005)  # x, y of Mellerud town centre
ASENSBRUK = TO_METRIC.transform(12.428889, 58.785278)
DALS_ROSTOCK = TO_METRIC.transform(12.35, 58.716667)


def uniform_square(rng, centre, side_m, n):
    x = centre[0] + rng.uniform(-side_m / 2, side_m / 2, n)
    y = centre[1] + rng.uniform(-side_m / 2, side_m / 2, n)
    return x, y


def disc(rng, centre, radius_m, n):
    r = radius_m * np.sqrt(rng.uniform(0, 1, n))
    a = rng.uniform(0, 2 * np.pi, n)
    return centre[0] + r * np.cos(a), centre[1] + r * np.sin(a)


def frame(rng, xs, ys):
    x, y = np.concatenate(xs), np.concatenate(ys)
    lon, lat = TO_LONLAT.transform(x, y)
    n = x.size
    days = rng.integers(0, 90, n)
    return pd.DataFrame(
        {
            "lon": lon,
            "lat": lat,
            "created_at": pd.Timestamp("2026-06-01", tz="UTC") + pd.to_timedelta(days, "D"),
            "precision": "point",
            "client_key": [f"client-{i}" for i in range(n)],
            "status": "new",
        }
    )


def cluster_centres(rng, centre, side_m, count, *, spacing_m=700.0, margin_m=250.0):
    """``count`` centres inside the square, at least ``spacing_m`` apart."""
    chosen: list[tuple[float, float]] = []
    while len(chosen) < count:
        x, y = uniform_square(rng, centre, side_m - 2 * margin_m, 1)
        if all(np.hypot(x[0] - a, y[0] - b) >= spacing_m for a, b in chosen):
            chosen.append((x[0], y[0]))
    return chosen


def hot_cell_xy(result):
    hot = result.cells[result.hot]
    lat, lon = cell_centres(hot)
    x, y = TO_METRIC.transform(lon, lat)
    return np.column_stack([x, y])


def check_found(result, clusters):
    hot = hot_cell_xy(result)
    assert len(hot), "no hot cell at all"
    centres = np.array(clusters)
    dist = np.hypot(hot[:, None, 0] - centres[None, :, 0], hot[:, None, 1] - centres[None, :, 1])
    for j in range(len(clusters)):
        assert dist[:, j].min() <= 250, f"cluster {j} has no hot cell within 250 m"
    far = (dist.min(axis=1) >= 400).mean()
    assert far <= 0.10, f"{far:.0%} of hot cells lie 400 m or more from every cluster"
    # Evidence rule: whole counts, at least k voices in each hot cell's neighbourhood.
    assert (result.nearby[result.hot] >= result.min_voices).all()


@pytest.mark.parametrize("seed", range(8))
def test_three_town_clusters_are_found_and_the_background_is_not_hot(seed):
    rng = np.random.default_rng(seed)
    clusters = cluster_centres(rng, TOWN, 2000, 3)
    bx, by = uniform_square(rng, TOWN, 2000, 400)
    parts = [disc(rng, c, 100, 40) for c in clusters]
    df = frame(rng, [bx, *[p[0] for p in parts]], [by, *[p[1] for p in parts]])

    result = compute_hotspots(df)

    assert result.significant
    check_found(result, clusters)


@pytest.mark.parametrize("seed", range(4))
def test_clusters_elsewhere_in_the_municipality_and_in_a_village_are_found(seed):
    rng = np.random.default_rng(100 + seed)
    # Two clusters in the town's background, one in Åsensbruk over its own thin background,
    # and a quiet Dals Rostock with background only.
    town_clusters = cluster_centres(rng, TOWN, 2000, 2)
    village = (ASENSBRUK[0] + rng.uniform(-150, 150), ASENSBRUK[1] + rng.uniform(-150, 150))
    bx, by = uniform_square(rng, TOWN, 2000, 400)
    vx, vy = uniform_square(rng, ASENSBRUK, 1000, 40)
    rx, ry = uniform_square(rng, DALS_ROSTOCK, 1000, 40)
    parts = [disc(rng, c, 100, 40) for c in [*town_clusters, village]]
    df = frame(rng, [bx, vx, rx, *[p[0] for p in parts]], [by, vy, ry, *[p[1] for p in parts]])

    result = compute_hotspots(df)

    check_found(result, [*town_clusters, village])


@pytest.mark.parametrize("layout", ["village-only", "small-clusters"])
def test_other_layouts(layout):
    rng = np.random.default_rng(7)
    if layout == "village-only":
        # A village with its thin scatter and one cluster; the town quiet but present.
        clusters = [ASENSBRUK]
        bx, by = uniform_square(rng, TOWN, 2000, 300)
        vx, vy = uniform_square(rng, ASENSBRUK, 1200, 60)
        cx, cy = disc(rng, ASENSBRUK, 100, 40)
        df = frame(rng, [bx, vx, cx], [by, vy, cy])
    else:
        # Five clusters of 25 in the town: smaller, but still found.
        clusters = cluster_centres(rng, TOWN, 2000, 4, spacing_m=600)
        bx, by = uniform_square(rng, TOWN, 2000, 400)
        parts = [disc(rng, c, 100, 25) for c in clusters]
        df = frame(rng, [bx, *[p[0] for p in parts]], [by, *[p[1] for p in parts]])

    check_found(compute_hotspots(df), clusters)


def test_a_uniform_background_alone_gives_almost_no_hotspots():
    shares = []
    for seed in range(30):
        rng = np.random.default_rng(1000 + seed)
        bx, by = uniform_square(rng, TOWN, 2000, 400)
        result = compute_hotspots(frame(rng, [bx], [by]))
        assert result.significant
        shares.append(result.n_hot / result.cells.size)
    assert max(shares) <= 0.01, max(shares)
    assert np.mean(shares) <= 0.002, np.mean(shares)


def test_one_voice_cannot_make_a_hotspot_and_counts_are_whole():
    rng = np.random.default_rng(3)
    bx, by = uniform_square(rng, TOWN, 2000, 400)
    df = frame(rng, [bx], [by])
    # One person files 60 concerns at one spot on one day: one voice.
    lon, lat = TO_LONLAT.transform(TOWN[0] + 300, TOWN[1] + 300)
    flood = pd.DataFrame(
        {
            "lon": [lon] * 60,
            "lat": [lat] * 60,
            "created_at": pd.Timestamp("2026-06-05T21:00", tz="UTC"),
            "precision": "point",
            "client_key": "one-person",
            "status": "new",
        }
    )
    result = compute_hotspots(pd.concat([df, flood], ignore_index=True))
    assert result.n_hot == 0 or (result.nearby[result.hot] >= 5).all()
    assert result.counts.dtype.kind == "i" and result.nearby.dtype.kind == "i"
    records = result.records()
    assert all(isinstance(r["count"], int) and isinstance(r["nearby"], int) for r in records)


def test_k_voices_rule_holds_for_a_small_tight_group():
    """Four voices on one spot over a quiet background: strong, but fewer than k=5."""
    rng = np.random.default_rng(11)
    bx, by = uniform_square(rng, TOWN, 2000, 300)
    cx, cy = disc(rng, TOWN, 20, 4)
    result = compute_hotspots(frame(rng, [bx, cx], [by, cy]))
    hot = hot_cell_xy(result)
    if len(hot):
        assert np.hypot(hot[:, 0] - TOWN[0], hot[:, 1] - TOWN[1]).min() > 250
    stricter = compute_hotspots(frame(np.random.default_rng(11), [bx, cx], [by, cy]), min_voices=3)
    assert (stricter.nearby[stricter.hot] >= 3).all()
