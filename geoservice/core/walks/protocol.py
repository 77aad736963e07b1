"""The rules of a safety walk's plan, its observations and the protocol's actions.

A walk names organisations, never residents: participants and free texts are refused when
they hold an e-mail address, a phone number or a personal identity number. Every refusal
is a field and a sentence in Swedish and English.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from geoservice.core.categories import ACTION_OWNERS, ACTION_STATUSES, WALK_CATEGORY_CODES
from geoservice.core.intake.validation import _coordinate, clean_text
from geoservice.core.privacy.masking import EMAIL, PERSONNUMMER, PHONE

__all__ = [
    "ActionDraft",
    "ObservationDraft",
    "PlanDraft",
    "WalkRejected",
    "validate_action",
    "validate_observation",
    "validate_plan",
]

MAX_LINES = 30
LINE_LIMIT = 120
MAX_ROUTE_POINTS = 500
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Fältet måste fyllas i.", "This field is required."),
    "too_long": ("Texten är för lång.", "The text is too long."),
    "too_many_lines": (f"Högst {MAX_LINES} rader.", f"At most {MAX_LINES} lines."),
    "line_too_long": (
        f"Varje rad får vara högst {LINE_LIMIT} tecken.",
        f"Each line may be at most {LINE_LIMIT} characters.",
    ),
    "personal_data": (
        "Skriv organisationer, inte personuppgifter (e-post, telefonnummer, personnummer).",
        "Write organisations, not personal data (e-mail, phone numbers, identity numbers).",
    ),
    "bad_date": ("Skriv datumet som ÅÅÅÅ-MM-DD.", "Write the date as YYYY-MM-DD."),
    "date_range": (
        "Datumet ska ligga mellan år 2000 och 2100.",
        "The date should lie between 2000 and 2100.",
    ),
    "bad_route": (
        "Rutten kunde inte läsas; rita den igen eller skriv platserna som en lista.",
        "The route could not be read; draw it again or list the places instead.",
    ),
    "route_outside": (
        "Rutten går utanför Melleruds kommun.",
        "The route leaves Mellerud municipality.",
    ),
    "route_missing": (
        "Rita rutten på kartan eller skriv platserna längs den, en per rad.",
        "Draw the route on the map or list the places along it, one per line.",
    ),
    "place_missing": (
        "Markera platsen på kartan eller använd din position.",
        "Mark the place on the map or use your location.",
    ),
    "outside": (
        "Platsen ligger utanför Melleruds kommun.",
        "The place lies outside Mellerud municipality.",
    ),
    "choice": ("Välj ett av alternativen.", "Choose one of the options."),
    "reason_required": (
        "Skriv varför åtgärden inte är genomförbar.",
        "Say why the action cannot be done.",
    ),
    "action_required": ("Skriv vilken åtgärd som ska göras.", "Say what will be done."),
    "owner_required": ("Välj vem som ansvarar.", "Choose who is responsible."),
    "owner_name_required": ("Skriv vem som ansvarar.", "Say who is responsible."),
    "deadline_required": ("Ange när det ska vara klart.", "Give a deadline."),
    "not_a_number": ("Ange ett tal.", "Must be a number."),
    "not_finite": ("Ange ett ändligt tal.", "Must be a finite number."),
    "lat_range": ("Latitud måste ligga mellan -90 och 90.", "Latitude must be between -90 and 90."),
    "lon_range": (
        "Longitud måste ligga mellan -180 och 180.",
        "Longitude must be between -180 and 180.",
    ),
    "control_chars": (
        "Texten innehåller otillåtna tecken (styrtecken).",
        "The text contains control characters.",
    ),
    "invisible_chars": (
        "Texten innehåller osynliga eller textvändande tecken.",
        "The text contains invisible or direction-changing characters.",
    ),
    "not_text": ("Ange text.", "Must be text."),
}


class WalkRejected(ValueError):
    """Part of a walk broke a rule; ``errors`` maps each field to a refusal code."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(", ".join(f"{k}: {v}" for k, v in self.errors.items()))

    def messages(self, lang: str = "sv") -> dict[str, str]:
        """Field → sentence in ``lang``."""
        return {
            field: _MESSAGES[code][1 if lang == "en" else 0] for field, code in self.errors.items()
        }


Locate = Callable[[float, float], "str | None"]


def _has_personal_data(text: str) -> bool:
    return bool(EMAIL.search(text) or PHONE.search(text) or PERSONNUMMER.search(text))


def _lines(value: Any, field: str, errors: dict[str, str]) -> tuple[str, ...]:
    text, code = clean_text(value if value not in (None, "") else None)
    if code:
        errors[field] = code
        return ()
    lines = tuple(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())
    if len(lines) > MAX_LINES:
        errors[field] = "too_many_lines"
    elif any(len(line) > LINE_LIMIT for line in lines):
        errors[field] = "line_too_long"
    elif any(_has_personal_data(line) for line in lines):
        errors[field] = "personal_data"
    return lines


def _day(value: Any, field: str, errors: dict[str, str], *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            errors[field] = "required"
        return None
    try:
        day = date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        errors[field] = "bad_date"
        return None
    if not EARLIEST <= day <= LATEST:
        errors[field] = "date_range"
        return None
    return day


@dataclass(frozen=True)
class PlanDraft:
    """A planned walk that passed every rule."""

    title: str
    walk_on: date
    route: str | None  # GeoJSON LineString, EPSG:4326
    route_places: tuple[str, ...]
    participants: tuple[str, ...]


def _route(raw: Any, locate: Locate, errors: dict[str, str]) -> str | None:
    if raw in (None, ""):
        return None
    try:
        coordinates = json.loads(raw) if isinstance(raw, str) and len(raw) < 40_000 else None
    except ValueError:
        coordinates = None
    if isinstance(coordinates, dict):
        coordinates = coordinates.get("coordinates")
    if (
        not isinstance(coordinates, list)
        or not 2 <= len(coordinates) <= MAX_ROUTE_POINTS
        or not all(
            isinstance(p, list)
            and len(p) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
            and all(math.isfinite(v) for v in p)
            for p in coordinates
        )
    ):
        errors["route"] = "bad_route"
        return None
    if any(locate(float(lon), float(lat)) is None for lon, lat in coordinates):
        errors["route"] = "route_outside"
        return None
    line = [[round(float(lon), 6), round(float(lat), 6)] for lon, lat in coordinates]
    return json.dumps({"type": "LineString", "coordinates": line})


def validate_plan(data: Mapping[str, Any], *, locate: Locate) -> PlanDraft:
    """Check a walk's plan: title, date, a drawn route or a list of places, organisations.

    Raises
    ------
    WalkRejected
        With every broken rule.
    """
    errors: dict[str, str] = {}
    title, code = clean_text(data.get("title") or None)
    if code or not title:
        errors["title"] = code or "required"
    elif len(title) > 200:
        errors["title"] = "too_long"
    elif _has_personal_data(title):
        errors["title"] = "personal_data"
    walk_on = _day(data.get("walk_on"), "walk_on", errors, required=True)
    route = _route(data.get("route"), locate, errors)
    places = _lines(data.get("route_places"), "route_places", errors)
    participants = _lines(data.get("participants"), "participants", errors)
    if route is None and not places and "route" not in errors and "route_places" not in errors:
        errors["route_places"] = "route_missing"
    if errors:
        raise WalkRejected(errors)
    return PlanDraft(title, walk_on, route, places, participants)


@dataclass(frozen=True)
class ObservationDraft:
    """An observation made on the walk that passed every rule."""

    lon: float
    lat: float
    area_id: str
    category: str
    note: str | None


def validate_observation(data: Mapping[str, Any], *, locate: Locate) -> ObservationDraft:
    """Check an observation: a point in the municipality, a category, an optional note."""
    errors: dict[str, str] = {}
    lat = _coordinate(data.get("lat"), from_form=True) if data.get("lat") else "place_missing"
    lon = _coordinate(data.get("lon"), from_form=True) if data.get("lon") else "place_missing"
    area_id = None
    if isinstance(lat, float) and not -90 <= lat <= 90:
        lat = "lat_range"
    if isinstance(lon, float) and not -180 <= lon <= 180:
        lon = "lon_range"
    if isinstance(lat, str) or isinstance(lon, str):
        errors["place"] = lat if isinstance(lat, str) else lon
    else:
        area_id = locate(lon, lat)
        if area_id is None:
            errors["place"] = "outside"
    category = data.get("category")
    if category not in WALK_CATEGORY_CODES:
        errors["category"] = "required" if category in (None, "") else "choice"
    note, code = clean_text(data.get("note") or None)
    if code:
        errors["note"] = code
    if errors:
        raise WalkRejected(errors)
    return ObservationDraft(lon, lat, area_id, category, note)


@dataclass(frozen=True)
class ActionDraft:
    """The protocol's entry for one observation."""

    action: str | None
    owner: str | None
    owner_name: str | None
    deadline: date | None
    status: str
    reason: str | None


def validate_action(data: Mapping[str, Any]) -> ActionDraft:
    """Check an action: what, who (Polisen / Kommunen / the housing company / other), by
    when and its status — or "inte genomförbart" with the reason."""
    errors: dict[str, str] = {}
    status = data.get("status") or "open"
    if status not in ACTION_STATUSES:
        errors["status"] = "choice"
    action, code = clean_text(data.get("action") or None)
    if code:
        errors["action"] = code
    reason, code = clean_text(data.get("reason") or None)
    if code:
        errors["reason"] = code
    owner = data.get("owner") or None
    if owner is not None and owner not in ACTION_OWNERS:
        errors["owner"] = "choice"
    owner_name, code = clean_text(data.get("owner_name") or None)
    if code:
        errors["owner_name"] = code
    elif owner_name and len(owner_name) > LINE_LIMIT:
        errors["owner_name"] = "line_too_long"
    elif owner_name and _has_personal_data(owner_name):
        errors["owner_name"] = "personal_data"
    deadline = _day(data.get("deadline"), "deadline", errors, required=False)
    if status == "not_feasible":
        if not reason and "reason" not in errors:
            errors["reason"] = "reason_required"
    elif status in ACTION_STATUSES:
        if not action and "action" not in errors:
            errors["action"] = "action_required"
        if owner is None and "owner" not in errors:
            errors["owner"] = "owner_required"
        if owner == "other" and not owner_name and "owner_name" not in errors:
            errors["owner_name"] = "owner_name_required"
        if deadline is None and "deadline" not in errors:
            errors["deadline"] = "deadline_required"
    if errors:
        raise WalkRejected(errors)
    return ActionDraft(
        action=action,
        owner=owner,
        owner_name=owner_name if owner in ("housing", "other") else None,
        deadline=deadline,
        status=status,
        reason=reason if status == "not_feasible" else None,
    )
