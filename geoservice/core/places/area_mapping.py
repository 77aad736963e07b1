"""Carry references to areas (an activity's areas) from one area layer to another by overlap.

The rule, documented for staff in docs/deployment.md and shown with every mapping: an area
``new`` of the new layer takes the place of an area ``old`` of the previous layer when
their overlap is at least half of ``new`` (the new area lies mostly within the old one:
a DeSO inside a district) or at least a quarter of ``old`` (the new area holds a large
part of the old one: a district that swallowed several small areas). An old area that no
new area replaces so is *orphaned*: the reference cannot be carried over and staff must
choose the areas again.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely

METRIC_CRS = "EPSG:3006"
SHARE_OF_NEW = 0.5
SHARE_OF_OLD = 0.25


def overlap_mapping(old: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Map every area id of ``old`` to the ids of ``new`` that replace it.

    Parameters
    ----------
    old, new : geopandas.GeoDataFrame
        Area layers with an ``id`` column and a CRS (any; compared in EPSG:3006).

    Returns
    -------
    dict of str to list of str
        For each old id, the new ids in the new layer's order; an empty list when the old
        area is orphaned.
    """
    for name, frame in (("old", old), ("new", new)):
        if not isinstance(frame, gpd.GeoDataFrame):
            raise ValueError(f"'{name}' should be a GeoDataFrame, got {type(frame)}")
        if frame.crs is None:
            raise ValueError(f"'{name}' has no CRS")
    old_geoms = old.to_crs(METRIC_CRS).geometry.to_numpy()
    new_geoms = new.to_crs(METRIC_CRS).geometry.to_numpy()
    new_ids = [str(i) for i in new["id"]]
    new_area = shapely.area(new_geoms)
    tree = shapely.STRtree(new_geoms)
    mapping: dict[str, list[str]] = {}
    for old_id, geometry in zip(old["id"], old_geoms, strict=True):
        candidates = tree.query(geometry, predicate="intersects")
        old_area = float(shapely.area(geometry)) or 1.0
        overlap = shapely.area(shapely.intersection(geometry, new_geoms[candidates]))
        keep = (overlap >= SHARE_OF_NEW * new_area[candidates]) | (
            overlap >= SHARE_OF_OLD * old_area
        )
        chosen = np.sort(candidates[keep & (overlap > 0)])
        mapping[str(old_id)] = [new_ids[i] for i in chosen]
    return mapping


def carry_over(ids: Iterable[str], mapping: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The new ids for a reference to ``ids``, and the ids that could not be carried over.

    Parameters
    ----------
    ids : iterable of str
        Area ids of the previous layer.
    mapping : dict
        As returned by :func:`overlap_mapping`.

    Returns
    -------
    (list of str, list of str)
        The replacing ids (sorted, each once) and the orphaned ids (also those unknown to
        the previous layer).
    """
    carried: set[str] = set()
    orphaned: list[str] = []
    for area_id in ids:
        replaced = mapping.get(area_id) or []
        if not replaced:
            orphaned.append(area_id)
        carried.update(replaced)
    return sorted(carried), orphaned
