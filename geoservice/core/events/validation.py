"""The rules a partner's event report must pass, the same for the phone form and the API.

An event gives a place (a point, or a named place from the gazetteer), when it happened
(a moment, or a range when the reporter does not know exactly), one or more EST event
types, how serious the reporter judges it (1–3) and optionally what happened. Several
events may be sent together. Every refusal is a field and a code; :func:`describe_event`
turns a code into a sentence in Swedish or English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from geoservice.core.categories import EVENT_TYPE_CODES, SERIOUSNESS
from geoservice.core.intake.validation import (
    IDEMPOTENCY_KEY,
    _field_name,
    clean_text,
    describe,
    read_point,  # the one point rule of the service (NaN, ranges, form decimals)
)
from geoservice.core.typography import LOCAL_ZONE

__all__ = [
    "EVENT_FIELDS",
    "MAX_EVENTS",
    "EventDraft",
    "EventsRejected",
    "describe_event",
    "validate_events",
]

MAX_EVENTS = 20
"""At most this many events in one submission."""

MAX_SPAN = timedelta(days=7)
"""The longest time range an event may be given with."""

MAX_AGE = timedelta(days=366)
"""Events older than this are refused: the weekly reporting is about recent events."""

FUTURE_SLACK = timedelta(minutes=10)
"""A phone's clock may run a little ahead; a time further in the future is refused."""

EVENT_FIELDS = frozenset(
    {
        "lat",
        "lon",
        "place",
        "occurred_at",
        "occurred_from",
        "occurred_to",
        "types",
        "seriousness",
        "description",
        "idempotency_key",
    }
)
"""The fields of one event in the JSON API."""

_MESSAGES: dict[str, tuple[str, str]] = {
    "place_missing": (
        "Markera platsen på kartan, använd din position eller välj en namngiven plats.",
        "Mark the place on the map, use your location or choose a named place.",
    ),
    "unknown_place": (
        "Platsen finns inte i listan över namngivna platser.",
        "That place is not in the list of named places.",
    ),
    "when_missing": ("Ange när det hände (datum).", "Say when it happened (a date)."),
    "bad_date": ("Skriv datumet som ÅÅÅÅ-MM-DD.", "Write the date as YYYY-MM-DD."),
    "bad_time": ("Skriv klockslaget som TT:MM.", "Write the time as HH:MM."),
    "bad_moment": (
        "Skriv tiden som ÅÅÅÅ-MM-DDTTT:MM (svensk tid om ingen tidszon anges).",
        "Write the time as YYYY-MM-DDTHH:MM (Swedish time unless a zone is given).",
    ),
    "future": ("Tiden ligger i framtiden.", "The time lies in the future."),
    "too_old": (
        "Händelsen är äldre än ett år; rapportera bara nya händelser.",
        "The event is more than a year old; report recent events only.",
    ),
    "range_order": (
        "Sluttiden ligger före starttiden.",
        "The end of the range lies before its start.",
    ),
    "range_too_long": (
        "Tidsintervallet får vara högst sju dygn.",
        "The time range may be at most seven days.",
    ),
    "types_missing": ("Välj minst en typ av händelse.", "Choose at least one kind of event."),
    "unknown_type": ("Okänd typ av händelse.", "Unknown kind of event."),
    "duplicate_type": ("Samma typ är vald två gånger.", "The same kind is chosen twice."),
    "not_a_list": ("Ange en lista.", "Must be a list."),
    "seriousness": (
        "Välj hur allvarligt det är: 1, 2 eller 3.",
        "Choose how serious it is: 1, 2 or 3.",
    ),
    "no_events": ("Skicka minst en händelse.", "Send at least one event."),
    "too_many_events": (
        f"Högst {MAX_EVENTS} händelser åt gången.",
        f"At most {MAX_EVENTS} events at a time.",
    ),
    "not_object": ("Varje händelse ska vara ett JSON-objekt.", "Each event must be a JSON object."),
}


def describe_event(code: str, lang: str = "sv") -> str:
    """The sentence for a refusal ``code`` in ``lang`` (``sv`` or ``en``)."""
    if code in _MESSAGES:
        sv, en = _MESSAGES[code]
        return en if lang == "en" else sv
    return describe(code, lang)


class EventsRejected(ValueError):
    """One or more events broke a rule; ``errors`` maps each field key to a refusal code."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(", ".join(f"{k}: {v}" for k, v in self.errors.items()))

    def messages(self, lang: str = "sv") -> dict[str, str]:
        """Field key → sentence in ``lang``."""
        return {key: describe_event(code, lang) for key, code in self.errors.items()}


@dataclass(frozen=True)
class EventDraft:
    """An event that passed every rule, ready to be stored (times aware, in UTC)."""

    lon: float
    lat: float
    area_id: str
    place_name: str | None
    occurred_from: datetime
    occurred_to: datetime | None
    types: tuple[str, ...]
    seriousness: int
    description: str | None
    idempotency_key: str | None


Locate = Callable[[float, float], "str | None"]
NamedPlace = Callable[[str], "tuple[float, float, str] | None"]
ErrorKey = Callable[[int, str], str]

_YEARS = (2000, 2100)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def _form_moment(raw_date: Any, raw_time: Any) -> tuple[datetime | None, bool, str | None]:
    """(local moment, whether a time of day was given, refusal) from the form's fields."""
    day_text = raw_date.strip() if isinstance(raw_date, str) else ""
    time_text = raw_time.strip() if isinstance(raw_time, str) else ""
    if not day_text:
        return None, False, None
    if not _DATE.fullmatch(day_text):
        return None, False, "bad_date"
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None, False, "bad_date"
    if not _YEARS[0] <= day.year <= _YEARS[1]:
        return None, False, "bad_date"
    if not time_text:
        return datetime.combine(day, time(0), LOCAL_ZONE), False, None
    match = _TIME.fullmatch(time_text)
    if not match:
        return None, False, "bad_time"
    at = time(int(match.group(1)), int(match.group(2)))
    return datetime.combine(day, at, LOCAL_ZONE), True, None


def _api_moment(raw: Any) -> tuple[datetime | None, str | None]:
    """An ISO 8601 moment; naive means Swedish time."""
    if raw is None or raw == "":
        return None, None
    if not isinstance(raw, str) or len(raw) > 40 or not _DATE.match(raw):
        return None, "bad_moment"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None, "bad_moment"
    if not _YEARS[0] <= moment.year <= _YEARS[1]:
        # Far from now anyway, and beyond the range a time zone can be applied to.
        return None, "bad_moment"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment, None


def _when(
    data: Mapping[str, Any], from_form: bool, now: datetime
) -> tuple[datetime | None, datetime | None, dict[str, str]]:
    """(start, end or None) in UTC and the refusals, keyed by field."""
    errors: dict[str, str] = {}
    if from_form:
        start, start_has_time, code = _form_moment(data.get("date"), data.get("time"))
        if code:
            errors["date" if code == "bad_date" else "time"] = code
        end, end_has_time, code = _form_moment(
            data.get("to_date") or (data.get("date") if data.get("to_time") else None),
            data.get("to_time"),
        )
        if code:
            errors["to_date" if code == "bad_date" else "to_time"] = code
        if start is None and not errors:
            errors["date"] = "when_missing"
        if start is not None and not start_has_time and end is None:
            # A day without a time of day: the whole day.
            end = start + timedelta(days=1)
        elif end is not None and not end_has_time:
            end = end + timedelta(days=1)
        field_from, field_to = "date", "to_date"
    else:
        if data.get("occurred_at") not in (None, ""):
            start, code = _api_moment(data.get("occurred_at"))
            end = None
            if code:
                errors["occurred_at"] = code
            if data.get("occurred_from") not in (None, "") or data.get("occurred_to") not in (
                None,
                "",
            ):
                errors["occurred_from"] = "choice"
            field_from = field_to = "occurred_at"
        else:
            start, code = _api_moment(data.get("occurred_from"))
            if code:
                errors["occurred_from"] = code
            elif start is None:
                errors["occurred_at"] = "when_missing"
            end, code = _api_moment(data.get("occurred_to"))
            if code:
                errors["occurred_to"] = code
            field_from, field_to = "occurred_from", "occurred_to"
    if errors or start is None:
        return None, None, errors
    start = start.astimezone(UTC)
    end = end.astimezone(UTC) if end is not None else None
    if start > now + FUTURE_SLACK:
        errors[field_from] = "future"
    elif start < now - MAX_AGE:
        errors[field_from] = "too_old"
    if end is not None:
        if end <= start:
            errors[field_to] = "range_order"
        elif end - start > MAX_SPAN:
            errors[field_to] = "range_too_long"
        # The end of a range may reach past now (e.g. "tonight, until midnight").
        end = min(end, max(now, start + timedelta(minutes=1)))
    return start, end, errors


def _types(value: Any, from_form: bool) -> tuple[tuple[str, ...], str | None]:
    if value is None or value == "" or value == []:
        return (), "types_missing"
    if isinstance(value, str) and from_form:
        value = [value]
    if not isinstance(value, list | tuple):
        return (), "not_a_list"
    if len(value) > len(EVENT_TYPE_CODES):
        return (), "duplicate_type"
    if any(not isinstance(v, str) or v not in EVENT_TYPE_CODES for v in value):
        return (), "unknown_type"
    if len(set(value)) != len(value):
        return (), "duplicate_type"
    # Stored in the list's order, whatever order they were ticked in.
    return tuple(c for c in EVENT_TYPE_CODES if c in value), None


def _seriousness(value: Any, from_form: bool) -> tuple[int | None, str | None]:
    if from_form and isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in SERIOUSNESS:
        return None, "seriousness"
    return value, None


def _one_event(
    data: Mapping[str, Any],
    *,
    locate: Locate,
    named_place: NamedPlace,
    from_form: bool,
    now: datetime,
) -> tuple[EventDraft | None, dict[str, str]]:
    errors: dict[str, str] = {}
    if not from_form:
        for key in data:
            if key not in EVENT_FIELDS:
                errors[_field_name(key)] = "unknown_field"
    lon = lat = None
    area_id = place_name = None
    has_point = not (data.get("lat") in (None, "") and data.get("lon") in (None, ""))
    raw_place = data.get("place")
    if raw_place not in (None, "") and (not isinstance(raw_place, str) or len(raw_place) > 120):
        # Checked even when a point decides the place: nothing malformed is let through.
        errors["place"] = "not_text" if not isinstance(raw_place, str) else "unknown_place"
        raw_place = None
    if has_point:
        point = read_point(data, from_form=from_form, errors=errors)
        if point is not None:
            lon, lat = point
            area_id = locate(lon, lat)
            if area_id is None:
                errors["lat"] = "outside"
    elif raw_place not in (None, ""):
        found = named_place(raw_place.strip())
        if found is None:
            errors["place"] = "unknown_place"
        else:
            lon, lat, place_name = found
            area_id = locate(lon, lat)
            if area_id is None:
                errors["place"] = "outside"
    elif "place" not in errors:
        errors["place"] = "place_missing"

    start, end, when_errors = _when(data, from_form, now)
    errors.update(when_errors)
    types, code = _types(data.get("types"), from_form)
    if code:
        errors["types"] = code
    seriousness, code = _seriousness(data.get("seriousness"), from_form)
    if code:
        errors["seriousness"] = code
    description, code = clean_text(data.get("description"))
    if code:
        errors["description"] = code
    key = data.get("idempotency_key")
    if key in (None, ""):
        key = None
    elif not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        errors["idempotency_key"] = "idempotency_key"
    if errors:
        return None, errors
    return (
        EventDraft(
            lon=lon,
            lat=lat,
            area_id=area_id,
            place_name=place_name,
            occurred_from=start,
            occurred_to=end,
            types=types,
            seriousness=seriousness,
            description=description,
            idempotency_key=key,
        ),
        {},
    )


def validate_events(
    items: Sequence[Any],
    *,
    locate: Locate,
    named_place: NamedPlace,
    from_form: bool,
    now: datetime,
    error_key: ErrorKey,
) -> list[EventDraft]:
    """Check every event of a submission; all of them pass or none is returned.

    Parameters
    ----------
    items : sequence of mappings
        The events: parsed JSON objects, or the form's values per event (strings, and a
        list for ``types``).
    locate : callable
        ``locate(lon, lat)`` gives the id of the area holding the point, or None outside
        the municipality.
    named_place : callable
        ``named_place(name)`` gives ``(lon, lat, name as written in the gazetteer)`` or None.
    from_form : bool
        Form values are strings, dates and times in separate fields (Swedish time); JSON
        values have their types, ISO 8601 moments and unknown fields are refused.
    now : datetime
        The aware current moment, for refusing future and too old events.
    error_key : callable
        ``error_key(index, field)`` names a field of the event at ``index`` in the errors.

    Raises
    ------
    EventsRejected
        With every broken rule of every event.
    """
    if now.tzinfo is None:
        raise ValueError("now should be an aware datetime")
    if not items:
        raise EventsRejected({"events": "no_events"})
    if len(items) > MAX_EVENTS:
        raise EventsRejected({"events": "too_many_events"})
    drafts: list[EventDraft] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            errors[error_key(index, "event")] = "not_object"
            continue
        draft, item_errors = _one_event(
            item, locate=locate, named_place=named_place, from_form=from_form, now=now
        )
        for field, code in item_errors.items():
            errors[error_key(index, field)] = code
        if draft is not None:
            drafts.append(draft)
    keys = [d.idempotency_key for d in drafts if d.idempotency_key]
    if len(keys) != len(set(keys)):
        errors["events"] = "duplicate_key"
    if errors:
        raise EventsRejected(errors)
    return drafts
