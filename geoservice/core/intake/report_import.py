"""Read concerns from earlier dialogue rounds (CSV or GeoJSON) and check them for import.

:func:`read_report_rows` turns a file into one dict per concern; :func:`validate_rows`
puts every row through :func:`~geoservice.core.intake.validation.validate_report` with the JSON
API's rules (``from_form=False``), so an imported concern is held to exactly the rules of
one sent by a resident. Each accepted row gets a key derived from its content, which the
caller stores as the idempotency key: importing the same file twice adds nothing.

Rows carry the API's field names plus ``created_at`` and ``source_id``. Reader notes on a
row live under keys starting with ``_``: ``_row`` (the number to show the operator: the
line in a CSV file, where the header is line 1, or the feature's position in a GeoJSON
file) and ``_problems`` (field → message for problems found while reading).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from geoservice.core.intake.validation import (
    API_FIELDS,
    AreaPoint,
    Locate,
    ReportDraft,
    ReportRejected,
    clean_text,
    validate_report,
)
from geoservice.core.privacy.suppression import LOCAL_ZONE

IMPORT_FIELDS = frozenset(API_FIELDS - {"idempotency_key"}) | {"created_at", "source_id"}
"""Columns (CSV) or properties (GeoJSON) an import file may have."""

REQUIRED_COLUMNS = ("lat", "lon", "category", "time_of_day")
COLUMN_ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon"}
"""Other names accepted for a column; matched after lower-casing."""

SOURCE_ID_LIMIT = 100
EARLIEST_CONCERN_DATE = date(2000, 1, 1)
"""The earliest day a concern may carry: the first day every staff period filter accepts
(``web/staff_filter.EARLIEST``); an older date would be stored but never shown."""
MAX_FILE_BYTES = 100 * 1024 * 1024
"""Largest report file read (a dialogue's file of 100,000 rows is about 20 MB)."""
ROW_KEY_PREFIX = "import:"

# "x"/"y" are refused: in SWEREF 99 TM, as Swedish maps write it, X is the northing.
_AMBIGUOUS_COLUMNS = frozenset({"x", "y"})
_WGS84_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "OGC:CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
    }
)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?(nan|inf|infinity)", re.I)
_BOOLEANS = {
    "": None,
    "true": True,
    "false": False,
    "ja": True,
    "nej": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}
_CSV_SUFFIXES = (".csv", ".txt")
_GEOJSON_SUFFIXES = (".geojson", ".json")


class ReportFileError(ValueError):
    """The file as a whole cannot be imported; the message names the file and the problem."""


@dataclass
class ImportCheck:
    """The verdict on every row of an import file.

    Attributes
    ----------
    accepted : list of (int, ReportDraft, datetime or None, str)
        Row number, the checked concern (its ``idempotency_key`` set to the row key), when
        it was made (UTC; None when the file does not say, so the caller decides) and the
        row key.
    rejected : list of (int, dict)
        Row number and field → message (English) for every broken rule.
    duplicates : list of (int, int)
        Rows identical to an earlier accepted row (same key): row number and the earlier
        row's number. They are not in ``accepted``.
    """

    accepted: list[tuple[int, ReportDraft, datetime | None, str]] = field(default_factory=list)
    rejected: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.rejected


def read_report_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read the concerns of a CSV or GeoJSON file as one dict per row.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8 with or without BOM; ``,`` or ``;`` between fields, taken from
        the header line) or ``.geojson``/``.json`` file (a FeatureCollection of Point
        features in WGS 84, RFC 7946).

    Returns
    -------
    list of dict
        Field name → value: CSV values are strings as written, GeoJSON values keep their
        JSON types, with ``lon``/``lat`` taken from the Point (the geometry wins over
        properties of the same name). Plus the reader notes ``_row`` and, where reading a
        row found something wrong, ``_problems``.

    Raises
    ------
    ReportFileError
        If the file is missing, not UTF-8, not a supported format, lacks a required
        column, has unknown or ambiguous columns, or (GeoJSON) is not a FeatureCollection
        or declares a CRS other than WGS 84.
    """
    path = Path(path)
    if not path.is_file():
        raise ReportFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in _CSV_SUFFIXES + _GEOJSON_SUFFIXES:
        raise ReportFileError(
            f"{path}: unsupported file type {suffix or '(none)'}; use .csv or .geojson"
        )
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReportFileError(
            f"{path}: {size // 2**20} MB is more than the {MAX_FILE_BYTES // 2**20} MB a "
            "report file may have; split it into several files"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportFileError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 (in Excel: 'CSV UTF-8')"
        ) from None
    if suffix in _CSV_SUFFIXES:
        return _csv_rows(path, text)
    return _geojson_rows(path, text)


def validate_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    locate: Locate,
    area_point: AreaPoint,
    now: datetime | None = None,
) -> ImportCheck:
    """Check every row with the API's rules and derive each accepted row's key.

    Parameters
    ----------
    rows : iterable of mapping
        Rows from :func:`read_report_rows` (or built in code with the same keys).
    locate, area_point : callable
        As for :func:`~geoservice.core.intake.validation.validate_report`.
    now : datetime, optional
        The present (aware), against which ``created_at`` in the future is refused.
        Defaults to the current time.

    Returns
    -------
    ImportCheck

    Notes
    -----
    Text from a CSV is converted before the check: ``lat``/``lon`` from numbers written
    as text (a decimal comma is accepted; ``NaN`` and ``inf`` are refused as not finite),
    ``weekend`` from ``true/false``, ``ja/nej``, ``yes/no``, ``1/0`` or empty (unknown),
    and an empty value means the field is absent. ``created_at`` is an ISO 8601 date or
    date and time; without an offset it is Swedish local time, and a date alone is taken
    as noon so that it names the same day in UTC. The row key is ``"import:"`` and the
    SHA-256 of the checked values (not the area, which depends on the boundaries in
    force), so the same concern written with other spacing or ``58,70`` for ``58.7``
    gets the same key.
    """
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("'now' should be an aware datetime")
    check = ImportCheck()
    first_row_with_key: dict[str, int] = {}
    for position, row in enumerate(rows, start=1):
        number = int(row.get("_row", position))
        errors: dict[str, str] = dict(row.get("_problems") or {})
        created_at = _created_at(row.get("created_at"), now, errors)
        source_id = _source_id(row.get("source_id"), errors)
        data = {
            key: _api_value(key, value)
            for key, value in row.items()
            if not key.startswith("_") and key not in ("created_at", "source_id")
        }
        draft = None
        try:
            draft = validate_report(data, locate=locate, area_point=area_point, from_form=False)
        except ReportRejected as rejected:
            found = rejected.messages("en")
            if "geometry" in errors:  # the place is already refused with the reason
                found = {k: v for k, v in found.items() if k not in ("lat", "lon")}
            errors = {**found, **errors}
        if errors or draft is None:
            check.rejected.append((number, errors))
            continue
        key = row_key(draft, created_at, source_id)
        if key in first_row_with_key:
            check.duplicates.append((number, first_row_with_key[key]))
            continue
        first_row_with_key[key] = number
        draft = dataclasses.replace(draft, idempotency_key=key)
        check.accepted.append((number, draft, created_at, key))
    return check


def row_key(draft: ReportDraft, created_at: datetime | None, source_id: str | None) -> str:
    """Return the stable key of an imported concern: ``"import:"`` + SHA-256 hex.

    Parameters
    ----------
    draft : ReportDraft
        The checked concern; its area, precision and idempotency key are left out.
    created_at : datetime or None
        When it was made (aware).
    source_id : str or None
        Its id in the source the file came from.

    Returns
    -------
    str
        71 characters, valid as an API idempotency key.
    """
    content = draft.fingerprint_fields()
    for decided_here in ("area_id", "precision"):
        content.pop(decided_here)
    content["created_at"] = created_at.astimezone(UTC).isoformat() if created_at else None
    content["source_id"] = source_id
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return ROW_KEY_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- reading ------------------------------------------------------------------------------


def _column(name: str) -> str:
    key = name.strip().lower()
    return COLUMN_ALIASES.get(key, key)


def _check_columns(path: Path, names: Iterable[str], *, what: str, required: bool) -> None:
    names = set(names)
    ambiguous = sorted(names & _AMBIGUOUS_COLUMNS)
    if ambiguous:
        raise ReportFileError(
            f"{path}: {what} {', '.join(ambiguous)} are ambiguous (in SWEREF 99 TM X is the "
            "northing); give WGS 84 coordinates as lat and lon"
        )
    unknown = sorted(names - IMPORT_FIELDS)
    if unknown:
        raise ReportFileError(
            f"{path}: unknown {what} {', '.join(unknown)}; "
            f"expected {', '.join(sorted(IMPORT_FIELDS))}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in names] if required else []
    if missing:
        raise ReportFileError(f"{path}: missing {what} {', '.join(missing)}")


def _csv_rows(path: Path, text: str) -> list[dict[str, Any]]:
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise ReportFileError(f"{path}: no header line")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = [_column(name) for name in next(reader)]
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise ReportFileError(f"{path}: column(s) given twice: {', '.join(duplicated)}")
        _check_columns(path, columns, what="column(s)", required=True)
        rows = []
        line = reader.line_num
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            row: dict[str, Any] = dict(zip(columns, values, strict=False))
            row["_row"] = start
            if len(values) > len(columns):
                row["_problems"] = {
                    "row": f"Has {len(values)} values but the header has {len(columns)} "
                    "columns; check the delimiter and the quoting."
                }
            rows.append(row)
    except csv.Error as exc:
        raise ReportFileError(f"{path}: not readable as CSV ({exc})") from exc
    return rows


def _geojson_rows(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ReportFileError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ReportFileError(f"{path}: expected a GeoJSON FeatureCollection")
    _check_crs(path, data.get("crs"))
    features = data.get("features")
    if not isinstance(features, list):
        raise ReportFileError(f"{path}: 'features' should be a list")

    rows = []
    seen: set[str] = set()
    for number, feature in enumerate(features, start=1):
        row: dict[str, Any] = {"_row": number}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            row["_problems"] = {"row": "Not a GeoJSON Feature."}
            rows.append(row)
            continue
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            properties = {}
            row["_problems"] = {"properties": "Must be a JSON object."}
        for key, value in properties.items():
            row[_column(str(key))] = value
        seen.update(k for k in row if not k.startswith("_"))
        lon, lat, problem = _point(feature.get("geometry"))
        row["lon"], row["lat"] = lon, lat
        if problem:
            row.setdefault("_problems", {})["geometry"] = problem
        rows.append(row)
    _check_columns(path, seen, what="properties", required=False)
    return rows


def _check_crs(path: Path, crs: Any) -> None:
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or name not in _WGS84_NAMES:
        raise ReportFileError(
            f"{path}: declares the CRS {json.dumps(crs)[:120]}; GeoJSON must be WGS 84 "
            "longitude/latitude (RFC 7946) — reproject the file and drop the 'crs' member"
        )


def _point(geometry: Any) -> tuple[Any, Any, str | None]:
    """Return (lon, lat, problem) from a GeoJSON geometry."""
    if geometry is None:
        return None, None, "Missing; a Point is required."
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind != "Point":
        return None, None, f"Must be a Point, not {str(kind)[:40]}."
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) not in (2, 3):
        return None, None, "A Point needs [longitude, latitude]."
    return coordinates[0], coordinates[1], None


# -- converting ---------------------------------------------------------------------------


def _api_value(key: str, value: Any) -> Any:
    """Convert text from a CSV to the JSON type the API's rules expect."""
    if isinstance(value, str):
        value = value.strip() if key not in ("description", "suggestion") else value
        if not value.strip():
            return None
    if key in ("lat", "lon") and isinstance(value, str):
        text = value.replace(",", ".") if "." not in value else value
        return float(text) if _NUMBER.fullmatch(text) else value
    if key == "weekend":
        if isinstance(value, str) and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        if type(value) is int and value in (0, 1):
            return bool(value)
    return value


def _created_at(value: Any, now: datetime, errors: dict[str, str]) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = "Must be an ISO 8601 date (2024-05-31) or date and time (2024-05-31T18:30)."
    if not isinstance(value, str):
        errors["created_at"] = message
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            # Noon: the same calendar day in local time and in UTC.
            moment = datetime.combine(date.fromisoformat(text), time(12), LOCAL_ZONE)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        errors["created_at"] = message
        return None
    # Before converting: a year-1 date has no UTC form, and anything before the earliest
    # date would be stored but never shown (every period filter starts there).
    if moment.date() < EARLIEST_CONCERN_DATE:
        errors["created_at"] = (
            f"Lies before {EARLIEST_CONCERN_DATE.isoformat()}, the earliest date the service "
            "keeps concerns for."
        )
        return None
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        errors["created_at"] = message
        return None
    if moment > now:
        errors["created_at"] = "Lies in the future."
        return None
    return moment


def _source_id(value: Any, errors: dict[str, str]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text, code = clean_text(value)
    if code or (text is not None and len(text) > SOURCE_ID_LIMIT):
        errors["source_id"] = f"Must be text of at most {SOURCE_ID_LIMIT} visible characters."
        return None
    return text


__all__ = [
    "COLUMN_ALIASES",
    "EARLIEST_CONCERN_DATE",
    "IMPORT_FIELDS",
    "REQUIRED_COLUMNS",
    "ImportCheck",
    "ReportFileError",
    "read_report_rows",
    "row_key",
    "validate_rows",
]
