"""Benchmark point -> area assignment against geopandas.sjoin.

Baseline: ``geopandas.sjoin(points, areas, predicate="within", how="left")``. Timed twice:
the join alone (points GeoDataFrame built beforehand, untimed) and the join including
building the points GeoDataFrame from the coordinate arrays, which is what a caller
holding longitudes and latitudes actually pays. ``assign_areas`` starts from the
coordinate arrays and is timed including building its index; a prebuilt ``AreaIndex`` is
timed too. Every timing is the median of ``--repeat`` runs.

Run from the repository root::

    python bench/assign.py [--points 1000000] [--repeat 5] [--seed 20261127]
"""

from __future__ import annotations

import argparse
import os
import platform

import geopandas as gpd
import numpy as np
import shapely
from timing import timed

from geoservice.core.places.assign import AreaIndex, assign_areas
from geoservice.core.places.boundaries import load_areas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()

    areas = load_areas()
    xmin, ymin, xmax, ymax = areas.total_bounds
    rng = np.random.default_rng(args.seed)
    lon = rng.uniform(xmin, xmax, args.points)
    lat = rng.uniform(ymin, ymax, args.points)

    def sjoin_with_build():
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        return gpd.sjoin(points, areas[["id", "geometry"]], predicate="within", how="left")

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    t_sjoin, joined = timed(
        lambda: gpd.sjoin(points, areas[["id", "geometry"]], predicate="within", how="left"),
        args.repeat,
    )
    t_sjoin_build, _ = timed(sjoin_with_build, args.repeat)
    t_assign, ours = timed(lambda: assign_areas(lon, lat, areas), args.repeat)
    t_build, index = timed(lambda: AreaIndex(areas), args.repeat)
    t_index, ours_prebuilt = timed(lambda: index.assign(lon, lat), args.repeat)

    # Check: identical for every point strictly inside an area (where sjoin finds one);
    # where sjoin finds none, ours is None too unless the point lies on an edge.
    assert joined.index.is_unique, "a point fell inside two areas"
    theirs = joined["id"].to_numpy(dtype=object)
    inside = ~joined["id"].isna().to_numpy()
    mismatched_inside = int((ours[inside] != theirs[inside]).sum())
    extra_outside = int((ours[~inside] != None).sum())  # noqa: E711
    assert (ours == ours_prebuilt).all()

    print(f"points                 {args.points:,} uniform over the layer's bbox")
    print(f"areas                  {len(areas)} ({', '.join(areas['id'])})")
    print(f"strictly inside        {int(inside.sum()):,}; mismatches {mismatched_inside}")
    print(f"outside (sjoin none)   {int((~inside).sum()):,}; assigned by edge rule {extra_outside}")
    print(f"sjoin (join only)      {t_sjoin * 1000:8.1f} ms")
    print(f"sjoin (+ build points) {t_sjoin_build * 1000:8.1f} ms")
    print(f"assign_areas           {t_assign * 1000:8.1f} ms  (includes building the index)")
    print(f"AreaIndex build        {t_build * 1000:8.1f} ms")
    print(f"AreaIndex.assign       {t_index * 1000:8.1f} ms")
    print(f"ratio sjoin(join only) / assign_areas      {t_sjoin / t_assign:6.1f}x")
    print(f"ratio sjoin(+build)    / assign_areas      {t_sjoin_build / t_assign:6.1f}x")
    print(f"ratio sjoin(join only) / AreaIndex.assign  {t_sjoin / t_index:6.1f}x")
    print(
        f"python {platform.python_version()}, shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), geopandas {gpd.__version__}, "
        f"numpy {np.__version__}, cpus {os.cpu_count()}, median of {args.repeat}"
    )
    return 0 if mismatched_inside == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
