"""The OpenAPI 3.1 description of ``/api/v1`` (SPEC §8), built from the codes it documents.

Enums, limits and patterns are read from the modules that enforce them, so the document
cannot drift from the rules; ``tests/web/test_openapi.py`` checks it against the routes and
runs Schemathesis against the app with it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, jsonify

from geoservice.core.categories import CATEGORY_CODES, KINDS, STATUSES, TIME_BANDS
from geoservice.core.hotspots import HOTSPOT_CLASSES
from geoservice.core.validation import AGE_BANDS, IDEMPOTENCY_KEY, ROLES, TEXT_LIMIT
from geoservice.web.analysis import DEFAULT_RADIUS_M, RADIUS_RANGE
from geoservice.web.patrol import MAX_STOPS, WEEKDAY_CHOICES

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Query values arrive as text; an empty value means "not given" and the default applies.
_MONTH = r"^((19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2]))?$"
_DAY = r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"
# Refused by core.validation.clean_text: control characters (except tab and newlines),
# lone surrogates and characters that hide or reorder text.
_PLAIN_TEXT = (
    r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff"
    r"\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]*$"
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


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


def _schemas() -> dict[str, Any]:
    position = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 3}
    ring = {"type": "array", "items": position, "minItems": 4}
    polygon = {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"const": "Polygon"},
            "coordinates": {"type": "array", "items": ring},
        },
    }
    multipolygon = {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"const": "MultiPolygon"},
            "coordinates": {"type": "array", "items": {"type": "array", "items": ring}},
        },
    }
    point = {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {"type": {"const": "Point"}, "coordinates": position},
    }
    area_ref = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]}},
    }
    text = {"type": ["string", "null"], "maxLength": TEXT_LIMIT, "pattern": _PLAIN_TEXT}

    def mix(codes: tuple[str, ...]) -> dict[str, Any]:
        return _nullable(
            {
                "type": "object",
                "description": "Count per code; null where the cell is below k.",
                "properties": {c: {"type": ["integer", "null"], "minimum": 0} for c in codes},
                "required": list(codes),
                "additionalProperties": False,
            }
        )

    def collection(feature: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type", "features", *extra],
            "properties": {
                "type": {"const": "FeatureCollection"},
                "features": {"type": "array", "items": feature},
                **extra,
            },
        }

    def feature(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"const": "Feature"},
                "id": {"type": ["string", "integer"]},
                "geometry": geometry,
                "properties": properties,
            },
        }

    area_properties = {
        "type": "object",
        "required": [
            "id",
            "name",
            "population",
            "count",
            "rate_per_1000",
            "suppressed",
            "category_mix",
            "time_band_mix",
        ],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "population": {"type": ["integer", "null"], "minimum": 0},
            "count": {"type": ["integer", "null"], "minimum": 0},
            "rate_per_1000": {"type": ["number", "null"], "minimum": 0},
            "suppressed": {"type": "boolean", "description": "The count is below k and hidden."},
            "category_mix": mix(CATEGORY_CODES),
            "time_band_mix": mix(TIME_BANDS),
        },
        "if": {"properties": {"suppressed": {"const": True}}},
        "then": {"properties": {"count": {"type": "null"}, "rate_per_1000": {"type": "null"}}},
    }
    staff_report = {
        "type": "object",
        "required": [
            "id",
            "created_at",
            "precision",
            "kind",
            "category",
            "time_of_day",
            "weekend",
            "status",
            "area_id",
            "source",
            "is_demo",
        ],
        "properties": {
            "id": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "precision": {"type": "string", "enum": ["point", "area"]},
            "kind": {"enum": list(KINDS)},
            "category": {"enum": list(CATEGORY_CODES)},
            "time_of_day": {"enum": list(TIME_BANDS)},
            "weekend": {"type": ["boolean", "null"]},
            "exact_hour": {"type": ["integer", "null"], "minimum": 0, "maximum": 23},
            "description": {"type": ["string", "null"], "description": "Personal data masked."},
            "suggestion": {"type": ["string", "null"], "description": "Personal data masked."},
            "role": {"enum": [*ROLES, None]},
            "age_band": {"enum": [*AGE_BANDS, None]},
            "area_id": {"type": ["string", "null"]},
            "status": {"enum": list(STATUSES)},
            "source": {"type": "string"},
            "is_demo": {"type": "boolean"},
        },
    }
    filter_echo = {
        "type": "object",
        "description": "The filter in force, defaults filled in.",
        "required": ["from", "to"],
        "additionalProperties": {"type": "string"},
    }
    by_code = {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}}
    return {
        "Error": {
            "type": "object",
            "description": "Every refusal: each field (or `body`, `request`) with its problem.",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "string"},
                }
            },
            "additionalProperties": False,
        },
        "InternalError": {
            "type": "object",
            "required": ["errors", "correlation_id"],
            "properties": {
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                "correlation_id": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"},
            },
            "additionalProperties": False,
        },
        "Category": {
            "type": "object",
            "required": ["code", "label_sv", "label_en"],
            "properties": {
                "code": {"enum": list(CATEGORY_CODES)},
                "label_sv": {"type": "string"},
                "label_en": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "NewReport": {
            "type": "object",
            "description": "A concern. The place must lie inside Mellerud municipality (else 422).",
            "required": ["lat", "lon", "category", "time_of_day"],
            "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lon": {"type": "number", "minimum": -180, "maximum": 180},
                "kind": {"enum": [*KINDS, "", None], "description": "Default `unsafe`."},
                "category": {"enum": list(CATEGORY_CODES)},
                "time_of_day": {"enum": list(TIME_BANDS)},
                "weekend": {"type": ["boolean", "null"]},
                "description": text,
                "suggestion": text,
                "role": {"enum": [*ROLES, "", None]},
                "age_band": {"enum": [*AGE_BANDS, "", None]},
                "idempotency_key": {
                    "type": ["string", "null"],
                    "pattern": f"^({IDEMPOTENCY_KEY.pattern})?$",
                    "description": "Send the same key again to get the first answer back.",
                },
            },
            "additionalProperties": False,
        },
        "Receipt": {
            "type": "object",
            "required": ["id", "receipt", "area"],
            "properties": {
                "id": {"type": "string"},
                "receipt": {"type": "string", "description": "Keep it to follow or erase."},
                "area": area_ref,
            },
            "additionalProperties": False,
        },
        "OwnReport": {
            "type": "object",
            "required": [
                "receipt",
                "status",
                "submitted_on",
                "kind",
                "category",
                "time_of_day",
                "weekend",
                "precision",
                "area",
                "lat",
                "lon",
                "description",
                "suggestion",
            ],
            "properties": {
                "receipt": {"type": "string"},
                "status": {"enum": list(STATUSES)},
                "submitted_on": {"type": "string", "format": "date"},
                "kind": {"enum": list(KINDS)},
                "category": {"enum": list(CATEGORY_CODES)},
                "time_of_day": {"enum": list(TIME_BANDS)},
                "weekend": {"type": ["boolean", "null"]},
                "precision": {"enum": ["point", "area"]},
                "area": area_ref,
                "lat": {"type": "number"},
                "lon": {"type": "number"},
                "description": {"type": ["string", "null"]},
                "suggestion": {"type": ["string", "null"]},
            },
            "additionalProperties": False,
        },
        "AreaCollection": collection(
            feature({"anyOf": [polygon, multipolygon]}, area_properties),
            k={"type": "integer", "minimum": 1},
            total={"type": ["integer", "null"], "minimum": 0},
            filter={
                **filter_echo,
                "properties": {
                    "category": {"enum": list(CATEGORY_CODES)},
                    "time_of_day": {"enum": list(TIME_BANDS)},
                },
            },
            approximate_boundaries={"type": "boolean"},
        ),
        "StaffReportCollection": collection(
            feature(point, staff_report),
            filter=filter_echo,
            truncated={"type": "boolean"},
        ),
        "HotspotCollection": collection(
            feature(
                polygon,
                {
                    "type": "object",
                    "required": ["cell", "count", "gi_z", "gi_p", "hotspot_class"],
                    "properties": {
                        "cell": {"type": "string", "description": "H3 cell index."},
                        "count": {"type": "number", "minimum": 0},
                        "gi_z": {"type": ["number", "null"]},
                        "gi_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "hotspot_class": {"enum": list(HOTSPOT_CLASSES)},
                    },
                },
            ),
            filter=filter_echo,
            significant={"type": "boolean"},
            explanation={"type": "string"},
            n_reports={"type": "number", "minimum": 0},
        ),
        "PatrolPlan": {
            "type": "object",
            "required": [
                "stops",
                "order",
                "route_length_m",
                "route_method",
                "window",
                "start",
                "visit_order",
            ],
            "properties": {
                "stops": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["rank", "lat", "lon", "cell", "count", "categories"],
                        "properties": {
                            "rank": {"type": "integer", "minimum": 1},
                            "lat": {"type": "number"},
                            "lon": {"type": "number"},
                            "cell": {"type": "string"},
                            "count": {"type": "number", "minimum": 0},
                            "significant": {"type": "boolean"},
                            "hotspot_class": {"enum": list(HOTSPOT_CLASSES)},
                            "categories": {
                                **by_code,
                                "propertyNames": {"enum": list(CATEGORY_CODES)},
                            },
                            "time_profile": {
                                **by_code,
                                "propertyNames": {"enum": list(TIME_BANDS)},
                            },
                            "why_sv": {"type": "string"},
                            "why_en": {"type": "string"},
                        },
                    },
                },
                "order": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "visit_order": {"type": "array", "items": {"type": "integer", "minimum": 1}},
                "route_length_m": {"type": "number", "minimum": 0},
                "route_method": {"enum": ["exact", "2-opt"]},
                "significant_data": {"type": "boolean"},
                "explanation_sv": {"type": "string"},
                "explanation_en": {"type": "string"},
                "window": {
                    "type": "object",
                    "required": ["days", "from_hour", "to_hour"],
                    "properties": {
                        "days": {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 0, "maximum": 6},
                        },
                        "from_hour": {"type": "integer", "minimum": 0, "maximum": 23},
                        "to_hour": {"type": "integer", "minimum": 1, "maximum": 24},
                        "label_sv": {"type": "string"},
                        "label_en": {"type": "string"},
                    },
                },
                "start": {
                    "type": "object",
                    "required": ["lat", "lon"],
                    "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                },
            },
        },
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
        _query("from", month, "First month `YYYY-MM` (1970 or later); default 11 months ago."),
        _query("to", month, "Last month, included (not before `from`); default this month."),
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
    hour = {"type": "string", "pattern": "^[0-9]*$"}
    patrol = [
        _query("weekday", {"enum": [*WEEKDAY_CHOICES, ""]}, "Day(s) the window starts on."),
        _query("from_hour", hour, "First hour 0–23 (default 20)."),
        _query("to_hour", hour, "End hour 0–24, past midnight when not after `from_hour`."),
        _query("stops", hour, f"Number of stops 1–{MAX_STOPS} (default 5)."),
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
                "Areas with k-protected counts and rates per 1,000 residents (GeoJSON).",
                "public",
                _responses(200, "AreaCollection", 422, media="application/geo+json"),
                parameters=public_filter,
            )
        },
        "/api/v1/hotspots": {
            "get": op(
                "listHotspots",
                "Hexagon cells with Gi* z, p and hotspot class (GeoJSON); no exact points.",
                "staff",
                _responses(200, "HotspotCollection", 401, 403, 422),
                parameters=[
                    *staff_filter,
                    _query("radius", hour, radius),
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


def build_document() -> dict[str, Any]:
    """Return the OpenAPI 3.1 document for ``/api/v1`` as a dict."""
    schemas = _schemas()
    schemas["CategoryList"] = {"type": "array", "items": _ref("Category")}
    schemas["OpenApiDocument"] = {
        "type": "object",
        "required": ["openapi", "info", "paths"],
        "properties": {"openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"}},
    }
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
        "paths": _paths(),
        "components": {
            "schemas": schemas,
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
