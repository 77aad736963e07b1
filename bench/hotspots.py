"""Benchmark the hotspot pipeline (Gi* + FDR + quartic KDE) against esda and scipy.

Data: ``synthesize_reports(load_outline(), n=100_000)`` over one year (invented demo
concerns). Ours, timed end to end: H3 binning with one voice per place, the study-area
mask (500 m buffer, municipality outline), Gi* with analytic z, Benjamini–Hochberg
classes (``compute_hotspots``), and the quartic KDE by binning + FFT on a 25 m grid over
the municipality (``quartic_kde``, radius 250 m).

Baseline, in the same run: ``esda.G_Local(counts, w, star=True, transform="B",
permutations=999)`` on the same cells and neighbour lists (libpysal ``W`` built from
lists, timed; esda's default ``n_jobs=-1``, i.e. every core; numba not installed), plus
``scipy.stats.gaussian_kde`` on the same points evaluated at the same grid's cell
centres. Exact evaluation of 100,000 points at every cell would take far too long, so
``gaussian_kde.evaluate`` is timed on a random sample of cells (``--kde-sample``) and
extrapolated linearly (its cost is proportional to the number of cells); the output
says so.

Run from the repository root::

    python bench/hotspots.py [--points 100000] [--repeat 3] [--kde-sample 2000]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from datetime import UTC, datetime
from importlib.metadata import version

import esda
import libpysal
import numpy as np
import scipy.stats
from pyproj import Transformer
from timing import timed

from geoservice.core.analysis.density import quartic_kde
from geoservice.core.analysis.hotspots import compute_hotspots, ring_neighbours
from geoservice.core.demo import synthesize_reports
from geoservice.core.places.boundaries import load_outline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kde-sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()

    outline = load_outline()
    df = synthesize_reports(
        outline,
        n=args.points,
        start=datetime(2025, 11, 27, tzinfo=UTC),
        end=datetime(2026, 11, 27, tzinfo=UTC),
        seed=args.seed,
    )
    df["status"] = "new"
    bounds = tuple(outline.to_crs("EPSG:3006").total_bounds)
    points = df.loc[df["precision"] != "area"]

    def ours():
        result = compute_hotspots(df, outline=outline)
        surface = quartic_kde(points["lon"], points["lat"], bounds=bounds)
        return result, surface

    t_ours, (result, surface) = timed(ours, args.repeat)
    t_hot, _ = timed(lambda: compute_hotspots(df, outline=outline), args.repeat)
    t_kde, _ = timed(lambda: quartic_kde(points["lon"], points["lat"], bounds=bounds), args.repeat)

    # Baseline Gi*: same cells, same counts, same neighbour lists (self-links left to esda).
    coo = ring_neighbours(result.cells).tocoo()
    lists = {i: [] for i in range(result.cells.size)}
    for i, j in zip(coo.row.tolist(), coo.col.tolist(), strict=True):
        if i != j:
            lists[i].append(j)
    counts = result.counts.astype(float)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # esda re-creates W when it fills the diagonal and libpysal then reports that the
        # mask (town and villages) has several connected components; that is expected.
        warnings.filterwarnings("ignore", "The weights matrix is not fully connected")
        w = libpysal.weights.W(lists, silence_warnings=True)
        g = esda.G_Local(counts, w, transform="B", star=True, permutations=999, seed=1)
    t_esda = time.perf_counter() - start

    # Baseline KDE: gaussian_kde on the same points, at a sample of the same grid's cells.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(
        points["lon"].to_numpy(), points["lat"].to_numpy()
    )
    gx, gy = surface.cell_centres()
    rng = np.random.default_rng(args.seed)
    sample = rng.choice(gx.size, size=min(args.kde_sample, gx.size), replace=False)
    start = time.perf_counter()
    kde = scipy.stats.gaussian_kde(np.vstack([x, y]))
    kde.evaluate(np.vstack([gx.ravel()[sample], gy.ravel()[sample]]))
    t_gauss_sample = time.perf_counter() - start
    t_gauss = t_gauss_sample * gx.size / sample.size

    t_base = t_esda + t_gauss
    hot = int(sum(c.startswith("hot") for c in result.classes.tolist()))
    print(f"date {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {version('scipy')}, h3 {version('h3')}, pyproj {version('pyproj')}, "
        f"esda {version('esda')}, libpysal {version('libpysal')}"
    )
    print(f"concerns {len(df):,}; point concerns for KDE {len(points):,}")
    print(
        f"mask cells {result.cells.size:,}; cells with data {result.n_cells_with_data:,}; "
        f"concerns after one voice {result.n_reports:,}; hot cells {hot:,}"
    )
    print(f"KDE grid {surface.density.shape[0]} x {surface.density.shape[1]} = {gx.size:,} cells")
    print(f"max |z ours - esda Zs| = {np.abs(result.z - g.Zs).max():.2e}")
    print()
    print(f"ours: compute_hotspots                  {t_hot * 1000:10,.0f} ms")
    print(f"ours: quartic_kde (binning + FFT)       {t_kde * 1000:10,.0f} ms")
    print(f"ours: both (median of {args.repeat})                 {t_ours * 1000:10,.0f} ms")
    print(f"baseline: esda.G_Local 999 permutations {t_esda * 1000:10,.0f} ms")
    print(
        f"baseline: gaussian_kde, {sample.size:,} of {gx.size:,} cells "
        f"{t_gauss_sample * 1000:,.0f} ms, extrapolated {t_gauss * 1000:,.0f} ms"
    )
    print(f"baseline: total (extrapolated)          {t_base * 1000:10,.0f} ms")
    print()
    print(f"ratio baseline / ours: {t_base / t_ours:,.0f}x")
    print(f"  Gi*: esda G_Local / compute_hotspots: {t_esda / t_hot:,.1f}x")
    print(f"  KDE: gaussian_kde (extrapolated) / quartic_kde: {t_gauss / t_kde:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
