"""The rules a new concern must pass, the same for the form, the JSON API and imports.

Every refusal is a ``(field, code)`` pair; :func:`describe` turns a code into a sentence
in Swedish or English, so the rules stay free of Flask while the pages stay translated.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from typing import Any

import regex

from geoservice.core.categories import KINDS, TIME_BANDS, codes_for_kind

ROLES = ("resident", "works", "visitor")
AGE_BANDS = ("under_18", "18_29", "30_49", "50_64", "65_plus")
TEXT_LIMIT = 1000
PLACE_NOTE_LIMIT = 200
MAX_JSON_DEPTH = 8
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,100}")

API_FIELDS = frozenset(
    {
        "lat",
        "lon",
        "kind",
        "category",
        "time_of_day",
        "weekend",
        "description",
        "suggestion",
        "role",
        "age_band",
        "idempotency_key",
    }
)

# Characters that can hide or reorder text for a reader, taken from Unicode's own
# properties rather than a hand list: every default-ignorable code point (zero-width
# marks, soft hyphen, tag characters, invisible operators, U+180E ...), every bidi control
# (U+061C, U+200E/F, U+202A-E, U+2066-9), every other format character (U+FFF9-FFFB
# interlinear annotation) and the line and paragraph separators U+2028/U+2029.
INVISIBLE = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Cf}\p{Zl}\p{Zp}]")
# Except where emoji need them: a zero-width joiner between pictographs (👩‍💻) and a
# variation selector after a visible character (❤️).
_EMOJI_JOINERS = regex.compile(
    r"(?<=\p{Extended_Pictographic}[\uFE0F\U0001F3FB-\U0001F3FF]?)\u200D(?=\p{Extended_Pictographic})"
    r"|(?<=[^\p{Default_Ignorable_Code_Point}])[\uFE0E\uFE0F]"
)


def has_invisible(text: str) -> bool:
    """True when ``text`` holds a character that hides or reorders text (see INVISIBLE)."""
    return INVISIBLE.search(_EMOJI_JOINERS.sub("", text)) is not None


MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Fältet måste fyllas i.", "This field is required."),
    "not_a_number": ("Ange ett tal.", "Must be a number."),
    "not_finite": ("Ange ett ändligt tal (inte NaN eller oändligt).", "Must be a finite number."),
    "lat_range": ("Latitud måste ligga mellan -90 och 90.", "Latitude must be between -90 and 90."),
    "lon_range": (
        "Longitud måste ligga mellan -180 och 180.",
        "Longitude must be between -180 and 180.",
    ),
    "outside": (
        "Platsen ligger utanför Melleruds kommun. Markera en plats i kommunen.",
        "The place lies outside Mellerud municipality. Mark a place inside it.",
    ),
    "in_gap": (
        "Platsen ligger i kommunen men i en lucka mellan områdena som används just nu. "
        "Markera en plats en bit därifrån, eller välj ett område i listan.",
        "The place is in the municipality but in a gap between the areas in use. "
        "Mark a place a little way off, or choose an area from the list.",
    ),
    "place_missing": (
        "Markera en plats på kartan eller välj ett område i listan.",
        "Mark a place on the map or choose an area from the list.",
    ),
    "unknown_area": ("Välj ett område i listan.", "Choose an area from the list."),
    "choice": ("Välj ett av alternativen.", "Choose one of the options."),
    "safe_reason": (
        "För en trygg plats: välj varför den känns trygg.",
        "For a safe place, choose why it feels safe.",
    ),
    "unsafe_category": (
        "För en otrygg plats: välj vad det handlar om.",
        "For an unsafe place, choose what it is about.",
    ),
    "not_text": ("Ange text.", "Must be text."),
    "too_long": (
        f"Högst {TEXT_LIMIT} tecken.",
        f"At most {TEXT_LIMIT} characters.",
    ),
    "place_note_too_long": (
        f"Högst {PLACE_NOTE_LIMIT} tecken.",
        f"At most {PLACE_NOTE_LIMIT} characters.",
    ),
    "control_chars": (
        "Texten innehåller otillåtna tecken (styrtecken).",
        "The text contains control characters, which are not allowed.",
    ),
    "invisible_chars": (
        "Texten innehåller osynliga eller textvändande tecken.",
        "The text contains invisible or direction-changing characters.",
    ),
    "not_boolean": ("Ange true, false eller null.", "Must be true, false or null."),
    "unknown_field": ("Okänt fält.", "Unknown field."),
    "idempotency_key": (
        "Ska vara 8–100 tecken: bokstäver a–z, siffror och _ . : -",
        "Must be 8-100 characters: letters a-z, digits and _ . : -",
    ),
    "honeypot": ("Lämna detta fält tomt.", "Leave this field empty."),
    "not_object": ("Skicka ett JSON-objekt.", "The body must be a JSON object."),
    "bad_json": ("Ogiltig JSON.", "The body is not valid JSON."),
    "too_deep": ("JSON-strukturen är för djupt nästlad.", "The JSON is nested too deeply."),
    "duplicate_key": ("Fältet förekommer två gånger.", "The field appears twice."),
    "not_json": (
        "Skicka kroppen som application/json.",
        "Send the body as application/json.",
    ),
}


def describe(code: str, lang: str = "sv") -> str:
    """Return the sentence for a refusal ``code`` in ``lang`` (``sv`` or ``en``)."""
    sv, en = MESSAGES[code]
    return en if lang == "en" else sv


class ReportRejected(ValueError):
    """A concern broke one or more rules; ``errors`` maps each field to a refusal code."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(", ".join(f"{k}: {v}" for k, v in self.errors.items()))

    def messages(self, lang: str = "sv") -> dict[str, str]:
        """Return field → sentence in ``lang``."""
        return {field: describe(code, lang) for field, code in self.errors.items()}


class BodyRejected(ReportRejected):
    """The request body could not be read as a JSON object at all (HTTP 400)."""


@dataclass(frozen=True)
class ReportDraft:
    """A concern that passed every rule, ready to be stored."""

    lon: float
    lat: float
    area_id: str
    precision: str
    kind: str
    category: str
    time_of_day: str
    weekend: bool | None
    description: str | None
    suggestion: str | None
    role: str | None
    age_band: str | None
    idempotency_key: str | None
    # The form's "where exactly?" (street, landmark): free text that only staff read.
    place_note: str | None = None

    def fingerprint_fields(self) -> dict[str, Any]:
        """The fields that decide whether a replayed idempotency key carries the same concern."""
        # Every field is a plain value: no deep copy (asdict) needed.
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "idempotency_key"}


Locate = Callable[[float, float], "str | None"]
AreaPoint = Callable[[str], "tuple[float, float] | None"]


class _NonFinite:
    """Marker for JSON ``NaN``/``Infinity``: kept so the field can be named in the refusal."""


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _depth(value: Any, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit`` levels."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return False


def parse_json_object(raw: bytes | str) -> dict[str, Any]:
    """Parse a request body into a dict, refusing what a careless parser would let through.

    Raises
    ------
    BodyRejected
        On invalid JSON or encoding, a non-object, duplicate keys or deep nesting.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BodyRejected({"body": "bad_json"}) from None
    # Nesting is checked on the text first: json's own recursion would hit Python's limit.
    if _max_bracket_depth(raw) > MAX_JSON_DEPTH:
        raise BodyRejected({"body": "too_deep"})
    try:
        data = json.loads(
            raw, parse_constant=lambda _c: _NonFinite(), object_pairs_hook=_no_duplicates
        )
    except _DuplicateKey as dup:
        raise BodyRejected({_field_name(dup.key): "duplicate_key"}) from None
    except (ValueError, RecursionError):
        # ValueError also covers integers beyond Python's digit limit.
        raise BodyRejected({"body": "bad_json"}) from None
    if not isinstance(data, dict):
        raise BodyRejected({"body": "not_object"})
    if _depth(data, MAX_JSON_DEPTH):
        raise BodyRejected({"body": "too_deep"})
    return data


def _max_bracket_depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _field_name(key: object) -> str:
    """A field name safe to echo back in an error: letters, digits and ``_.-`` only, bounded."""
    text = str(key)[:40]
    return "".join(c if c.isascii() and (c.isalnum() or c in "_.-") else "?" for c in text)


def _is_surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def read_point(
    data: Mapping[str, Any], *, from_form: bool, errors: dict[str, str]
) -> tuple[float, float] | None:
    """``(lon, lat)`` from ``data``'s ``lat``/``lon``, or None with the codes put in ``errors``.

    The one point rule of every intake (concerns, partners' events): both given, finite,
    within the globe's ranges.
    """
    lat = _coordinate(data.get("lat"), from_form=from_form)
    lon = _coordinate(data.get("lon"), from_form=from_form)
    if data.get("lat") in (None, ""):
        lat = "required"
    if data.get("lon") in (None, ""):
        lon = "required"
    if isinstance(lat, float) and not -90 <= lat <= 90:
        lat = "lat_range"
    if isinstance(lon, float) and not -180 <= lon <= 180:
        lon = "lon_range"
    if isinstance(lat, str):
        errors["lat"] = lat
    if isinstance(lon, str):
        errors["lon"] = lon
    if isinstance(lat, float) and isinstance(lon, float):
        return lon, lat
    return None


def _coordinate(value: Any, *, from_form: bool) -> float | str:
    """Return the coordinate as a float, or a refusal code."""
    if isinstance(value, _NonFinite):
        return "not_finite"
    if from_form and isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not re.fullmatch(r"[-+]?\d{1,3}(\.\d{1,12})?", text):
            return (
                "not_finite"
                if text.lower().lstrip("+-") in {"nan", "inf", "infinity"}
                else ("not_a_number")
            )
        value = float(text)
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return "not_a_number"
    try:
        number = float(value)
    except OverflowError:
        return "not_finite"
    if not math.isfinite(number):
        return "not_finite"
    return number


def _choice(data: Mapping[str, Any], field: str, options: Collection[str], default: str | None):
    value = data.get(field)
    if value is None or value == "":
        if default is None:
            return None, None
        return default, None
    if not isinstance(value, str) or value not in options:
        return None, "choice"
    return value, None


def clean_text(value: Any, limit: int = TEXT_LIMIT) -> tuple[str | None, str | None]:
    """Return (text or None, refusal code or None) for a free-text answer of ``limit`` chars."""
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, "not_text"
    if any(_is_surrogate(c) for c in value):
        return None, "control_chars"
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        return None, "control_chars"
    if has_invisible(value):
        return None, "invisible_chars"
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if len(text) > limit:
        return None, "too_long" if limit == TEXT_LIMIT else "place_note_too_long"
    return (text or None), None


def _weekend(value: Any, *, from_form: bool) -> tuple[bool | None, str | None]:
    if from_form:
        mapping = {"": None, "unknown": None, "weekday": False, "weekend": True}
        if value is None or value in mapping:
            return mapping.get(value), None
        return None, "choice"
    if value is None or isinstance(value, bool):
        return value, None
    return None, "not_boolean"


def validate_report(
    data: Mapping[str, Any],
    *,
    locate: Locate,
    area_point: AreaPoint,
    from_form: bool,
    in_municipality: Callable[[float, float], bool] | None = None,
) -> ReportDraft:
    """Check a submitted concern against every rule and return it ready to store.

    Parameters
    ----------
    data : mapping
        The submitted fields: a parsed JSON object, or the form's values (strings).
    locate : callable
        ``locate(lon, lat)`` returns the id of the area holding the point, or None when
        the point lies outside the municipality.
    area_point : callable
        ``area_point(area_id)`` returns a representative ``(lon, lat)`` inside that area, or
        None for an unknown id; used when a place is given as an area (no-JavaScript path).
    from_form : bool
        Form values arrive as strings and may name an area; JSON values must have their
        proper types and unknown fields are refused.
    in_municipality : callable, optional
        ``in_municipality(lon, lat)``: True inside the municipality's outline. A point
        there that no area holds lies in a gap of the area layer, and is told so rather
        than "outside the municipality".

    Raises
    ------
    ReportRejected
        With every broken rule, field by field.
    """
    errors: dict[str, str] = {}
    if not from_form:
        for key in data:
            if key not in API_FIELDS:
                errors[_field_name(key)] = "unknown_field"

    if from_form and data.get("website"):
        errors["website"] = "honeypot"

    lon = lat = None
    area_id: str | None = None
    precision = "point"
    has_point = not (data.get("lat") in (None, "") and data.get("lon") in (None, ""))
    if has_point:
        point = read_point(data, from_form=from_form, errors=errors)
        if point is not None:
            lon, lat = point
            area_id = locate(lon, lat)
            if area_id is None:
                in_gap = in_municipality is not None and in_municipality(lon, lat)
                errors["lat"] = "in_gap" if in_gap else "outside"
    elif from_form and data.get("area_id"):
        chosen = data.get("area_id")
        point = area_point(chosen) if isinstance(chosen, str) else None
        if point is None:
            errors["area_id"] = "unknown_area"
        else:
            lon, lat = point
            area_id = chosen
            precision = "area"
    else:
        errors["lat" if not from_form else "place"] = (
            "required" if not from_form else ("place_missing")
        )
        if not from_form:
            errors["lon"] = "required"

    kind, code = _choice(data, "kind", KINDS, "unsafe")
    if code:
        errors["kind"] = code
    # A safe place has reasons of its own: a "drugs" safe place would count as unsafe.
    category, code = _choice(data, "category", codes_for_kind(kind or "unsafe"), None)
    if code and kind in KINDS:
        other = "unsafe" if kind == "safe" else "safe"
        if data.get("category") in codes_for_kind(other):
            code = "safe_reason" if kind == "safe" else "unsafe_category"
    if code or category is None:
        errors["category"] = code or "required"
    time_of_day, code = _choice(data, "time_of_day", TIME_BANDS, None)
    if code or time_of_day is None:
        errors["time_of_day"] = code or "required"
    weekend, code = _weekend(data.get("weekend"), from_form=from_form)
    if code:
        errors["weekend"] = code
    role, code = _choice(data, "role", ROLES, None)
    if code:
        errors["role"] = code
    age_band, code = _choice(data, "age_band", AGE_BANDS, None)
    if code:
        errors["age_band"] = code
    description, code = clean_text(data.get("description"))
    if code:
        errors["description"] = code
    suggestion, code = clean_text(data.get("suggestion"))
    if code:
        errors["suggestion"] = code
    place_note = None
    if from_form:
        place_note, code = clean_text(data.get("place_note"), PLACE_NOTE_LIMIT)
        if code:
            errors["place_note"] = code
    key = data.get("idempotency_key")
    if key in (None, ""):
        key = None
    elif not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        errors["idempotency_key"] = "idempotency_key"

    if errors:
        raise ReportRejected(errors)
    return ReportDraft(
        lon=lon,
        lat=lat,
        area_id=area_id,
        precision=precision,
        kind=kind,
        category=category,
        time_of_day=time_of_day,
        weekend=weekend,
        description=description,
        suggestion=suggestion,
        role=role,
        age_band=age_band,
        idempotency_key=key,
        place_note=place_note,
    )
