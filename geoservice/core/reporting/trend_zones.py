"""The hot zones the *lägesbild* follows over time: hot cells of the look-back, merged.

SPEC §6 "Hot zones": neighbouring hot cells merge into a zone. The zones are found on the
unsafe concerns of the whole look-back (the report's 24 months), so that a place hot in
any part of it is followed month by month
(:func:`~geoservice.core.reporting.timeseries.zone_trends`). A zone is named by
``name_of`` (a gazetteer label when the caller has one; else the area holding its centre).
"""

from __future__ import annotations

from collections.abc import Callable

import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geoservice.core.analysis.hexgrid import cell_boundaries
from geoservice.core.analysis.hotspots import compute_hotspots
from geoservice.core.reporting.timeseries import ZoneInput

__all__ = ["merge_neighbours", "trend_zones"]


def merge_neighbours(cells: npt.ArrayLike) -> list[np.ndarray]:
    """Group H3 cells into sets of edge neighbours, largest first.

    Parameters
    ----------
    cells : array_like of uint64
        Cells of one resolution.

    Returns
    -------
    list of numpy.ndarray of uint64
        Each connected group, sorted; groups by size, then by their first cell.
    """
    remaining = {int(c) for c in np.asarray(cells, dtype=np.uint64).tolist()}
    groups: list[np.ndarray] = []
    while remaining:
        seed = min(remaining)
        remaining.discard(seed)
        group, frontier = [seed], [seed]
        while frontier:
            cell = frontier.pop()
            for near in h3.grid_ring(h3.int_to_str(cell), 1):
                value = h3.str_to_int(near)
                if value in remaining:
                    remaining.discard(value)
                    group.append(value)
                    frontier.append(value)
        groups.append(np.array(sorted(group), dtype=np.uint64))
    groups.sort(key=lambda g: (-g.size, int(g[0])))
    return groups


def _area_name(areas) -> Callable[[shapely.Geometry], str]:
    frame = areas if areas.crs is not None else areas.set_crs("EPSG:4326")
    frame = frame.to_crs("EPSG:4326")

    def name(shape: shapely.Geometry) -> str:
        spot = shape.representative_point()
        for area_name, geom in zip(frame["name"], frame.geometry, strict=True):
            if geom is not None and geom.contains(spot):
                return str(area_name)
        return ""

    return name


def trend_zones(
    unsafe: pd.DataFrame,
    study_cells: npt.ArrayLike,
    areas,
    *,
    name_of: Callable[[shapely.Geometry], str] | None = None,
) -> list[ZoneInput]:
    """Hot zones of the given concerns: Gi* hot cells, neighbours merged, each named.

    Parameters
    ----------
    unsafe : pandas.DataFrame
        The look-back's kept unsafe concerns (as for
        :func:`~geoservice.core.analysis.hotspots.compute_hotspots`).
    study_cells : array_like of uint64
        The study area.
    areas : geopandas.GeoDataFrame
        Areas with ``name``, for the fallback name.
    name_of : callable, optional
        Name of a zone from its polygon (EPSG:4326), e.g. a gazetteer label.

    Returns
    -------
    list of ZoneInput
        Zone ids ``zone-1``, ``zone-2``... by size; empty when no significance could be
        claimed or no cell is hot. Two zones with the same name get "(2)" and so on.
    """
    if not len(unsafe) or not np.asarray(study_cells).size:
        return []
    result = compute_hotspots(unsafe, mask_cells=study_cells)
    if not result.significant:
        return []
    hot = result.cells[np.char.startswith(result.classes.astype(str), "hot")]
    namer = name_of or _area_name(areas)
    zones: list[ZoneInput] = []
    seen: dict[str, int] = {}
    for i, group in enumerate(merge_neighbours(hot), start=1):
        shape = shapely.union_all(cell_boundaries(group))
        name = namer(shape) or f"Zon {i}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({seen[name]})"
        zones.append(ZoneInput(f"zone-{i}", name, group))
    return zones
