"""Named places (the gazetteer) and the one function that puts a name on any place.

Staff views, exports, the patrol plan and the period report speak of places by their
names ("vid Resecentrum", "Storgatan, norra delen", "Åsensbruk"), not by H3 ids or
coordinates (SPEC §6 "Hot zones"). The shipped starter set for Mellerud lives in
``data/places/mellerud_gazetteer.geojson`` (sources in ``data/places/README.md``); the
municipality replaces or extends it (``geoservice places import FILE`` or the admin page).

Usage
-----
>>> from geoservice.core.places.gazetteer import load_gazetteer, label_place
>>> places = load_gazetteer()                       # the shipped set, checked
>>> label_place(shapely.Point(12.4620, 58.7012), places)   # a point, EPSG:4326
'vid Resecentrum'
>>> label_place("8a08b4aaa227fff", places)          # an H3 cell (str or int)
>>> label_place(zone.geometry, places, lang="en")   # any (multi)polygon, EPSG:4326

:func:`label_place` accepts a shapely geometry in EPSG:4326 (a point, a cell's polygon, a
zone's union of cells), an H3 cell (string or integer) and either a :class:`Gazetteer` or
a GeoDataFrame of places (checked and wrapped on each call: pass a :class:`Gazetteer` when
labelling many). :meth:`Gazetteer.label_cells` labels many cells at once.

How a label is chosen (all distances in SWEREF 99 TM, EPSG:3006)
---------------------------------------------------------------
1. **Landmark** (station, square, school, sports ground, park, landmark) whose reach
   (``radius_m``) the geometry touches: the one nearest the geometry's centre →
   ``"vid Resecentrum"``; in a village the village follows: ``"vid Karolinerskolan,
   Dals Rostock"``.
2. **Street or road** within its reach: the nearest → ``"Storgatan"``; on a street longer
   than :data:`PART_MIN_LENGTH_M` the third it lies in is named by its compass side →
   ``"Storgatan, norra delen"`` / ``"Storgatan, mellersta delen"``.
3. **Locality** (part of the town, village, town) whose reach holds the centre: the most
   specific (smallest reach) → ``"Fagerlid"``, ``"Åsensbruk"``.
4. Otherwise distance and direction to the nearest locality → ``"2,3 km nordväst om
   Åsensbruk"``; with no places at all, ``"Melleruds kommun"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from geoservice.core.typography import format_number
from geoservice.resources import places_dir

__all__ = [
    "DEFAULT_GAZETTEER_FILE",
    "KINDS",
    "LANDMARK_KINDS",
    "LOCALITY_KINDS",
    "PART_MIN_LENGTH_M",
    "STREET_KINDS",
    "Gazetteer",
    "GazetteerError",
    "check_places",
    "label_place",
    "load_gazetteer",
]

DEFAULT_GAZETTEER_FILE = "mellerud_gazetteer.geojson"
METRIC_CRS = "EPSG:3006"

LANDMARK_KINDS: tuple[str, ...] = ("station", "square", "school", "sports", "park", "landmark")
STREET_KINDS: tuple[str, ...] = ("street", "road")
LOCALITY_KINDS: tuple[str, ...] = ("district", "village", "town")
KINDS: tuple[str, ...] = LANDMARK_KINDS + STREET_KINDS + LOCALITY_KINDS
"""Kinds of place a gazetteer may hold."""

DEFAULT_RADIUS_M: dict[str, float] = {
    **dict.fromkeys(LANDMARK_KINDS, 150.0),
    "street": 70.0,
    "road": 110.0,
    "district": 500.0,
    "village": 700.0,
    "town": 2500.0,
}
"""Reach of a place when its ``radius_m`` is not given, metres."""

PART_MIN_LENGTH_M: float = 600.0
"""Streets at least this long are labelled by part (norra/mellersta/södra delen)."""

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_PART = {
    "sv": {"n": "norra", "s": "södra", "e": "östra", "w": "västra", "m": "mellersta"},
    "en": {"n": "northern", "s": "southern", "e": "eastern", "w": "western", "m": "middle"},
}
_COMPASS = {
    "sv": ("norr", "nordost", "öster", "sydost", "söder", "sydväst", "väster", "nordväst"),
    "en": ("north", "north-east", "east", "south-east", "south", "south-west", "west",
           "north-west"),
}  # fmt: skip


class GazetteerError(ValueError):
    """A places file or table cannot be used; the message names the problem and the rows.

    ``str(error)`` is English (logs, the command line); ``error.sv`` says the same in
    Swedish for the admin page.
    """

    def __init__(self, message: str, sv: str | None = None):
        super().__init__(message)
        self.sv = sv or message


def _rows(mask: np.ndarray, names) -> str:
    bad = [f"{i + 1} ({str(names[i])[:40]!r})" for i in np.flatnonzero(mask)[:5]]
    more = "" if mask.sum() <= 5 else f" and {int(mask.sum()) - 5} more"
    return ", ".join(bad) + more


def check_places(frame: gpd.GeoDataFrame, *, source: str = "places") -> gpd.GeoDataFrame:
    """Check and normalise a table of named places; return it in EPSG:4326.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        One row per place, any CRS: ``name`` (required), ``kind`` (one of :data:`KINDS`,
        default ``"landmark"``), ``radius_m`` (reach in metres, default by kind),
        ``source`` and ``approximate`` (optional). Points, lines and polygons are allowed.
    source : str
        What to call the input in messages (a file name).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name, kind, radius_m, source, approximate, geometry`` in EPSG:4326.

    Raises
    ------
    GazetteerError
        On no CRS, no ``name`` column, an empty name, an unknown kind, a missing or invalid
        geometry or a radius that is not a positive number of metres; the message names
        the rows (1-based) and the field.
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        raise GazetteerError(f"{source}: should be a GeoDataFrame, got {type(frame)}")
    if frame.crs is None:
        raise GazetteerError(
            f"{source}: the file declares no coordinate reference system",
            f"{source}: filen anger inget koordinatsystem",
        )
    if not len(frame):
        raise GazetteerError(f"{source}: holds no places", f"{source}: inga platser i filen")
    if "name" not in frame.columns:
        raise GazetteerError(f"{source}: missing field 'name'", f"{source}: fältet 'name' saknas")
    names = frame["name"].astype(object).where(frame["name"].notna(), "")
    names = names.map(lambda v: str(v).strip())
    empty = (names == "").to_numpy()
    if empty.any():
        raise GazetteerError(
            f"{source}: row(s) {_rows(empty, names)} have no 'name'",
            f"{source}: rad {_rows(empty, names)} saknar namn",
        )
    too_long = (names.str.len() > 80).to_numpy()
    if too_long.any():
        raise GazetteerError(
            f"{source}: 'name' longer than 80 characters in row(s) {_rows(too_long, names)}",
            f"{source}: namnet är längre än 80 tecken på rad {_rows(too_long, names)}",
        )
    kinds = frame["kind"] if "kind" in frame.columns else pd.Series("landmark", frame.index)
    kinds = kinds.astype(object).where(kinds.notna(), "landmark").map(lambda v: str(v).strip())
    unknown = (~kinds.isin(KINDS)).to_numpy()
    if unknown.any():
        raise GazetteerError(
            f"{source}: unknown 'kind' in row(s) {_rows(unknown, names)}; "
            f"expected one of {', '.join(KINDS)}",
            f"{source}: okänt slag (kind) på rad {_rows(unknown, names)}; "
            f"tillåtna är {', '.join(KINDS)}",
        )
    geoms = frame.geometry
    bad_geom = (geoms.isna() | geoms.is_empty | ~geoms.is_valid).to_numpy()
    if bad_geom.any():
        raise GazetteerError(
            f"{source}: missing or invalid geometry in row(s) {_rows(bad_geom, names)}",
            f"{source}: läget saknas eller är ogiltigt på rad {_rows(bad_geom, names)}",
        )
    if "radius_m" in frame.columns:
        radius = pd.to_numeric(frame["radius_m"], errors="coerce")
        given = frame["radius_m"].notna().to_numpy()
        bad_r = given & ~(np.isfinite(radius.to_numpy(float)) & (radius.to_numpy(float) > 0))
        bad_r |= given & (radius.to_numpy(float) > 20_000)
        if bad_r.any():
            raise GazetteerError(
                f"{source}: 'radius_m' should be metres between 0 and 20 000 in row(s) "
                f"{_rows(bad_r, names)}",
                f"{source}: räckvidden (radius_m) ska vara meter mellan 0 och 20 000, rad "
                f"{_rows(bad_r, names)}",
            )
        radius = radius.where(given, kinds.map(DEFAULT_RADIUS_M))
    else:
        radius = kinds.map(DEFAULT_RADIUS_M)
    src = frame["source"] if "source" in frame.columns else pd.Series(None, frame.index)
    approx = (
        frame["approximate"].map(_truthy)
        if "approximate" in frame.columns
        else pd.Series(True, frame.index)
    )
    out = gpd.GeoDataFrame(
        {
            "name": names.to_numpy(),
            "kind": kinds.to_numpy(),
            "radius_m": radius.astype(float).to_numpy(),
            "source": src.astype(object).where(src.notna(), None).to_numpy(),
            "approximate": approx.astype(bool).to_numpy(),
        },
        geometry=geoms.to_numpy(),
        crs=frame.crs,
    )
    return out.to_crs(4326).reset_index(drop=True)


def _truthy(value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True  # unknown accuracy: say approximate rather than claim precision
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "nej", "")
    return bool(value)


@dataclass(frozen=True, eq=False)
class Gazetteer:
    """Checked named places, with their metric geometries ready for labelling.

    Build it with :func:`load_gazetteer` or ``Gazetteer.from_frame(check_places(frame))``.

    Attributes
    ----------
    places : geopandas.GeoDataFrame
        ``name, kind, radius_m, source, approximate, geometry`` in EPSG:4326.
    """

    places: gpd.GeoDataFrame
    _metric: np.ndarray = field(repr=False)
    _kind: np.ndarray = field(repr=False)
    _radius: np.ndarray = field(repr=False)

    @classmethod
    def from_frame(cls, places: gpd.GeoDataFrame) -> Gazetteer:
        """Wrap checked places (see :func:`check_places`)."""
        metric = places.to_crs(METRIC_CRS).geometry.to_numpy()
        shapely.prepare(metric)
        return cls(
            places=places,
            _metric=metric,
            _kind=places["kind"].to_numpy(str),
            _radius=places["radius_m"].to_numpy(float),
        )

    @property
    def any_approximate(self) -> bool:
        """Whether any place's position is approximate (the UI then says so)."""
        return bool(self.places["approximate"].any())

    def __len__(self) -> int:
        return len(self.places)

    def label(self, geometry, lang: str = "sv") -> str:
        """Name the place of ``geometry`` (see :func:`label_place`)."""
        return self._label_metric(_to_metric(geometry), lang)

    def label_cells(self, cells: npt.ArrayLike, lang: str = "sv") -> list[str]:
        """Labels of many H3 cells (integers or strings), by each cell's polygon."""
        out = []
        memo: dict[int, str] = {}
        for cell in np.asarray(cells, dtype=object).ravel().tolist():
            key = h3.str_to_int(cell) if isinstance(cell, str) else int(cell)
            if key not in memo:
                memo[key] = self.label(key, lang)
            out.append(memo[key])
        return out

    def _label_metric(self, geom: shapely.Geometry, lang: str) -> str:
        lang = "en" if lang == "en" else "sv"
        if not len(self.places):
            return "Mellerud Municipality" if lang == "en" else "Melleruds kommun"
        centre = geom.centroid if geom.geom_type != "Point" else geom
        to_geom = shapely.distance(self._metric, geom)
        to_centre = shapely.distance(self._metric, centre)
        names = self.places["name"].to_numpy(object)
        village = self._village_of(centre, to_centre)

        landmark = np.isin(self._kind, LANDMARK_KINDS) & (to_geom <= self._radius)
        if landmark.any():
            i = _nearest(landmark, to_centre)
            text = f"{'by' if lang == 'en' else 'vid'} {names[i]}"
            return f"{text}, {names[village]}" if village is not None else text
        street = np.isin(self._kind, STREET_KINDS) & (to_geom <= self._radius)
        if street.any():
            i = _nearest(street, to_centre)
            text = str(names[i]) + self._part(self._metric[i], centre, lang)
            return f"{text}, {names[village]}" if village is not None else text
        locality = np.isin(self._kind, LOCALITY_KINDS)
        holding = locality & (to_centre <= self._radius)
        if holding.any():
            i = np.flatnonzero(holding)[np.argmin(self._radius[holding])]
            return str(names[i])
        if not locality.any():
            locality = np.ones(len(names), dtype=bool)
        i = _nearest(locality, to_centre)
        return self._away(i, centre, to_centre[i], lang)

    def _village_of(self, centre, to_centre) -> int | None:
        inside = (self._kind == "village") & (to_centre <= self._radius)
        if not inside.any():
            return None
        return int(np.flatnonzero(inside)[np.argmin(self._radius[inside])])

    def _part(self, line: shapely.Geometry, centre: shapely.Point, lang: str) -> str:
        if (
            line.geom_type not in ("LineString", "MultiLineString")
            or line.length < PART_MIN_LENGTH_M
        ):
            return ""
        share = line.project(centre) / line.length
        if 1 / 3 <= share <= 2 / 3:
            side = "m"
        else:
            mid = line.interpolate(0.5, normalized=True)
            end = line.interpolate(0.0 if share < 1 / 3 else 1.0, normalized=True)
            dx, dy = end.x - mid.x, end.y - mid.y
            side = ("n" if dy > 0 else "s") if abs(dy) >= abs(dx) else ("e" if dx > 0 else "w")
        word = _PART[lang][side]
        return f", {word} part" if lang == "en" else f", {word} delen"

    def _away(self, i: int, centre: shapely.Point, metres: float, lang: str) -> str:
        name = self.places["name"].iloc[i]
        target = self._metric[i].centroid
        angle = math.degrees(math.atan2(centre.x - target.x, centre.y - target.y)) % 360
        direction = _COMPASS[lang][int((angle + 22.5) // 45) % 8]
        km = format_number(metres / 1000, lang, decimals=1)
        return (
            f"{km} km {direction} of {name}" if lang == "en" else f"{km} km {direction} om {name}"
        )


def _nearest(mask: np.ndarray, distance: np.ndarray) -> int:
    idx = np.flatnonzero(mask)
    return int(idx[np.argmin(distance[idx])])


def _to_metric(geometry) -> shapely.Geometry:
    if isinstance(geometry, str | int | np.integer):
        try:
            cell = h3.str_to_int(geometry) if isinstance(geometry, str) else int(geometry)
            ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(h3.int_to_str(cell))]
        except (ValueError, TypeError, h3.H3BaseException) as exc:
            raise ValueError(f"'geometry' is not an H3 cell: {geometry!r}") from exc
        geometry = shapely.Polygon(ring)
    if not isinstance(geometry, shapely.Geometry):
        raise ValueError(
            f"'geometry' should be a shapely geometry (EPSG:4326) or an H3 cell, got "
            f"{type(geometry)}"
        )
    if geometry.is_empty:
        raise ValueError("'geometry' is empty")
    return shapely.transform(geometry, lambda xy: np.column_stack(_TO_METRIC.transform(*xy.T)))


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """Read and check a places file (default: the shipped Mellerud starter set).

    Raises
    ------
    GazetteerError
        When the file is unreadable or a place is unusable (see :func:`check_places`).
    """
    path = Path(path) if path else places_dir() / DEFAULT_GAZETTEER_FILE
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise GazetteerError(
            f"{path.name}: cannot read the places file ({exc})",
            f"{path.name}: filen går inte att läsa ({exc})",
        ) from None
    return Gazetteer.from_frame(check_places(frame, source=path.name))


def label_place(geometry, places: Gazetteer | gpd.GeoDataFrame, *, lang: str = "sv") -> str:
    """Name any place: a point, a hex cell or a zone.

    Parameters
    ----------
    geometry : shapely geometry (EPSG:4326), or an H3 cell as str or int
        A point (``x`` = longitude), a cell, or a zone's (multi)polygon.
    places : Gazetteer or geopandas.GeoDataFrame
        The gazetteer; a GeoDataFrame is checked with :func:`check_places` first.
    lang : {"sv", "en"}
        Language of the connecting words (``vid``/``by``, ``norra delen``/``northern part``).

    Returns
    -------
    str
        ``"vid Resecentrum"``, ``"Storgatan, norra delen"``, ``"Åsensbruk"`` or
        ``"1,2 km nordost om Åsensbruk"`` (rules in the module docstring).

    Raises
    ------
    ValueError
        If ``geometry`` is neither a non-empty geometry nor an H3 cell.
    """
    if not isinstance(places, Gazetteer):
        places = Gazetteer.from_frame(check_places(places))
    return places.label(geometry, lang)
