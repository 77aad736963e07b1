"""Load and check the boundary files that areas and the municipality outline come from.

Boundary files are any vector format GDAL reads (GeoJSON, GeoPackage, Shapefile, ...).
Loaded frames are always in EPSG:4326; coverage is measured in SWEREF 99 TM (EPSG:3006).
Every problem with a file raises :class:`BoundaryError` naming the file, the field and
the offending ids, so an operator importing official boundaries knows what to fix.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geoservice.resources import boundaries_dir

STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:3006"

DEFAULT_OUTLINE_FILE = "mellerud_outline.geojson"
DEFAULT_AREAS_FILE = "mellerud_valdistrikt_2022.geojson"

AREA_COLUMNS = ("id", "name", "population")
_MAX_LISTED = 10  # offending ids listed in a message before it says "and N more"


class BoundaryError(ValueError):
    """A boundary file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Overlap:
    """Two areas that share more than the tolerated surface."""

    first: str
    second: str
    area_m2: float


@dataclass(frozen=True)
class CoverageReport:
    """How well a set of areas covers the outline, measured in EPSG:3006.

    Attributes
    ----------
    outline_m2 : float
        Area of the outline.
    uncovered_m2 : float
        Part of the outline that no area covers.
    outside_m2 : float
        Part of the areas that lies outside the outline.
    overlaps : list of Overlap
        Pairs of areas whose intersection exceeds the tolerance, in layer order.
    tolerance_m2 : float
        Surface below which a gap, spill-over or overlap counts as rounding noise.
    """

    outline_m2: float
    uncovered_m2: float
    outside_m2: float
    overlaps: list[Overlap] = field(default_factory=list)
    tolerance_m2: float = 10.0

    @property
    def uncovered_share(self) -> float:
        """Share of the outline (0..1) that no area covers."""
        return self.uncovered_m2 / self.outline_m2 if self.outline_m2 > 0 else 0.0

    @property
    def ok(self) -> bool:
        """True when gaps, spill-over and every overlap are within the tolerance."""
        return (
            self.uncovered_m2 <= self.tolerance_m2
            and self.outside_m2 <= self.tolerance_m2
            and not self.overlaps
        )


def default_outline_path() -> Path:
    """Return the path of the shipped municipality outline."""
    return boundaries_dir() / DEFAULT_OUTLINE_FILE


def default_areas_path() -> Path:
    """Return the path of the shipped default area layer."""
    return boundaries_dir() / DEFAULT_AREAS_FILE


def load_outline(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load a municipality outline.

    Parameters
    ----------
    path : str or Path, optional
        Vector file holding exactly one (multi)polygon feature. Defaults to the shipped
        outline.

    Returns
    -------
    GeoDataFrame
        One row, EPSG:4326, with the file's attribute columns.

    Raises
    ------
    BoundaryError
        If the file cannot be read, has no CRS, or does not hold exactly one valid,
        non-empty (multi)polygon.
    """
    path = Path(path) if path is not None else default_outline_path()
    frame = _read(path)
    if len(frame) != 1:
        raise BoundaryError(f"{path}: an outline needs exactly 1 feature, found {len(frame)}")
    _check_geometries(frame, path, labels=pd.Series(["outline"]))
    return frame


def load_areas(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load an area layer and check it can be used to assign reports.

    Parameters
    ----------
    path : str or Path, optional
        Vector file with one feature per area and the fields ``id``, ``name`` and
        ``population``. Defaults to the shipped electoral districts.

    Returns
    -------
    GeoDataFrame
        Columns exactly ``id`` (str), ``name`` (str), ``population`` (int64, >= 0) and
        ``geometry``, in EPSG:4326, rows in file order with a fresh RangeIndex. Other
        fields in the file are dropped.

    Raises
    ------
    BoundaryError
        If the file cannot be read or is empty, has no CRS, lacks a required field, has
        missing, empty or duplicate ids, missing names, populations that are not
        non-negative integers, or geometries that are missing, empty, invalid or not
        polygons. The message names the file, the field and the offending ids.
    """
    path = Path(path) if path is not None else default_areas_path()
    frame = _read(path)

    missing = [col for col in AREA_COLUMNS if col not in frame.columns]
    if missing:
        raise BoundaryError(
            f"{path}: missing required field(s) {', '.join(missing)}; "
            f"found {', '.join(c for c in frame.columns if c != 'geometry') or 'none'}"
        )

    ids = _checked_ids(frame["id"], path)
    names = _checked_names(frame["name"], ids, path)
    population = _checked_population(frame["population"], ids, path).astype(np.int64)
    _check_geometries(frame, path, labels=ids)

    return gpd.GeoDataFrame(
        {
            "id": ids.to_numpy(dtype=object),
            "name": names.to_numpy(dtype=object),
            "population": population.to_numpy(dtype=np.int64),
        },
        geometry=frame.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )


def check_coverage(
    areas: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry,
    tolerance_m2: float = 10.0,
) -> CoverageReport:
    """Measure gaps and overlaps between ``areas`` and ``outline`` in EPSG:3006.

    Parameters
    ----------
    areas : GeoDataFrame
        Area layer as returned by :func:`load_areas` (needs an ``id`` column and a CRS).
    outline : GeoDataFrame, GeoSeries or shapely geometry
        The municipality outline. A bare shapely geometry is taken to be EPSG:4326.
    tolerance_m2 : float, default 10.0
        Overlaps smaller than this are not reported; gaps and spill-over up to this size
        still count as ``ok``. Shipped files are snapped to 6 decimals, which leaves a
        few m2 of slivers along the outline.

    Returns
    -------
    CoverageReport
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise ValueError(f"'areas' should be GeoDataFrame, got {type(areas)}")
    if areas.crs is None:
        raise ValueError("'areas' has no CRS; expected EPSG:4326")
    if isinstance(outline, shapely.Geometry):
        outline = gpd.GeoSeries([outline], crs=STORAGE_CRS)
    elif not isinstance(outline, gpd.GeoDataFrame | gpd.GeoSeries):
        raise ValueError(f"'outline' should be GeoDataFrame or geometry, got {type(outline)}")
    if outline.crs is None:
        raise ValueError("'outline' has no CRS; expected EPSG:4326")

    area_geoms = areas.geometry.to_crs(METRIC_CRS).to_numpy()
    outline_m = shapely.union_all(outline.geometry.to_crs(METRIC_CRS).to_numpy())
    covered = shapely.union_all(area_geoms)

    ids = areas["id"].astype(str).tolist() if "id" in areas else [str(i) for i in areas.index]
    overlaps = []
    tree = shapely.STRtree(area_geoms)
    pairs = tree.query(area_geoms, predicate="intersects")
    for i, j in sorted({(min(a, b), max(a, b)) for a, b in pairs.T if a != b}):
        shared = shapely.intersection(area_geoms[i], area_geoms[j]).area
        if shared > tolerance_m2:
            overlaps.append(Overlap(ids[i], ids[j], float(shared)))

    return CoverageReport(
        outline_m2=float(outline_m.area),
        uncovered_m2=float(shapely.difference(outline_m, covered).area),
        outside_m2=float(shapely.difference(covered, outline_m).area),
        overlaps=overlaps,
        tolerance_m2=tolerance_m2,
    )


def _read(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise BoundaryError(f"{path}: no such file")
    try:
        with warnings.catch_warnings():
            # A field mixing numbers and text comes back as text after this warning; the
            # field checks below then name the offending ids, which says more.
            warnings.filterwarnings("ignore", "Could not parse column", UserWarning)
            frame = pyogrio.read_dataframe(path)
    except (DataSourceError, DataLayerError) as exc:
        raise BoundaryError(f"{path}: not a readable vector file ({exc})") from exc
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: could not be read ({exc})") from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise BoundaryError(f"{path}: has no geometry column")
    if len(frame) == 0:
        raise BoundaryError(f"{path}: has no features")
    if frame.crs is None:
        raise BoundaryError(
            f"{path}: has no CRS; declare one (e.g. a .prj beside a shapefile, or use "
            "GeoJSON, which is EPSG:4326 by definition)"
        )
    if not frame.crs.equals(STORAGE_CRS):
        frame = frame.to_crs(STORAGE_CRS)
    return frame.reset_index(drop=True)


def _listed(labels) -> str:
    labels = [str(x) for x in labels]
    shown = ", ".join(labels[:_MAX_LISTED])
    if len(labels) > _MAX_LISTED:
        shown += f" and {len(labels) - _MAX_LISTED} more"
    return shown


def _rows(mask: pd.Series) -> str:
    return _listed(f"#{i + 1}" for i in np.flatnonzero(mask.to_numpy()))


def _role(column: str, role: str) -> str:
    """How a message names a field: its own name, and its role when that differs."""
    return repr(column) if column == role else f"{column!r} ({role})"


def _checked_ids(raw: pd.Series, path: Path, column: str = "id") -> pd.Series:
    """Ids as non-empty, unique text; numbers stored as floats keep no '.0'."""
    missing = raw.isna()
    if missing.any():
        raise BoundaryError(f"{path}: field {column!r} is missing in feature(s) {_rows(missing)}")
    ids = raw.map(_id_text).str.strip()
    empty = ids == ""
    if empty.any():
        raise BoundaryError(f"{path}: field {column!r} is empty in feature(s) {_rows(empty)}")
    duplicated = ids[ids.duplicated(keep=False)].unique()
    if len(duplicated):
        raise BoundaryError(
            f"{path}: field {column!r} has duplicate value(s) {_listed(duplicated)}"
        )
    return ids.reset_index(drop=True)


def _id_text(value) -> str:
    # Codes stored as numbers must not come out as "1461.0".
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _checked_names(raw: pd.Series, ids: pd.Series, path: Path, column: str = "name") -> pd.Series:
    text = raw.map(lambda v: "" if pd.isna(v) else _id_text(v)).str.strip()
    missing = (text == "").to_numpy()
    if missing.any():
        raise BoundaryError(
            f"{path}: field {_role(column, 'name')} is missing for id(s) {_listed(ids[missing])}"
        )
    return text.reset_index(drop=True)


def _checked_population(
    raw: pd.Series, ids: pd.Series, path: Path, column: str = "population"
) -> pd.Series:
    text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values) | (np.nan_to_num(values) % 1 != 0)
    if bad.any():
        raise BoundaryError(
            f"{path}: field {_role(column, 'population')} must be a whole number; "
            f"not one for id(s) {_listed(ids[bad])}"
        )
    negative = values < 0
    if negative.any():
        raise BoundaryError(
            f"{path}: field {_role(column, 'population')} must not be negative; "
            f"negative for id(s) {_listed(ids[negative])}"
        )
    return pd.Series(values.astype(np.int64), dtype="Int64")


def _check_geometries(frame: gpd.GeoDataFrame, path: Path, labels: pd.Series) -> None:
    geoms = frame.geometry.to_numpy()
    labels = labels.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise BoundaryError(f"{path}: geometry is missing or empty for {_listed(labels[missing])}")
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])  # Polygon, MultiPolygon
    if not polygonal.all():
        found = [
            f"{label} ({g.geom_type})"
            for label, g in zip(labels[~polygonal], geoms[~polygonal], strict=True)
        ]
        raise BoundaryError(
            f"{path}: geometry must be a Polygon or MultiPolygon for {_listed(found)}"
        )
    valid = shapely.is_valid(geoms)
    if not valid.all():
        reasons = [
            f"{label} ({shapely.is_valid_reason(g)})"
            for label, g in zip(labels[~valid], geoms[~valid], strict=True)
        ]
        raise BoundaryError(f"{path}: geometry is invalid for {_listed(reasons)}")


__all__ = [
    "AREA_COLUMNS",
    "DEFAULT_AREAS_FILE",
    "DEFAULT_OUTLINE_FILE",
    "BoundaryError",
    "CoverageReport",
    "Overlap",
    "check_coverage",
    "default_areas_path",
    "default_outline_path",
    "load_areas",
    "load_outline",
]
