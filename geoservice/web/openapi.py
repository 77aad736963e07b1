"""The OpenAPI 3.1 description of ``/api/v1`` (SPEC §8), built from the codes it documents.

Enums, limits and patterns are read from the modules that enforce them, so the document
cannot drift from the rules; ``tests/web/test_openapi.py`` checks it against the routes and
runs Schemathesis against the app with it.
"""

from __future__ import annotations

import unicodedata
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, jsonify

from geoservice.core.analysis.hotspots import HOTSPOT_CLASSES
from geoservice.core.categories import (
    CATEGORY_CODES,
    KINDS,
    SAFE_REASON_CODES,
    STATUSES,
    TIME_BANDS,
)
from geoservice.core.intake.validation import (
    AGE_BANDS,
    IDEMPOTENCY_KEY,
    INVISIBLE,
    ROLES,
    TEXT_LIMIT,
)
from geoservice.web.analysis import DEFAULT_RADIUS_M, RADIUS_RANGE
from geoservice.web.patrol import MAX_STOPS, WEEKDAY_CHOICES

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Query values arrive as text; an empty value means "not given" and the default applies.
# Each pattern accepts exactly what the parsing code accepts, so a schema-valid request is
# never refused for its form (only the cross-field rules below remain, each a 422).
# Public months: 1970-01 to 2100-12 (core.privacy.suppression.coarse_period).
_MONTH = r"^((19[7-9][0-9]|20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$"
# Staff days: real calendar days from 2000-01-01 to 2100-12-31 (web.staff_filter).
_YEAR = r"(20[0-9]{2}|2100)"
_LEAP = r"(20(0[048]|[2468][048]|[13579][26]))"
_DAY = (
    rf"^({_YEAR}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
    rf"|(0[13578]|1[02])-31)|{_LEAP}-02-29)?$"
)
# Whole numbers as the parsers read them: ASCII digits, leading zeros allowed.
_FROM_HOUR = r"^(\s*0*([0-9]|1[0-9]|2[0-3])\s*)?$"
_TO_HOUR = r"^(\s*0*([0-9]|1[0-9]|2[0-4])\s*)?$"
_RADIUS = rf"^(0*([1-9][0-9]{{2}}|{RADIUS_RANGE[1]}))?$"
_STOPS = rf"^(0*({'|'.join(str(n) for n in range(MAX_STOPS, 0, -1))}))?$"
_MONTHS = r"^(\s*0*([1-9]|[1-5][0-9]|60)\s*)?$"


def _plain_text_pattern() -> str:
    """Refused by core.intake.validation.clean_text: control characters (except tab and
    newlines), lone surrogates, and every character Unicode marks as default-ignorable, a
    bidi control, a format character or a line/paragraph separator (core.intake.validation
    .INVISIBLE); written out from the same property tables, for the Basic Multilingual
    Plane (tag characters U+E0000–E007F are refused too, beyond what the pattern shows;
    a zero-width joiner or variation selector inside an emoji is allowed, which a pattern
    cannot tell apart)."""
    refused = [
        c
        for c in range(0x10000)
        if (0xD800 <= c <= 0xDFFF)
        or (unicodedata.category(chr(c)) == "Cc" and chr(c) not in "\t\n\r")
        or INVISIBLE.match(chr(c))
    ]
    ranges = []
    start = prev = refused[0]
    for c in refused[1:]:
        if c != prev + 1:
            ranges.append((start, prev))
            start = c
        prev = c
    ranges.append((start, prev))
    parts = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return f"^[^{parts}]*$"


_PLAIN_TEXT = _plain_text_pattern()


def _municipality_bounds() -> tuple[float, float, float, float]:
    """The outline's bounding box (lon/lat), rounded outward to 4 decimals."""
    import math

    from geoservice.store.areas import shipped_layer

    minx, miny, maxx, maxy = shipped_layer().outline.total_bounds
    down, up = (lambda v: math.floor(v * 1e4) / 1e4), (lambda v: math.ceil(v * 1e4) / 1e4)
    return down(minx), down(miny), up(maxx), up(maxy)


_BOUNDS = _municipality_bounds()


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _choice(codes: tuple[str, ...], description: str) -> dict[str, Any]:
    """A query code; the empty value means no narrowing."""
    return {"type": "string", "enum": [*codes, ""], "description": description}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _package_version() -> str:
    try:
        return version("geoservice")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0+unknown"


_STR, _NUM, _BOOL = {"type": "string"}, {"type": "number"}, {"type": "boolean"}
_COUNT = {"type": "number", "minimum": 0}


def _null(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _enum(*values: Any) -> dict[str, Any]:
    return {"enum": list(values)}


def _object(properties: dict[str, Any], *optional: str, closed: bool = False, **extra: Any):
    """An object whose properties are all required except those named ``optional``."""
    schema = {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        **extra,
    }
    return schema | {"additionalProperties": False} if closed else schema


def _geojson() -> dict[str, Any]:
    """GeoJSON (RFC 7946) building blocks, positions as [lon, lat] in EPSG:4326."""
    position = {"type": "array", "items": _NUM, "minItems": 2, "maxItems": 3}
    ring = {"type": "array", "items": position, "minItems": 4}
    rings = {"type": "array", "items": ring}
    return {
        "point": _object({"type": {"const": "Point"}, "coordinates": position}),
        "polygon": _object({"type": {"const": "Polygon"}, "coordinates": rings}),
        "multipolygon": _object(
            {"type": {"const": "MultiPolygon"}, "coordinates": {"type": "array", "items": rings}}
        ),
    }


def _feature_collection(geometry: dict, properties: dict, **members: Any) -> dict[str, Any]:
    feature = _object(
        {
            "type": {"const": "Feature"},
            "id": {"type": ["string", "integer"]},
            "geometry": geometry,
            "properties": properties,
        },
        "id",
    )
    collection = {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}
    collection["features"]["items"] = feature
    return _object(collection | members)


def _schemas() -> dict[str, Any]:
    geo = _geojson()
    categories, bands = _enum(*CATEGORY_CODES), _enum(*TIME_BANDS)
    # A concern's own category: an unsafe category, or a reason a safe place feels safe.
    any_category = {
        **_enum(*CATEGORY_CODES, *SAFE_REASON_CODES),
        "description": "An unsafe category for kind `unsafe`, a safe reason for kind `safe`.",
    }
    area_ref = _object({"id": _null("string"), "name": _null("string")})
    text = _null("string", maxLength=TEXT_LIMIT, pattern=_PLAIN_TEXT)
    messages = {"type": "object", "additionalProperties": _STR}

    def mix(codes: tuple[str, ...]) -> dict[str, Any]:
        counts = {code: _null("integer", minimum=0) for code in codes}
        cells = _object(counts, closed=True, description="Per code; null where below k.")
        return {"anyOf": [cells, {"type": "null"}]}

    area = _object(
        {
            "id": _STR,
            "name": _STR,
            "population": _null("integer", minimum=0),
            "count": _null("integer", minimum=0),
            "rate_per_1000": _null("number", minimum=0),
            "suppressed": {**_BOOL, "description": "The count is below k and hidden."},
            "category_mix": mix(CATEGORY_CODES),
            "time_band_mix": mix(TIME_BANDS),
        },
        **{
            "if": {"properties": {"suppressed": {"const": True}}},
            "then": {"properties": {"count": {"type": "null"}, "rate_per_1000": {"type": "null"}}},
        },
    )
    staff_report = _object(
        {
            "id": _STR,
            "reference": {**_STR, "description": "How staff name the concern, e.g. `S-3F2A91C0`."},
            "created_at": {**_STR, "format": "date-time"},
            "precision": _enum("point", "area", "cell"),
            "kind": _enum(*KINDS),
            "category": any_category,
            "time_of_day": bands,
            "weekend": _null("boolean"),
            "exact_hour": _null("integer", minimum=0, maximum=23),
            "description": _null("string", description="Personal data masked."),
            "suggestion": _null("string", description="Personal data masked."),
            "place_note": _null(
                "string", description="Where exactly, in the resident's words; masked."
            ),
            "role": _enum(*ROLES, None),
            "age_band": _enum(*AGE_BANDS, None),
            "area_id": _null("string"),
            "status": _enum(*STATUSES),
            "source": _STR,
            "is_demo": _BOOL,
        },
    )
    filter_echo = {
        **_object({"from": _STR, "to": _STR}),
        "additionalProperties": _STR,
        "description": "The filter in force, defaults filled in.",
    }
    per_code = {"type": "object", "additionalProperties": _COUNT}
    stop = _object(
        {
            "rank": {"type": "integer", "minimum": 1},
            "lat": _NUM,
            "lon": _NUM,
            "cell": {**_STR, "description": "H3 cell index."},
            "count": {
                "type": "integer",
                "minimum": 0,
                "description": "Voices in the window (whole; known time overlapping it).",
            },
            "total": {"type": "integer", "minimum": 0, "description": "Voices in the look-back."},
            "weighted": {**_COUNT, "description": "Aoristic sum for the window (detail)."},
            "kind": _enum("zone", "place"),
            "place": {**_STR, "description": "Gazetteer name of the stop."},
            "place_en": _STR,
            "cells": {"type": "array", "items": _STR},
            "significant": _BOOL,
            "hotspot_class": _enum(*HOTSPOT_CLASSES),
            "categories": {**per_code, "propertyNames": categories},
            "time_profile": {**per_code, "propertyNames": bands},
            "why_sv": _STR,
            "why_en": _STR,
        },
    )
    hour = {"type": "integer", "minimum": 0, "maximum": 24}
    window = _object(
        {
            "days": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}},
            "from_hour": hour,
            "to_hour": hour,
            "label_sv": _STR,
            "label_en": _STR,
        }
    )
    return {
        "Error": _object(
            {"errors": {**messages, "minProperties": 1}},
            closed=True,
            description="Every refusal: each field (or `body`, `request`) with its problem.",
        ),
        "InternalError": _object(
            {"errors": messages, "correlation_id": {**_STR, "pattern": "^[A-Za-z0-9-]{8,64}$"}},
            closed=True,
        ),
        "Category": _object(
            {
                "code": _enum(*CATEGORY_CODES, *SAFE_REASON_CODES),
                "label_sv": _STR,
                "label_en": _STR,
                "kind": {**_enum(*KINDS), "description": "The kind of place the code is for."},
            },
            closed=True,
        ),
        "CategoryList": {"type": "array", "items": _ref("Category")},
        "NewReport": _object(
            {
                "lat": {**_NUM, "minimum": _BOUNDS[1], "maximum": _BOUNDS[3]},
                "lon": {**_NUM, "minimum": _BOUNDS[0], "maximum": _BOUNDS[2]},
                "kind": {**_enum(*KINDS, "", None), "description": "Default `unsafe`."},
                "category": any_category,
                "time_of_day": bands,
                "weekend": _null("boolean"),
                "description": text,
                "suggestion": text,
                "role": _enum(*ROLES, "", None),
                "age_band": _enum(*AGE_BANDS, "", None),
                "idempotency_key": _null(
                    "string",
                    pattern=f"^({IDEMPOTENCY_KEY.pattern})?$",
                    description="Send the same key again to get the first answer back.",
                ),
            },
            *("kind", "weekend", "description", "suggestion", "role", "age_band"),
            "idempotency_key",
            closed=True,
            description=(
                "A concern. `lat`/`lon` lie within the municipality's bounding box; the "
                "place must also lie inside its outline and in an area (else 422)."
            ),
        ),
        "Receipt": _object(
            {
                "id": _STR,
                "receipt": _null(
                    "string",
                    description="Keep it to follow or erase; only its hash is stored. Null "
                    "only when a key sent before this service made codes from keys comes back.",
                ),
                "area": area_ref,
            },
            closed=True,
        ),
        "OwnReport": _object(
            {
                "receipt": _STR,
                "status": _enum(*STATUSES),
                "submitted_on": {**_STR, "format": "date"},
                "kind": _enum(*KINDS),
                "category": any_category,
                "time_of_day": bands,
                "weekend": _null("boolean"),
                "precision": _enum("point", "area", "cell"),
                "area": area_ref,
                "lat": _NUM,
                "lon": _NUM,
                "description": _null("string"),
                "suggestion": _null("string"),
                "role": _enum(*ROLES, None),
                "age_band": _enum(*AGE_BANDS, None),
            },
            closed=True,
        ),
        "AreaCollection": _feature_collection(
            {"anyOf": [geo["polygon"], geo["multipolygon"]]},
            area,
            k={"type": "integer", "minimum": 1},
            total=_null("integer", minimum=0),
            filter={
                **filter_echo,
                "properties": filter_echo["properties"]
                | {"category": categories, "time_of_day": bands},
            },
            approximate_boundaries=_BOOL,
        ),
        "StaffReportCollection": _feature_collection(
            geo["point"], staff_report, filter=filter_echo, truncated=_BOOL
        ),
        "HotspotCollection": _feature_collection(
            geo["polygon"],
            _object(
                {
                    "cell": {**_STR, "description": "H3 cell index."},
                    "count": {
                        **_null("integer", minimum=0),
                        "description": "Voices in the cell (one per client, cell and day); "
                        "null for roles that may not see counts from 1 to k−1 (bra).",
                    },
                    "gi_z": _null("number"),
                    "gi_p": _null("number", minimum=0, maximum=1),
                    "hotspot_class": _enum(*HOTSPOT_CLASSES),
                    "nearby": {
                        **_null("integer", minimum=0),
                        "description": "Voices in the cell and its first ring: the evidence.",
                    },
                    "local_p": {
                        **_null("number", minimum=0, maximum=1),
                        "description": "Local-background test (neighbourhood against rings "
                        "2–5), one-sided; null where it did not run.",
                    },
                    "local_ratio": _null("number", minimum=0),
                    "zone": {**_null("string"), "description": "Id of the hot zone it is in."},
                    "place": {**_null("string"), "description": "Name of that zone."},
                    "place_en": _null("string"),
                    "count_hidden": {**_BOOL, "description": "Only for the bra role."},
                },
                "count_hidden",
            ),
            zones=_feature_collection(
                {"anyOf": [geo["polygon"], geo["multipolygon"]]},
                _object(
                    {
                        "id": _STR,
                        "rank": {"type": "integer", "minimum": 1},
                        "name": {**_STR, "description": "Gazetteer name, e.g. vid Resecentrum."},
                        "name_en": _STR,
                        "hotspot_class": _enum("hot_99", "hot_95", "hot_90"),
                        "voices": {"type": "integer", "minimum": 0},
                        "nearby": {"type": "integer", "minimum": 0},
                        "previous_voices": _null("integer", minimum=0),
                        "change": _null("integer"),
                        "trend": _enum("up", "down", "same", None),
                        "categories": {
                            "type": "object",
                            "propertyNames": categories,
                            "additionalProperties": _null("integer", minimum=0),
                        },
                        "time_profile": {
                            "type": "object",
                            "description": "Voices per band and weekday/weekend/unknown.",
                        },
                        "cells": {"type": "array", "items": _STR},
                        "n_cells": {"type": "integer", "minimum": 1},
                        "max_z": _null("number"),
                        "lat": _NUM,
                        "lon": _NUM,
                    }
                ),
            ),
            filter=filter_echo,
            previous_period=_object({"from": _STR, "to": _STR}),
            significant=_BOOL,
            explanation=_STR,
            explanation_sv=_STR,
            n_reports=_COUNT,
            n_hot_cells=_COUNT,
            n_zones=_COUNT,
            k={"type": "integer", "minimum": 1},
            counts_hidden_below=_null("integer", minimum=1),
        ),
        "PatrolPlan": _object(
            {
                "stops": {"type": "array", "items": stop},
                "order": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "visit_order": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                "route_length_m": _COUNT,
                "route_method": _enum("exact", "2-opt"),
                "significant_data": _BOOL,
                "n_concerns": _COUNT,
                "n_cells": _COUNT,
                "n_zones": _COUNT,
                "lookback": {**_STR, "description": "The look-back in words."},
                "lookback_en": _STR,
                "explanation_sv": _STR,
                "explanation_en": _STR,
                "window": window,
                "start": _object({"lat": _NUM, "lon": _NUM}),
            }
        ),
        "OpenApiDocument": _object(
            {
                "openapi": {**_STR, "pattern": r"^3\.1\.\d+$"},
                "info": {"type": "object"},
                "paths": {"type": "object"},
            }
        ),
    }


_CORRELATION_HEADER = {
    "X-Correlation-Id": {
        "description": "Ties the server's log lines to this response; quote it when asking.",
        "required": True,
        "schema": {"type": "string"},
    }
}
_MESSAGES = {
    200: "OK.",
    201: "Stored; the receipt answers the same key again.",
    204: "Erased for good.",
    400: "The body is not one JSON object (bad JSON, duplicate keys, nested too deep).",
    401: "No staff identity: log in or send `Authorization: Bearer <token>`.",
    403: "The role may not do this.",
    404: "No such receipt.",
    409: "The idempotency key was already used for a different concern.",
    413: "The body is too large.",
    415: "The body is not sent as `application/json`.",
    422: "A field or query parameter broke a rule; each is named.",
    429: "Too many concerns from this client; try again later.",
    500: "Unexpected error; the body carries the correlation id.",
}


def _responses(ok: int, schema: str | None, *errors: int, media: str = "application/json"):
    responses: dict[str, Any] = {}
    body = {"content": {media: {"schema": _ref(schema)}}} if schema else {}
    responses[str(ok)] = {"description": _MESSAGES[ok], "headers": _CORRELATION_HEADER, **body}
    for status in (*errors, 500):
        error = "InternalError" if status == 500 else "Error"
        response = {
            "description": _MESSAGES[status],
            "headers": dict(_CORRELATION_HEADER),
            "content": {"application/json": {"schema": _ref(error)}},
        }
        if status == 429:
            response["headers"]["Retry-After"] = {"schema": {"type": "string"}}
        responses[str(status)] = response
    return responses


def _with_receipt_links(responses: dict[str, Any]) -> dict[str, Any]:
    """Let clients (and Schemathesis) follow a new receipt to reading and erasing it."""
    receipt = {"receipt": "$response.body#/receipt"}
    responses["201"]["links"] = {
        "GetReport": {"operationId": "getReport", "parameters": receipt},
        "DeleteReport": {"operationId": "deleteReport", "parameters": receipt},
    }
    return responses


def _paths() -> dict[str, Any]:
    receipt = {
        "name": "receipt",
        "in": "path",
        "required": True,
        "description": "The receipt code, e.g. `7KQ2-M9XD-4RTP` (case and spaces forgiven).",
        "schema": {"type": "string"},
    }
    month = {"type": "string", "pattern": _MONTH}
    public_filter = [
        _query(
            "from",
            month,
            "The month `YYYY-MM` (1970 or later) to show; it must be over (a month is "
            "published the day after it ends, otherwise 422). Default: the latest month "
            "that is over. Figures are published per whole calendar month only.",
        ),
        _query(
            "to",
            month,
            "The same month as `from`, or left out: a range of several months is refused "
            "(422), since its sums would subtract to hidden figures of the months inside.",
        ),
        _query("category", _choice(CATEGORY_CODES, "Category code."), "Only this category."),
        _query(
            "time_of_day",
            _choice(TIME_BANDS, "Time band."),
            "Only this time band; not together with `category` (422).",
        ),
    ]
    day = {"type": "string", "pattern": _DAY}
    staff_filter = [
        _query("from", day, "First day `YYYY-MM-DD`; default 89 days before `to`."),
        _query("to", day, "Last day `YYYY-MM-DD`, included (not before `from`); default today."),
        _query("category", _choice(CATEGORY_CODES, "Category code."), "Only this category."),
        _query("time_of_day", _choice(TIME_BANDS, "Time band."), "Only this time band."),
        _query("kind", _choice(KINDS, "Kind."), "Only unsafe or only safe places."),
        _query("weekend", {"enum": ["true", "false", ""]}, "Only weekend or weekday concerns."),
        _query("status", _choice(STATUSES, "Status."), "Only this moderation status."),
    ]
    patrol = [
        _query("weekday", {"enum": [*WEEKDAY_CHOICES, ""]}, "Day(s) the window starts on."),
        _query(
            "from_hour",
            {"type": "string", "pattern": _FROM_HOUR},
            "First hour 0–23 (default 20).",
        ),
        _query(
            "to_hour",
            {"type": "string", "pattern": _TO_HOUR},
            "End hour 0–24, past midnight when not after `from_hour`; not equal to "
            "`from_hour` (an empty window, 422).",
        ),
        _query(
            "stops",
            {"type": "string", "pattern": _STOPS},
            f"Number of stops 1–{MAX_STOPS} (default 5).",
        ),
        _query(
            "months",
            {"type": "string", "pattern": _MONTHS},
            "Look-back in months 1–60 (default `GEOSERVICE_PATROL_LOOKBACK_MONTHS`, 12); "
            "ignored when `from` or `to` is given.",
        ),
        *[p for p in staff_filter if p["name"] in ("from", "to", "category")],
    ]
    radius = (
        f"Kernel radius in whole metres {RADIUS_RANGE[0]}–{RADIUS_RANGE[1]} "
        f"(default {DEFAULT_RADIUS_M})."
    )
    staff = [{"bearerToken": []}, {"sessionCookie": []}]

    def op(op_id: str, summary: str, tag: str, responses: dict, **extra: Any) -> dict:
        security = staff if tag == "staff" else []
        return {
            "operationId": op_id,
            "summary": summary,
            "tags": [tag],
            "security": security,
            "responses": responses,
            **extra,
        }

    return {
        "/api/v1/openapi.json": {
            "get": op(
                "getOpenApiDocument",
                "This document.",
                "public",
                _responses(200, "OpenApiDocument"),
            )
        },
        "/api/v1/categories": {
            "get": op(
                "listCategories",
                "The concern categories with Swedish and English labels.",
                "public",
                _responses(200, "CategoryList"),
            )
        },
        "/api/v1/reports": {
            "post": op(
                "createReport",
                "Submit a concern; the same idempotency key returns the first answer.",
                "public",
                _with_receipt_links(_responses(201, "Receipt", 400, 409, 413, 415, 422, 429)),
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _ref("NewReport"),
                            "example": {
                                "lat": 58.7106,
                                "lon": 12.4561,
                                "category": "lighting",
                                "time_of_day": "evening",
                                "weekend": False,
                            },
                        }
                    },
                },
            ),
            "get": op(
                "listStaffReports",
                "Concerns as GeoJSON points with every field (free text masked); audited.",
                "staff",
                _responses(200, "StaffReportCollection", 401, 403, 422),
                parameters=staff_filter,
            ),
        },
        "/api/v1/reports/{receipt}": {
            "get": op(
                "getReport",
                "The status of the concern this receipt belongs to.",
                "public",
                _responses(200, "OwnReport", 404),
                parameters=[receipt],
            ),
            "delete": op(
                "deleteReport",
                "Erase the concern this receipt belongs to.",
                "public",
                _responses(204, None, 404),
                parameters=[receipt],
            ),
        },
        "/api/v1/areas": {
            "get": op(
                "listAreas",
                "Areas with k-protected counts and rates per 1,000 residents for one whole "
                "month that is over (GeoJSON); the figures change at most once a day.",
                "public",
                _responses(200, "AreaCollection", 422, media="application/geo+json"),
                parameters=public_filter,
            )
        },
        "/api/v1/hotspots": {
            "get": op(
                "listHotspots",
                "Hexagon cells with hotspot class, Gi* z and the local-background test, and the "
                "named hot zones beside them (`zones`, a FeatureCollection); no exact points.",
                "staff",
                _responses(200, "HotspotCollection", 401, 403, 422),
                parameters=[
                    *staff_filter,
                    _query("radius", {"type": "string", "pattern": _RADIUS}, radius),
                    _query("cold", {"type": "string"}, "`1` or `true` also shows cold spots."),
                ],
            )
        },
        "/api/v1/patrol-plan": {
            "get": op(
                "getPatrolPlan",
                "Patrol stops for a time window and the order to visit them.",
                "staff",
                _responses(200, "PatrolPlan", 401, 403, 422),
                parameters=patrol,
            )
        },
    }


# --- Issue 18: partners' event reports --------------------------------------------------------


def _event_schemas() -> dict[str, Any]:
    from geoservice.core.categories import EVENT_TYPE_CODES, SERIOUSNESS
    from geoservice.core.events.validation import MAX_EVENTS

    text = _null("string", maxLength=TEXT_LIMIT, pattern=_PLAIN_TEXT)
    moment = {
        "type": ["string", "null"],
        "description": "ISO 8601, e.g. `2026-11-29T23:30`; Swedish time unless a zone is given.",
    }
    event = _object(
        {
            "lat": _null("number", minimum=-90, maximum=90),
            "lon": _null("number", minimum=-180, maximum=180),
            "place": _null("string", maxLength=120, description="A named place, not lat/lon."),
            "occurred_at": moment,
            "occurred_from": moment,
            "occurred_to": moment,
            "types": {
                "type": "array",
                "items": _enum(*EVENT_TYPE_CODES),
                "minItems": 1,
                "uniqueItems": True,
                "description": "EST event types (Effektiv samordning för trygghet).",
            },
            "seriousness": {"type": "integer", "enum": list(SERIOUSNESS)},
            "description": text,
            "idempotency_key": _null("string", pattern="^([A-Za-z0-9_.:-]{8,100})?$"),
        },
        "lat",
        "lon",
        "place",
        "occurred_at",
        "occurred_from",
        "occurred_to",
        "description",
        "idempotency_key",
        closed=True,
    )
    batch = _object(
        {
            "events": {
                "type": "array",
                "items": _ref("NewEvent"),
                "minItems": 1,
                "maxItems": MAX_EVENTS,
            }
        },
        closed=True,
    )
    area = _object({"id": _null("string"), "name": _null("string")})
    return {
        "NewEvent": event,
        "NewEvents": {"oneOf": [_ref("NewEvent"), batch]},
        "EventReceipt": _object(
            {
                "batch": _STR,
                "organisation": _STR,
                "events": {"type": "array", "items": _object({"id": _STR, "area": area})},
            }
        ),
    }


def _event_paths() -> dict[str, Any]:
    return {
        "/api/v1/events": {
            "post": {
                "operationId": "createEvents",
                "summary": "Report one event or several (EST) for the token's organisation.",
                "tags": ["staff"],
                "security": [{"bearerToken": []}, {"sessionCookie": []}],
                "responses": _responses(201, "EventReceipt", 400, 401, 403, 409, 413, 415, 422),
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _ref("NewEvents"),
                            "example": {
                                "lat": 58.7005,
                                "lon": 12.4535,
                                "occurred_at": "2026-11-29T23:30",
                                "types": ["graffiti"],
                                "seriousness": 2,
                            },
                        }
                    },
                },
            }
        }
    }


def build_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for ``/api/v1`` as a dict."""
    schemas = _schemas()
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
        "info": {
            "title": "Trygghetskartan Mellerud API",
            "version": _package_version(),
            "description": (
                "Residents of Mellerud municipality mark places where they feel unsafe; "
                "the public sees k-protected area figures, staff see points, hotspots and "
                'patrol plans. Errors are always `{"errors": {field: message}}`. '
                "Staff calls take the browser session or `Authorization: Bearer <token>` "
                "(`geoservice create-token NAME`)."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "public", "description": "Anyone; no identity needed."},
            {"name": "staff", "description": "Police, municipality and BRÅ; by role."},
        ],
        "paths": _paths() | _event_paths(),
        "components": {
            "schemas": schemas | _event_schemas(),
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "gst_...",
                    "description": "An API token from `geoservice create-token NAME`.",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The staff browser session after logging in.",
                },
            },
        },
    }


@bp.get("/openapi.json")
def document():
    """Serve the OpenAPI 3.1 document for this API."""
    return jsonify(build_document())
