"""Read official boundary files (SCB DeSO/RegSO, electoral districts, ...) for import.

:func:`read_boundary_file` reads a GeoPackage, GeoJSON, Shapefile (also zipped) or
GeoParquet file in any CRS, picks the id, name and population fields, repairs invalid
geometries and returns a :class:`BoundaryImport` whose ``areas`` are in EPSG:4326.
:meth:`BoundaryImport.against_outline` then checks the layer against the municipality
outline (measured in EPSG:3006 by :func:`~geoservice.core.places.boundaries.check_coverage`) and
clips away what lies outside it, with the functions of
:mod:`geoservice.core.places.boundary_outline`.

Every problem raises :class:`~geoservice.core.places.boundaries.BoundaryError` naming the file,
the field and the offending ids, so the operator knows what to fix.
"""

from __future__ import annotations

import dataclasses
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geoservice.core.places.boundaries import (
    STORAGE_CRS,
    BoundaryError,
    CoverageReport,
    _checked_ids,
    _checked_names,
    _checked_population,
    _listed,
)
from geoservice.core.places.boundary_outline import (
    _polygonal_parts,
    clip_to_outline,
    validate_against_outline,
)

ID_FIELDS = ("id", "desokod", "regsokod", "deso", "regso", "kod", "code")
"""Field names tried, in order, when no id field is given (case-insensitive)."""

NAME_FIELDS = ("name", "namn", "regsonamn", "regso", "deso")
"""Field names tried for the area name. The id field itself is used only as a last resort
(a DeSO file has no names; its code is what people know the area by)."""

POPULATION_FIELDS = ("population", "befolkning", "folkmangd", "pop", "invanare")
"""Field names tried for the number of residents."""

PARQUET_SUFFIXES = (".parquet", ".geoparquet")

# -- what an import may cost (docs/deployment.md) -------------------------------------------
# A municipality's DeSO layer has about 10 areas and some thousands of vertices, its
# electoral districts (valdistrikt) as many; a whole county's DeSO about 1,500 areas.
MAX_AREAS = 2_000
"""Most areas one layer may have. Checked from the file's own feature count, before any
feature is read."""
MAX_VERTICES = 100_000
"""Most vertices one area may have: an official boundary of a Swedish district has a few
thousand; far more is an error or an attempt to exhaust the server."""
MAX_TOTAL_VERTICES = 1_000_000
"""Most vertices all areas together may have (every page that draws the map carries
them, simplified, and every import re-assigns every concern against them)."""
MAX_FILE_BYTES = 512 * 1024 * 1024
"""Largest boundary file read; for a zip, the most its members may expand to."""
MAX_EXPANSION_RATIO = 200
"""A zip whose members expand to more than this many times its own size is refused
(shapefiles compress about 2–10 times; a zip bomb thousands of times)."""


@dataclass(frozen=True)
class BoundaryImport:
    """An area layer read from a file, ready to replace the layer in force.

    Attributes
    ----------
    areas : GeoDataFrame
        Columns ``id`` (str), ``name`` (str), ``population`` and ``geometry`` (Polygon or
        MultiPolygon), EPSG:4326, in file order. ``population`` is ``Int64`` when the
        file has it, or all ``None`` (object) when it was declared absent.
    source : Path
        The file read.
    source_crs : str
        The file's CRS, e.g. ``"EPSG:3006"``.
    layer : str or None
        The layer read (GeoPackage, zipped shapefiles), None for single-layer formats.
    fields_used : dict
        ``{"id": ..., "name": ..., "population": ...}``: the file's field behind each
        column; ``population`` is None when declared absent.
    repaired : int
        Geometries that were invalid and were repaired with :func:`shapely.make_valid`.
    coverage : CoverageReport or None
        Set by :meth:`against_outline`; measured before clipping, so its ``outside_m2`` is
        the surface clipped away.
    clipped : tuple of str
        Ids of areas that reached outside the outline and were clipped.
    dropped : tuple of str
        Ids of areas wholly outside the outline, left out of ``areas``.
    """

    areas: gpd.GeoDataFrame
    source: Path
    source_crs: str
    layer: str | None
    fields_used: dict[str, str | None]
    repaired: int = 0
    coverage: CoverageReport | None = None
    clipped: tuple[str, ...] = field(default=())
    dropped: tuple[str, ...] = field(default=())

    def against_outline(
        self,
        outline: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry,
        *,
        overlap_tolerance_m2: float = 100.0,
        max_uncovered_share: float = 0.02,
    ) -> BoundaryImport:
        """Check the areas against the municipality outline and clip what lies outside.

        Parameters
        ----------
        outline : GeoDataFrame, GeoSeries or shapely geometry
            The municipality outline (a bare geometry is taken to be EPSG:4326).
        overlap_tolerance_m2, max_uncovered_share : float
            See :func:`~geoservice.core.places.boundary_outline.validate_against_outline`.

        Returns
        -------
        BoundaryImport
            A copy with ``coverage`` set, areas clipped to the outline and areas wholly
            outside it dropped.

        Raises
        ------
        BoundaryError
            If :func:`~geoservice.core.places.boundary_outline.validate_against_outline` refuses
            the layer, or no area lies inside the outline.
        """
        coverage = validate_against_outline(
            self.areas,
            outline,
            overlap_tolerance_m2=overlap_tolerance_m2,
            max_uncovered_share=max_uncovered_share,
        )
        areas, clipped, dropped = clip_to_outline(
            self.areas, outline, tolerance_m2=overlap_tolerance_m2
        )
        if len(areas) == 0:
            raise BoundaryError(f"{self.source}: no area lies inside the municipality outline")
        return dataclasses.replace(
            self,
            areas=areas,
            coverage=coverage,
            clipped=tuple(clipped),
            dropped=tuple(dropped),
        )

    def summary(self, lang: str = "sv") -> str:
        """Describe what was read, for the command line.

        Parameters
        ----------
        lang : {"sv", "en"}, default "sv"

        Returns
        -------
        str
            Several lines, e.g. ``"Läste 12 områden från deso.gpkg (EPSG:3006)."``.
        """
        sv = lang != "en"
        used = self.fields_used
        values = {
            "count": len(self.areas) + len(self.dropped),
            "file": self.source.name,
            "where": self.source_crs if self.layer is None else f"{self.layer}, {self.source_crs}",
            "id": used["id"],
            "name": used["name"],
            "population": used["population"] or _SUMMARY["absent"][0 if sv else 1],
            "repaired": self.repaired,
            "clipped": _listed(self.clipped),
            "dropped": _listed(self.dropped),
        }
        shown = ["read", "fields"]
        if self.areas["population"].notna().all():
            values["total"] = int(self.areas["population"].sum())
            shown.append("total")
        if self.repaired:
            shown.append("repaired")
        if self.coverage is not None:
            share = f"{self.coverage.uncovered_share * 100:.2f} %"
            values["share"] = share.replace(".", ",") if sv else share
            outside = f"{self.coverage.outside_m2:,.0f}"
            values["outside"] = outside.replace(",", "\u00a0") if sv else outside
            shown.append("coverage")
            shown += [key for key in ("clipped", "dropped") if getattr(self, key)]
        return "\n".join(_SUMMARY[key][0 if sv else 1].format(**values) for key in shown)


_SUMMARY = {  # (Swedish, English) lines of BoundaryImport.summary
    "read": (
        "Läste {count} områden från {file} ({where}).",
        "Read {count} areas from {file} ({where}).",
    ),
    "fields": (
        "Fält: id = {id}, namn = {name}, befolkning = {population}.",
        "Fields: id = {id}, name = {name}, population = {population}.",
    ),
    "absent": ("saknas (angivet)", "absent (declared)"),
    "total": ("Invånare totalt: {total}.", "Residents in total: {total}."),
    "repaired": (
        "{repaired} ogiltiga geometrier lagades (make_valid).",
        "{repaired} invalid geometries were repaired (make_valid).",
    ),
    "coverage": (
        "Täckning: {share} av kommunen ligger utanför alla områden.",
        "Coverage: {share} of the municipality lies in no area.",
    ),
    "clipped": (
        "{outside} m² utanför kommungränsen klipptes bort (från {clipped}).",
        "{outside} m² outside the municipality were clipped away (from {clipped}).",
    ),
    "dropped": (
        "Utanför kommunen, utelämnade: {dropped}.",
        "Outside the municipality, left out: {dropped}.",
    ),
}


def read_boundary_file(
    path: str | Path,
    *,
    layer: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
    population_field: str | None = None,
    no_population: bool = False,
) -> BoundaryImport:
    """Read an area layer from a boundary file in any CRS.

    Parameters
    ----------
    path : str or Path
        A GeoPackage (``.gpkg``), GeoJSON, Shapefile (``.shp``, or a ``.zip`` holding
        one), GeoParquet (``.parquet``/``.geoparquet``) or any other vector file GDAL
        reads.
    layer : str, optional
        Layer to read; required when the file holds several (GeoPackage, or a zip with
        several shapefiles, named by their file stem).
    id_field, name_field, population_field : str, optional
        The file's fields for the area id, name and population. When not given they are
        guessed from :data:`ID_FIELDS`, :data:`NAME_FIELDS` and :data:`POPULATION_FIELDS`
        (case-insensitive); ``fields_used`` of the result says which were taken.
    no_population : bool, default False
        Declare that the file has no population: ``population`` is then None for every
        area. Without it a file lacking a population field is refused.

    Returns
    -------
    BoundaryImport
        Areas in EPSG:4326; not yet checked against the outline (see
        :meth:`BoundaryImport.against_outline`).

    Raises
    ------
    BoundaryError
        If the file cannot be read, has no CRS, holds several layers and none was chosen,
        lacks a field, has missing, empty or duplicate ids, missing names, populations
        that are not whole numbers >= 0, or geometries that are empty or not polygonal
        even after repair.
    ValueError
        If ``no_population`` is combined with ``population_field``.
    """
    if no_population and population_field is not None:
        raise ValueError("give either 'population_field' or 'no_population', not both")
    path = Path(path)
    frame, layer = _read_frame(path, layer)
    if frame.crs is None:
        raise BoundaryError(
            f"{path}: has no CRS; declare one (e.g. a .prj beside a shapefile) or export the "
            "file again with its coordinate system, e.g. EPSG:3006 (SWEREF 99 TM)"
        )
    source_crs = _crs_name(frame.crs)
    if len(frame) == 0:
        raise BoundaryError(f"{path}: has no features")

    columns = [c for c in frame.columns if c != frame.geometry.name]
    id_col = _field(path, columns, "id", id_field, ID_FIELDS)
    name_col = _field(path, columns, "name", name_field, NAME_FIELDS, fallback=id_col)
    pop_col = (
        None
        if no_population
        else _field(path, columns, "population", population_field, POPULATION_FIELDS)
    )

    ids = _checked_ids(frame[id_col], path, id_col)
    names = _checked_names(frame[name_col], ids, path, name_col)
    if pop_col is None:
        population = pd.Series([None] * len(frame), dtype=object)
    else:
        population = _checked_population(frame[pop_col], ids, path, pop_col)
    geoms = frame.geometry
    _check_finite(geoms.to_numpy(), ids, path)
    if not frame.crs.equals(STORAGE_CRS):
        geoms = geoms.to_crs(STORAGE_CRS)
    # Repaired after reprojection: a valid ring can touch itself at the new coordinates.
    geoms, repaired = _repaired_geometries(geoms.to_numpy(), ids, path)

    areas = gpd.GeoDataFrame(
        {"id": ids.astype(object), "name": names.astype(object), "population": population},
        geometry=gpd.GeoSeries(geoms, crs=STORAGE_CRS),
    )
    return BoundaryImport(
        areas=areas,
        source=path,
        source_crs=source_crs,
        layer=layer,
        fields_used={"id": id_col, "name": name_col, "population": pop_col},
        repaired=repaired,
    )


# -- reading ------------------------------------------------------------------------------


def _read_frame(path: Path, layer: str | None) -> tuple[gpd.GeoDataFrame, str | None]:
    if not path.is_file():
        raise BoundaryError(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BoundaryError(
            f"{path}: {_megabytes(size)} is larger than the {_megabytes(MAX_FILE_BYTES)} a "
            "boundary file may have; keep only the municipality's areas"
        )
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        _check_feature_count(path, _parquet_rows(path))
        return _read_parquet(path), None
    if suffix == ".zip":
        source, shown = _zipped_shapefile(path, layer)
        layer = None  # a shapefile has one layer; the zip member is the choice
    else:
        source = str(path)
        layer, shown = _chosen_layer(path, source, layer)
    _check_feature_count(path, _feature_count(path, source, layer))
    try:
        with warnings.catch_warnings():
            # A field mixing numbers and text comes back as text after this warning; the
            # field checks then name the offending ids, which says more.
            warnings.filterwarnings("ignore", "Could not parse column", UserWarning)
            # NaN coordinates: refused below with the ids named (_check_finite).
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            # Never more than one feature past the cap, whatever the count claimed.
            frame = pyogrio.read_dataframe(source, layer=layer, max_features=MAX_AREAS + 1)
    except (DataSourceError, DataLayerError) as exc:
        raise BoundaryError(f"{path}: not a readable vector file ({exc})") from exc
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: could not be read ({exc})") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise BoundaryError(f"{path}: has no geometry column")
    _check_feature_count(path, len(frame))
    return frame.reset_index(drop=True), shown


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _check_feature_count(path: Path, count: int | None) -> None:
    if count is not None and count > MAX_AREAS:
        shown = f"{count:,}" if count <= 10 * MAX_AREAS else f"more than {10 * MAX_AREAS:,}"
        raise BoundaryError(
            f"{path}: holds {shown} features; an area layer may have at most {MAX_AREAS:,} "
            "areas (a municipality's DeSO or electoral districts have tens)"
        )


def _feature_count(path: Path, source: str, layer: str | None) -> int | None:
    """The layer's feature count as the format states it (shapefile index, GeoPackage)."""
    try:
        info = pyogrio.read_info(source, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise BoundaryError(f"{path}: not a readable vector file ({exc})") from exc
    except (OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: could not be read ({exc})") from exc
    count = int(info.get("features", -1))
    # -1: the format cannot tell without reading; the capped read then decides.
    return count if count >= 0 else None


def _parquet_rows(path: Path) -> int | None:
    try:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, ValueError, ImportError) as exc:
        raise BoundaryError(f"{path}: not a readable GeoParquet file ({exc})") from exc


def _read_parquet(path: Path) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_parquet(path)
    except (OSError, ValueError, ImportError) as exc:
        raise BoundaryError(f"{path}: not a readable GeoParquet file ({exc})") from exc
    return frame.reset_index(drop=True)


def _chosen_layer(path: Path, source: str, layer: str | None) -> tuple[str, str | None]:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(source)]
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        raise BoundaryError(f"{path}: not a readable vector file ({exc})") from exc
    return _pick(path, layers, layer)


def _pick(path: Path, layers: Sequence[str], layer: str | None) -> tuple[str, str | None]:
    """Return the layer to read and the name to report (None for a file of one layer)."""
    if layer is not None:
        if layer not in layers:
            raise BoundaryError(
                f"{path}: has no layer {layer!r}; layers: {', '.join(layers) or 'none'}"
            )
        return layer, layer
    if not layers:
        raise BoundaryError(f"{path}: holds no layer")
    if len(layers) > 1:
        raise BoundaryError(
            f"{path}: holds {len(layers)} layers; choose one with --layer: {', '.join(layers)}"
        )
    return layers[0], None


def _zipped_shapefile(path: Path, layer: str | None) -> tuple[str, str | None]:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            members = [
                info.filename
                for info in entries
                if info.filename.lower().endswith(".shp")
                and not Path(info.filename).name.startswith(".")
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        raise BoundaryError(f"{path}: not a readable zip file ({exc})") from exc
    # The sizes the archive declares, checked before anything is expanded.
    expanded = sum(info.file_size for info in entries)
    compressed = max(1, path.stat().st_size)
    if expanded > MAX_FILE_BYTES or expanded > MAX_EXPANSION_RATIO * compressed:
        raise BoundaryError(
            f"{path}: the zip file expands to {_megabytes(expanded)} ({expanded // compressed:,} "
            f"times its size); at most {_megabytes(MAX_FILE_BYTES)} and {MAX_EXPANSION_RATIO} "
            "times are read"
        )
    if not members:
        raise BoundaryError(f"{path}: the zip file holds no shapefile (.shp)")
    by_stem = {Path(name).stem: name for name in members}
    stem, shown = _pick(path, list(by_stem), layer)
    return f"/vsizip/{path.resolve()}/{by_stem[stem]}", shown


def _crs_name(crs) -> str:
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


# -- fields -------------------------------------------------------------------------------


def _field(
    path: Path,
    columns: list[str],
    role: str,
    given: str | None,
    candidates: Sequence[str],
    fallback: str | None = None,
) -> str:
    by_lower: dict[str, list[str]] = {}
    for column in columns:
        by_lower.setdefault(str(column).lower(), []).append(column)
    found = ", ".join(map(str, columns)) or "none"
    if given is not None:
        if given in columns:
            return given
        matches = by_lower.get(given.lower(), [])
        if len(matches) == 1:
            return matches[0]
        raise BoundaryError(f"{path}: has no field {given!r} for the {role}; fields: {found}")
    for candidate in candidates:
        matches = [c for c in by_lower.get(candidate, []) if c != fallback]
        if matches:
            return matches[0]
    if fallback is not None and str(fallback).lower() in candidates:
        return fallback
    option = " or declare it absent (--no-population)" if role == "population" else ""
    raise BoundaryError(
        f"{path}: no {role} field found (looked for {', '.join(candidates)}); "
        f"name it with --{role}-field{option}; fields: {found}"
    )


# -- geometry -----------------------------------------------------------------------------


def _check_finite(geoms: np.ndarray, ids: pd.Series, path: Path) -> None:
    """Refuse NaN or infinite coordinates, before any reprojection or repair meets them."""
    coords, index = shapely.get_coordinates(
        np.asarray(geoms, dtype=object), include_z=False, return_index=True
    )
    finite = np.isfinite(coords).all(axis=1)
    if not finite.all():
        bad = np.unique(index[~finite])
        raise BoundaryError(
            f"{path}: coordinates that are not finite numbers (NaN or infinity) in "
            f"{_listed(ids.to_numpy()[bad])}; repair or remove those areas in the file"
        )


def _repaired_geometries(geoms: np.ndarray, ids: pd.Series, path: Path) -> tuple[np.ndarray, int]:
    """Return 2-D polygonal geometries and how many were invalid and repaired."""
    geoms = np.asarray(geoms, dtype=object)
    labels = ids.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise BoundaryError(f"{path}: geometry is missing or empty for {_listed(labels[missing])}")
    vertices = shapely.get_num_coordinates(geoms)
    if int(vertices.sum()) > MAX_TOTAL_VERTICES:
        raise BoundaryError(
            f"{path}: {int(vertices.sum()):,} vertices in all; an area layer may have at most "
            f"{MAX_TOTAL_VERTICES:,}; simplify the file first (e.g. in QGIS, Vector > Geometry "
            "Tools > Simplify, tolerance 1 m)"
        )
    if (vertices > MAX_VERTICES).any():
        raise BoundaryError(
            f"{path}: more than {MAX_VERTICES:,} vertices in one area for "
            f"{_listed(labels[vertices > MAX_VERTICES])}; simplify the file first (e.g. in QGIS, "
            "Vector > Geometry Tools > Simplify, tolerance 1 m)"
        )
    geoms = shapely.force_2d(geoms)
    invalid = ~shapely.is_valid(geoms)
    geoms = np.where(invalid, shapely.make_valid(geoms), geoms)
    polygonal = _polygonal_parts(geoms)
    lost = shapely.is_empty(polygonal)
    if lost.any():
        found = [
            f"{label} ({g.geom_type})" for label, g in zip(labels[lost], geoms[lost], strict=True)
        ]
        raise BoundaryError(
            f"{path}: geometry must be a Polygon or MultiPolygon for {_listed(found)}"
        )
    return polygonal, int(invalid.sum())


__all__ = [
    "ID_FIELDS",
    "MAX_AREAS",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_VERTICES",
    "MAX_VERTICES",
    "NAME_FIELDS",
    "POPULATION_FIELDS",
    "BoundaryImport",
    "read_boundary_file",
]
