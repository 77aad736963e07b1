"""Open311 GeoReport v2 (SPEC §8): discovery, services, service definitions and requests.

Follows http://wiki.open311.org/GeoReport_v2 and its Service Discovery page: every
resource in XML (``.xml``, required by the standard) and JSON (``.json``, the Spark
convention mapping of the same XML); errors as a list of ``{code, description}`` with
HTTP 400 (bad input, one error per field), 404 (unknown service, request or format).

Our choices where the standard leaves room, or where SPEC §7 overrides it:

- ``api_key`` is optional: anonymous submissions are accepted, a key is ignored, so
  403 is never returned.
- Contact fields (``email``, ``first_name``, ``last_name``, ``phone``, ``device_id``,
  ``account_id``, ``address_string``, ``address_id``, ``media_url``) are ignored and
  never stored; ``lat`` and ``long`` are required. Parameters the standard does not
  name, and attributes our service definition does not list, are refused (400).
- A stored request answers ``201 Created`` (the standard names no status). An unknown
  ``service_code`` is 404, as the standard lists it; every other bad field is 400.
- The public listing shows a concern's area (a fixed point inside it) instead of its
  point, no free text, and the first day of its publication month (local midnight,
  Europe/Stockholm) instead of its time; ``updated_datetime`` is left empty. A concern
  is listed only with its whole group of one area, category and month, and only when
  the month is over, the public map publishes that group's count, and each status in
  it holds at least *k* distinct voices (SPEC §7): so the listing is no counting
  oracle. Concerns marked spam, duplicate or not relevant, about safe places, and demo
  data are not listed.
- ``status``: new and confirmed are ``open``, handled is ``closed``.
- Texts are Swedish; ``?lang=en`` in the query string gives English.
  ``jurisdiction_id`` is ignored (one jurisdiction).
- The listing follows the standard's 90-day window (the last 90 days by default, at
  most 90 days per query; ``service_request_id`` overrides every other filter),
  applied to the public date: a month's concerns are in a window when the month's
  first day is, so no query can split one month's concerns. It pages with ``page`` and
  ``page_size`` (default 50, at most 200) and links the next page in a
  ``Link: <...>; rel="next"`` header.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from geoservice.core.categories import CATEGORIES, CATEGORY_CODES, category_by_code
from geoservice.core.intake.validation import ReportRejected, describe
from geoservice.core.privacy.periods import PublicationPeriod, latest_published, period_of
from geoservice.extensions import csrf
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.open311 import (
    PublicRequest,
    listed_requests,
    local_day,
    local_midnight,
    month_rows,
    period_of_request,
)
from geoservice.web import insight
from geoservice.web.cache import cached
from geoservice.web.insight import period_publication
from geoservice.web.open311_texts import (
    ATTRIBUTE_CODES,
    ATTRIBUTES,
    CHANGESET,
    CLOSED_STATUSES,
    CONTENT_TYPES,
    ITEM_TAGS,
    JURISDICTION,
    KNOWN_FIELDS,
    MAX_IDS,
    MAX_PAGE_SIZE,
    MAX_SPAN_DAYS,
    OPEN_STATUSES,
    PAGE_SIZE,
    PARAMETERS,
    SPECIFICATION,
    TEXTS,
)
from geoservice.web.submission import check_report, limit_submissions, submit_report
from geoservice.web.urls import external_url, public_base

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
# Clients post form-encoded bodies without cookies: there is no session for CSRF to protect.
csrf.exempt(bp)


_COORDINATE = re.compile(r"[-+]?\d{1,3}(\.\d{1,20})?")
# Years 1000-2999: a span of 90 days either side stays within what datetime can hold.
_W3C_DATE = re.compile(
    r"[12]\d{3}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?"
)
_WHOLE = re.compile(r"\d{1,6}")


class Refused(Exception):
    """A request the standard answers with an error list: HTTP status and field → message."""

    def __init__(self, status: int, errors: Mapping[str, str]):
        self.status = status
        self.errors = dict(errors)
        super().__init__(status, self.errors)


def _area_points() -> dict[str, tuple[float, float]]:
    """The fixed point each area's concerns are shown at (lat, lon): a point inside it."""
    layer = current_layer()
    return {
        area_id: (lat, lon)
        for area_id in layer.areas["id"]
        for lon, lat in [layer.area_point(area_id)]
    }


def _month_listing(period: PublicationPeriod) -> list[PublicRequest]:
    """Every listed concern of a published month, worked out once a day per worker."""
    session = get_session()
    layer = current_layer()
    k = current_app.config["K_ANONYMITY"]
    status_of = {s: "open" for s in OPEN_STATUSES} | {s: "closed" for s in CLOSED_STATUSES}

    def compute() -> list[PublicRequest]:
        return listed_requests(
            period,
            period_publication(period),
            month_rows(session, period),
            public_status=status_of,
            points=_area_points(),
            k=k,
        )

    # Read once a day, like the figures: a status changed today shows tomorrow.
    return cached(
        "open311_month", (period, layer.source, k), compute, version=insight.local_today()
    )


def _listed(
    periods: list[PublicationPeriod],
    *,
    ids: set[str] | None = None,
    categories: list[str] | None = None,
    statuses: list[str] | None = None,
) -> list[PublicRequest]:
    """The listed concerns of these months (published ones only), newest month first."""
    today = insight.local_today()
    found = [
        entry
        for period in sorted(periods, reverse=True)
        if period.is_published(today)
        for entry in _month_listing(period)
        if (ids is None or entry.id in ids)
        and (not categories or entry.category in categories)
        and (not statuses or _status(entry.status) in statuses)
    ]
    return found


def lang() -> str:
    """``en`` when the query string asks for English (``?lang=en``), otherwise ``sv``."""
    # Only the query string: reading the body here would fail again on a body too large.
    return "en" if request.args.get("lang") == "en" else "sv"


def text(key: str | int, **values: str) -> str:
    """A text from TEXTS in the request's language."""
    sv, en = TEXTS[key]
    return (en if lang() == "en" else sv).format(**values)


def _in_lang(pair: tuple[str, str]) -> str:
    return pair[1] if lang() == "en" else pair[0]


# --- rendering ----------------------------------------------------------------------


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        element.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, list):
        element.extend(_element(ITEM_TAGS[tag], item) for item in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def render(fmt: str, root: str, document: Any, status: int = 200) -> Response:
    """``document`` as XML under ``root`` or as JSON (the Spark convention's mapping)."""
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False).encode()
    else:
        body = ET.tostring(_element(root, document), encoding="UTF-8", xml_declaration=True)
    return Response(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, errors: Mapping[str, str]) -> Response:
    """The standard's error list: one ``{code, description}`` per field, named in it."""
    listed = [
        {"code": status, "description": f"{field}: {message}"} for field, message in errors.items()
    ]
    return render(fmt if fmt in CONTENT_TYPES else "xml", "errors", listed, status)


def _checked_format(fmt: str) -> None:
    if fmt not in CONTENT_TYPES:
        raise Refused(404, {"format": text("unknown_format")})


@bp.errorhandler(Refused)
def refused(exc: Refused):
    """Answer a refused request in the format it asked for (XML when that is unknown)."""
    return render_errors((request.view_args or {}).get("fmt", "xml"), exc.status, exc.errors)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Too large, too many, and the like: in the standard's error format, not as a page."""
    status = exc.code or 500
    message = text(status) if status in TEXTS else exc.name
    response = render_errors(
        (request.view_args or {}).get("fmt", "xml"), status, {"request": message}
    )
    if status == 429 and getattr(exc, "retry_after", None):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


# --- discovery and services --------------------------------------------------------


@bp.get("/discovery.<fmt>")
def discovery(fmt: str):
    """Where the GeoReport v2 endpoint is, which formats it speaks, how to get a key."""
    _checked_format(fmt)
    document = {
        "changeset": CHANGESET,
        "contact": text("contact"),
        "key_service": text("key_service"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": public_base() + bp.url_prefix,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", document)


def _keywords(code: str) -> str:
    category = category_by_code(code)
    words = re.findall(r"\w{3,}", f"{code} {category.label_sv} {category.label_en}".lower())
    return ", ".join(dict.fromkeys(words))


@bp.get("/services.<fmt>")
def services(fmt: str):
    """One service per concern category (SPEC §4)."""
    _checked_format(fmt)
    listed = [
        {
            "service_code": c.code,
            "service_name": _in_lang((c.label_sv, c.label_en)),
            "description": text("service", label=_in_lang((c.label_sv, c.label_en))),
            "metadata": True,
            "type": "realtime",
            "keywords": _keywords(c.code),
            "group": "trygghet",
        }
        for c in CATEGORIES
    ]
    return render(fmt, "services", listed)


def _attribute(order: int, spec: Mapping[str, Any]) -> dict[str, Any]:
    described = spec.get("datatype_description")
    attribute = {
        "variable": True,
        "code": spec["code"],
        "datatype": spec["datatype"],
        "required": spec["required"],
        "datatype_description": _in_lang(described) if described else None,
        "order": order,
        "description": _in_lang(spec["description"]),
    }
    if "values" in spec:
        attribute["values"] = [
            {"key": key, "name": _in_lang((sv, en))} for key, sv, en in spec["values"]
        ]
    return attribute


def _known_service(code: str) -> str:
    if code not in CATEGORY_CODES:
        raise Refused(404, {"service_code": text("unknown_service")})
    return code


@bp.get("/services/<service_code>.<fmt>")
def service_definition(service_code: str, fmt: str):
    """The attributes a concern of this category may carry beyond place and description."""
    _checked_format(fmt)
    document = {
        "service_code": _known_service(service_code),
        "attributes": [_attribute(order, spec) for order, spec in enumerate(ATTRIBUTES, 1)],
    }
    return render(fmt, "service_definition", document)


# --- posting a request -------------------------------------------------------------


def _echo(key: str) -> str:
    """A parameter name safe to repeat in an error: bounded and printable."""
    return "".join(c if c.isprintable() else "?" for c in key[:40])


def _coordinate(value: str | None) -> float | str | None:
    """Form text to the JSON number our rules expect; what is no number stays text."""
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if _COORDINATE.fullmatch(cleaned):
        return float(cleaned)
    if cleaned.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        return float("nan")  # refused by the shared rules as not finite
    return cleaned  # refused by the shared rules as not a number


def _weekend(value: str | None) -> bool | str | None:
    if value is None or not value.strip():
        return None
    return {"true": True, "false": False}.get(value.strip().lower(), value)


def _report_fields(form) -> tuple[dict[str, Any], dict[str, str]]:
    """The form mapped to our API's JSON fields, and the errors of the form itself."""
    errors: dict[str, str] = {}
    for key in form:
        name = _echo(key)
        if len(form.getlist(key)) > 1:
            errors[name] = describe("duplicate_key", lang())
        elif key.startswith("attribute["):
            if not key.endswith("]") or key[len("attribute[") : -1] not in ATTRIBUTE_CODES:
                errors[name] = text("unknown_attribute")
        elif key not in KNOWN_FIELDS:
            errors[name] = describe("unknown_field", lang())
    if not form.get("service_code"):
        errors["service_code"] = describe("required", lang())
    data: dict[str, Any] = {
        "lat": _coordinate(form.get("lat")),
        "lon": _coordinate(form.get("long")),
        "category": form.get("service_code") or None,
        "description": form.get("description") or None,
        "weekend": _weekend(form.get("attribute[weekend]")),
    }
    for code in ATTRIBUTE_CODES - {"weekend"}:
        data[code] = form.get(f"attribute[{code}]") or None
    return {key: value for key, value in data.items() if value is not None}, errors


def _parameter(field: str) -> str:
    return PARAMETERS.get(field, f"attribute[{field}]")


@bp.post("/requests.<fmt>")
@limit_submissions
def create_request(fmt: str):
    """Store a concern sent by an Open311 client; answer its id and receipt code."""
    _checked_format(fmt)
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Refused(400, {"body": text("not_form")})
    form = request.form
    code = form.get("service_code")
    if code and len(form.getlist("service_code")) == 1:
        _known_service(code)
    data, errors = _report_fields(form)
    try:
        if errors:
            check_report(data, from_form=False)  # to name every problem at once
        else:
            report = submit_report(data, from_form=False, source="open311").stored.report
    except ReportRejected as exc:
        errors |= {_parameter(field): message for field, message in exc.messages(lang()).items()}
    if errors:
        raise Refused(400, errors)
    notice = text("notice", receipt=report.receipt, url=external_url("public.receipt_lookup"))
    answer = [{"service_request_id": report.id, "service_notice": notice, "account_id": None}]
    return render(fmt, "service_requests", answer, 201)


# --- listing requests --------------------------------------------------------------


def _status(stored: str) -> str:
    return "closed" if stored in CLOSED_STATUSES else "open"


def _public_document(found: PublicRequest) -> dict[str, Any]:
    """What anyone may see of a concern: no text, its area's point, its month only."""
    category = category_by_code(found.category)
    area = current_layer().name(found.area_id)
    return {
        "service_request_id": found.id,
        "status": _status(found.status),
        "status_notes": text(found.status) if found.status in TEXTS else None,
        "service_name": _in_lang((category.label_sv, category.label_en)),
        "service_code": found.category,
        "description": None,
        "requested_datetime": local_midnight(found.requested_on).isoformat(),
        # The day a status changed would date the concern finer than its month.
        "updated_datetime": None,
        "address": f"{area}, {JURISDICTION}" if area else JURISDICTION,
        "lat": found.lat,
        "long": found.lon,
    }


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _moment(field: str, value: str, errors: dict[str, str]) -> datetime | None:
    """A W3C date (a local day) or date-time with a time zone, or None with an error."""
    if not _W3C_DATE.fullmatch(value):
        errors[field] = text("date")
        return None
    try:
        if len(value) == 10:
            return local_midnight(date.fromisoformat(value))
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors[field] = text("date")
        return None


def _days(args, errors: dict[str, str]) -> tuple[date | None, date | None]:
    """The whole local days a start/end pair covers: a concern's public day must fall inside."""
    start = _moment("start_date", args["start_date"], errors) if args.get("start_date") else None
    end = _moment("end_date", args["end_date"], errors) if args.get("end_date") else None
    if "start_date" in errors or "end_date" in errors:
        return None, None
    span = timedelta(days=MAX_SPAN_DAYS)
    if start is None and end is None:
        today = insight.local_today()
        return today - span + timedelta(days=1), today
    start = start if start is not None else end - span
    end = end if end is not None else start + span
    if end < start:
        errors["end_date"] = text("date_order")
    elif end - start > span:
        errors["end_date"] = text("date_span")
    first = local_day(start)
    if local_midnight(first) < start:
        first += timedelta(days=1)  # that day's public midnight lies before the start
    return first, local_day(end)


def _page(args, errors: dict[str, str]) -> tuple[int, int]:
    numbers = {}
    for field, default, highest in (("page", 1, None), ("page_size", PAGE_SIZE, MAX_PAGE_SIZE)):
        value = args.get(field, "").strip() or str(default)
        number = int(value) if _WHOLE.fullmatch(value) else 0
        if number < 1 or (highest is not None and number > highest):
            errors[field] = text(field)
        numbers[field] = number
    return numbers["page"], numbers["page_size"]


def _next_link(page: int) -> str:
    values = request.args.to_dict() | {"page": str(page + 1)} | request.view_args
    return f'<{external_url(request.endpoint, **values)}>; rel="next"'


@bp.get("/requests.<fmt>")
def requests(fmt: str):
    """Listed concerns, coarsened, filtered by id, service, day range and status; paged."""
    _checked_format(fmt)
    args = request.args
    errors: dict[str, str] = {}
    page, page_size = _page(args, errors)
    query: dict[str, Any] = {}
    if args.get("service_request_id"):
        # The standard: "This overrides all other arguments."
        query["ids"] = _split(args["service_request_id"])
        if len(query["ids"]) > MAX_IDS:
            errors["service_request_id"] = text("too_many_ids")
    else:
        codes = _split(args.get("service_code", ""))
        if any(code not in CATEGORY_CODES for code in codes):
            errors["service_code"] = text("unknown_service")
        statuses = _split(args.get("status", ""))
        if any(status not in ("open", "closed") for status in statuses):
            errors["status"] = text("status")
        query["categories"] = codes
        query["statuses"] = statuses
        query["first_day"], query["last_day"] = _days(args, errors)
    if errors:
        raise Refused(400, errors)
    first_day, last_day = query.pop("first_day", None), query.pop("last_day", None)
    if "ids" in query:
        wanted = set(query.pop("ids"))
        months = {p for p in (period_of_request(get_session(), i) for i in wanted) if p}
        found = _listed(sorted(months), ids=wanted)
    else:
        found = _listed(_months_starting(first_day, last_day), **query)
    shown = found[(page - 1) * page_size : page * page_size]
    response = render(fmt, "service_requests", [_public_document(f) for f in shown])
    if len(found) > page * page_size:
        response.headers["Link"] = _next_link(page)
    return response


def _months_starting(first_day: date, last_day: date) -> list[PublicationPeriod]:
    """The published months whose first day lies in ``[first_day, last_day]``."""
    latest = latest_published(insight.local_today())
    period = period_of(first_day)
    if period.first_day < first_day:
        period = period.next()
    months = []
    while period.first_day <= last_day and period <= latest:
        months.append(period)
        period = period.next()
    return months


@bp.get("/requests/<service_request_id>.<fmt>")
def request_detail(service_request_id: str, fmt: str):
    """One listed concern in the same public view as the listing."""
    _checked_format(fmt)
    period = period_of_request(get_session(), service_request_id)
    found = _listed([period], ids={service_request_id}) if period else []
    if not found:
        raise Refused(404, {"service_request_id": text("unknown_request")})
    return render(fmt, "service_requests", [_public_document(found[0])])
