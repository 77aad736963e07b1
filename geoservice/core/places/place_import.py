"""Read a municipality's own named places (GeoJSON, CSV, GeoPackage; any CRS) for the gazetteer.

:func:`read_places_file` returns checked places
(:func:`~geoservice.core.places.gazetteer.check_places`) in EPSG:4326, or raises
:class:`~geoservice.core.places.gazetteer.GazetteerError` naming the file, the field and
the rows at fault. CSV files give each place either as ``lat``/``lon`` columns
(EPSG:4326; also ``latitude``/``longitude``), as ``x``/``y`` in the CRS given by ``crs``
(e.g. ``EPSG:3006``), or as a ``wkt`` column (a point, line or polygon).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geoservice.core.places.gazetteer import GazetteerError, check_places

__all__ = ["PLACE_SUFFIXES", "read_places_file"]

PLACE_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".csv", ".gpkg")
"""File types :func:`read_places_file` reads."""

_NAME_FIELDS = ("name", "namn", "platsnamn")
_KIND_FIELDS = ("kind", "typ", "slag")
_RADIUS_FIELDS = ("radius_m", "radie", "radius")


def _pick(columns, given: str | None, options, path: Path, what: str) -> str | None:
    if given:
        if given not in columns:
            fields = ", ".join(map(str, columns))
            raise GazetteerError(
                f"{path.name}: no field {given!r} for the {what}; fields are {fields}",
                f"{path.name}: fältet {given!r} finns inte; fälten är {fields}",
            )
        return given
    lower = {str(c).lower(): c for c in columns}
    return next((lower[o] for o in options if o in lower), None)


def _read_csv(path: Path, crs: str | None) -> gpd.GeoDataFrame:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise GazetteerError(
            f"{path.name}: the file is not UTF-8 text", f"{path.name}: filen är inte UTF-8-text"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise GazetteerError(
            f"{path.name}: cannot read the CSV ({exc})",
            f"{path.name}: CSV-filen går inte att läsa ({exc})",
        ) from None
    lower = {c.lower().strip(): c for c in table.columns}
    pairs = (("lat", "lon"), ("latitude", "longitude"), ("y", "x"))
    if "wkt" in lower:
        raw = table[lower["wkt"]]
        try:
            geometry = shapely.from_wkt(raw.where(raw.str.strip() != "", None).to_numpy())
        except shapely.errors.ShapelyError as exc:
            raise GazetteerError(
                f"{path.name}: column 'wkt' holds text that is not WKT ({exc})",
                f"{path.name}: kolumnen 'wkt' innehåller text som inte är WKT ({exc})",
            ) from None
        return gpd.GeoDataFrame(table, geometry=geometry, crs=crs or "EPSG:4326")
    for lat_name, lon_name in pairs:
        if lat_name in lower and lon_name in lower:
            lat = pd.to_numeric(table[lower[lat_name]].str.replace(",", "."), errors="coerce")
            lon = pd.to_numeric(table[lower[lon_name]].str.replace(",", "."), errors="coerce")
            bad = (lat.isna() | lon.isna()).to_numpy()
            if bad.any():
                rows = ", ".join(str(i + 2) for i in bad.nonzero()[0][:5])
                raise GazetteerError(
                    f"{path.name}: '{lower[lat_name]}'/'{lower[lon_name]}' are not numbers "
                    f"on line(s) {rows}",
                    f"{path.name}: '{lower[lat_name]}'/'{lower[lon_name]}' är inte tal på rad "
                    f"{rows}",
                )
            if lat_name == "y" and not crs:
                raise GazetteerError(
                    f"{path.name}: x/y columns need their CRS (e.g. EPSG:3006)",
                    f"{path.name}: kolumnerna x/y behöver sitt koordinatsystem "
                    "(till exempel EPSG:3006)",
                )
            target = crs or "EPSG:4326"
            if target == "EPSG:4326" and ((lat.abs() > 90) | (lon.abs() > 180)).any():
                raise GazetteerError(
                    f"{path.name}: coordinates outside WGS 84 degrees; give the file's CRS",
                    f"{path.name}: koordinater utanför WGS 84-grader; ange filens koordinatsystem",
                )
            return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=target)
    raise GazetteerError(
        f"{path.name}: a CSV needs 'lat' and 'lon' columns, 'x' and 'y' with a CRS, or 'wkt'",
        f"{path.name}: en CSV behöver kolumnerna lat och lon, x och y med koordinatsystem, "
        "eller wkt",
    )


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip().replace(",", ".")


def read_places_file(
    path: str | Path,
    *,
    layer: str | None = None,
    name_field: str | None = None,
    kind_field: str | None = None,
    radius_field: str | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Read and check named places from a file.

    Parameters
    ----------
    path : str or Path
        ``.geojson``/``.json``, ``.csv`` or ``.gpkg``.
    layer : str, optional
        GeoPackage layer (the first one when left out).
    name_field, kind_field, radius_field : str, optional
        Fields holding the name, kind and reach; guessed (``name``/``namn``,
        ``kind``/``typ``, ``radius_m``/``radie``) when left out. Without a kind field
        every place is a ``landmark``.
    crs : str, optional
        CRS of a CSV's coordinates (GeoJSON and GeoPackage carry their own).

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`~geoservice.core.places.gazetteer.check_places` returns.

    Raises
    ------
    GazetteerError
        On an unknown type, an unreadable file, a missing field or unusable rows.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PLACE_SUFFIXES:
        raise GazetteerError(
            f"{path.name}: unknown file type {suffix or '(none)'}; expected "
            f"{', '.join(PLACE_SUFFIXES)}",
            f"{path.name}: okänd filtyp {suffix or '(ingen)'}; använd {', '.join(PLACE_SUFFIXES)}",
        )
    if not path.is_file():
        raise GazetteerError(f"{path.name}: no such file", f"{path.name}: filen finns inte")
    if suffix == ".csv":
        frame = _read_csv(path, crs)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = pyogrio.read_dataframe(path, layer=layer)
        except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
            raise GazetteerError(
                f"{path.name}: cannot read the file ({exc})",
                f"{path.name}: filen går inte att läsa ({exc})",
            ) from None
        if crs and frame.crs is None:
            frame = frame.set_crs(crs)
    columns = list(frame.columns.drop("geometry"))
    name = _pick(columns, name_field, _NAME_FIELDS, path, "name")
    if name is None:
        raise GazetteerError(
            f"{path.name}: no name field; use one of {', '.join(_NAME_FIELDS)} or name it",
            f"{path.name}: inget namnfält; använd {', '.join(_NAME_FIELDS)} eller ange fältet",
        )
    kind = _pick(columns, kind_field, _KIND_FIELDS, path, "kind")
    radius = _pick(columns, radius_field, _RADIUS_FIELDS, path, "reach")
    renamed = pd.DataFrame({"name": frame[name]})
    if kind:
        renamed["kind"] = frame[kind].replace("", None)
    if radius:
        text = frame[radius].map(_text)
        value = pd.to_numeric(text.where(text != ""), errors="coerce")
        unreadable = (value.isna() & (text != "")).to_numpy()
        if unreadable.any():
            rows = ", ".join(str(i + 1) for i in unreadable.nonzero()[0][:5])
            raise GazetteerError(
                f"{path.name}: '{radius}' is not a number in row(s) {rows}",
                f"{path.name}: '{radius}' är inte ett tal på rad {rows}",
            )
        renamed["radius_m"] = value
    for extra in ("source", "approximate"):
        match = _pick(columns, None, (extra,), path, extra)
        if match:
            renamed[extra] = frame[match].replace("", None)
    out = gpd.GeoDataFrame(renamed, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return check_places(out, source=path.name)
