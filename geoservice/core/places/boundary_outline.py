"""Check an imported area layer against the municipality outline, and clip it to it.

:func:`validate_against_outline` refuses a layer whose areas overlap or leave too much
of the municipality uncovered (measured in EPSG:3006 by
:func:`~geoservice.core.places.boundaries.check_coverage`); :func:`clip_to_outline` cuts away
what lies outside the outline.
:meth:`~geoservice.core.places.boundary_import.BoundaryImport.against_outline` does both for a
layer read by :func:`~geoservice.core.places.boundary_import.read_boundary_file`.

Every refusal raises :class:`~geoservice.core.places.boundaries.BoundaryError` naming the
offending ids.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geoservice.core.places.boundaries import (
    METRIC_CRS,
    STORAGE_CRS,
    BoundaryError,
    CoverageReport,
    _listed,
    check_coverage,
)

__all__ = ["clip_to_outline", "validate_against_outline"]

_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


def validate_against_outline(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry,
    *,
    overlap_tolerance_m2: float = 100.0,
    max_uncovered_share: float = 0.02,
) -> CoverageReport:
    """Check that an area layer tiles the municipality well enough to assign concerns.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer with an ``id`` column and a CRS.
    outline : GeoDataFrame, GeoSeries or shapely geometry
        The municipality outline (a bare geometry is taken to be EPSG:4326).
    overlap_tolerance_m2 : float, default 100.0
        Two areas sharing more than this surface (EPSG:3006) are refused: a concern in
        the shared part would belong to both.
    max_uncovered_share : float, default 0.02
        Largest share (0..1) of the municipality that may lie in no area; concerns there
        cannot be assigned. The share is reported either way.

    Returns
    -------
    CoverageReport
        From :func:`~geoservice.core.places.boundaries.check_coverage` with
        ``tolerance_m2=overlap_tolerance_m2``; ``outside_m2`` is the surface outside the
        outline (see :func:`clip_to_outline`). ``ok`` is stricter than this check (it
        tolerates no gap above ``tolerance_m2``), so do not use it as the verdict.

    Raises
    ------
    BoundaryError
        If any pair of areas overlaps beyond the tolerance (the pairs are listed) or the
        uncovered share exceeds ``max_uncovered_share``.
    """
    if not 0 <= max_uncovered_share <= 1:
        raise ValueError(f"'max_uncovered_share' should be in 0..1, got {max_uncovered_share}")
    report = check_coverage(areas, outline, tolerance_m2=overlap_tolerance_m2)
    problems = []
    if report.overlaps:
        pairs = _listed(f"{o.first}/{o.second} ({o.area_m2:,.0f} m²)" for o in report.overlaps)
        problems.append(f"areas overlap by more than {overlap_tolerance_m2:g} m²: {pairs}")
    if report.uncovered_share > max_uncovered_share:
        problems.append(
            f"{report.uncovered_share:.2%} of the municipality lies in no area "
            f"(at most {max_uncovered_share:.2%} allowed)"
        )
    if problems:
        raise BoundaryError("; ".join(problems))
    return report


def clip_to_outline(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry,
    *,
    tolerance_m2: float = 100.0,
) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Cut away the parts of areas that lie outside the outline.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer in EPSG:4326 with an ``id`` column.
    outline : GeoDataFrame, GeoSeries or shapely geometry
        The municipality outline (a bare geometry is taken to be EPSG:4326).
    tolerance_m2 : float, default 100.0
        Areas reaching outside by no more than this (EPSG:3006) are left untouched, so a
        layer drawn along the same outline keeps its exact geometry; areas with no more
        than this inside are dropped.

    Returns
    -------
    areas : GeoDataFrame
        The clipped layer, EPSG:4326, a fresh RangeIndex.
    clipped : list of str
        Ids of the areas that were cut.
    dropped : list of str
        Ids of the areas left out because they lie outside the outline.
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise ValueError(f"'areas' should be GeoDataFrame, got {type(areas)}")
    if areas.crs is None or not areas.crs.equals(STORAGE_CRS):
        raise ValueError(f"'areas' should be in {STORAGE_CRS}, got {areas.crs}")
    if "id" not in areas.columns:
        raise ValueError("'areas' needs an 'id' column")
    if isinstance(outline, shapely.Geometry):
        outline = gpd.GeoSeries([outline], crs=STORAGE_CRS)
    shape = shapely.union_all(outline.geometry.to_crs(STORAGE_CRS).to_numpy())

    geoms = areas.geometry.to_numpy()
    inside = _polygonal_parts(shapely.intersection(geoms, shape))
    metric = gpd.GeoSeries(np.concatenate([geoms, inside]), crs=STORAGE_CRS).to_crs(METRIC_CRS)
    full_m2, inside_m2 = np.split(metric.area.to_numpy(), 2)
    cut = full_m2 - inside_m2 > tolerance_m2
    keep = inside_m2 > tolerance_m2
    ids = areas["id"].astype(str).to_numpy()

    result = areas.copy()
    result[result.geometry.name] = gpd.GeoSeries(
        np.where(cut, inside, geoms), index=result.index, crs=STORAGE_CRS
    )
    result = result[keep].reset_index(drop=True)
    return result, ids[cut & keep].tolist(), ids[~keep].tolist()


def _polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of each geometry (lines and points from repair or clipping)."""
    geoms = np.asarray(geoms, dtype=object)
    result = geoms.copy()
    mixed = ~np.isin(shapely.get_type_id(geoms), _POLYGONAL)
    for i in np.flatnonzero(mixed):
        parts = shapely.get_parts(geoms[i])
        polygons = [p for p in parts if shapely.get_type_id(p) in _POLYGONAL]
        flat = [q for p in polygons for q in shapely.get_parts(p)]
        if not flat:
            result[i] = shapely.MultiPolygon()
        elif len(flat) == 1:
            result[i] = flat[0]
        else:
            result[i] = shapely.MultiPolygon(flat)
    return result
