"""Open311 GeoReport v2 (SPEC §8): the declared data behind :mod:`geoservice.web.open311`.

The discovery constants, limits of the listing, the Swedish and English texts of every
answer (:data:`TEXTS`, ``(Swedish, English)`` pairs) and the service definition's
attributes (:data:`ATTRIBUTES`), with the form fields a client may send. No Flask here:
the blueprint picks the language and renders.
"""

from __future__ import annotations

from typing import Any

from geoservice.core.categories import TIME_BANDS
from geoservice.core.intake.validation import AGE_BANDS, ROLES

__all__ = [
    "ATTRIBUTES",
    "ATTRIBUTE_CODES",
    "CHANGESET",
    "CLOSED_STATUSES",
    "CONTENT_TYPES",
    "IGNORED_FIELDS",
    "ITEM_TAGS",
    "JURISDICTION",
    "KNOWN_FIELDS",
    "MAX_IDS",
    "MAX_PAGE_SIZE",
    "MAX_SPAN_DAYS",
    "OPEN_STATUSES",
    "PAGE_SIZE",
    "PARAMETERS",
    "SPECIFICATION",
    "TEXTS",
]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when CATEGORIES or the attributes below change: clients refresh cached definitions.
CHANGESET = "2026-11-27T00:00:00+01:00"
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
JURISDICTION = "Melleruds kommun"
PAGE_SIZE, MAX_PAGE_SIZE, MAX_IDS, MAX_SPAN_DAYS = 50, 200, 200, 90
OPEN_STATUSES, CLOSED_STATUSES = ("new", "confirmed"), ("handled",)

# Spark convention: a list element's children are named by this map.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
}

TEXTS: dict[str, tuple[str, str]] = {
    "contact": (
        "Trygghetskartan Mellerud, Melleruds kommun och Polisen (medborgarlöfte). "
        "Detta är ingen brottsanmälan: ring 112 vid nödläge, annars polisen på 114 14.",
        "Trygghetskartan Mellerud, Mellerud municipality and the Police (citizen promise). "
        "This is not a crime report: call 112 in an emergency, otherwise the police on 114 14.",
    ),
    "key_service": (
        "Ingen API-nyckel behövs: synpunkter tas emot anonymt och api_key ignoreras.",
        "No API key is needed: concerns are accepted anonymously and api_key is ignored.",
    ),
    "service": (
        "{label}. Markera en plats i Melleruds kommun som känns otrygg (eller särskilt "
        "trygg). Ingen brottsanmälan: ring 112 vid nödläge, annars polisen på 114 14.",
        "{label}. Mark a place in Mellerud municipality that feels unsafe (or notably safe). "
        "Not a crime report: call 112 in an emergency, otherwise the police on 114 14.",
    ),
    "notice": (
        "Tack! Kvittokod: {receipt} — använd den på {url} för att se eller radera "
        "synpunkten. Kontaktuppgifter (e-post, namn, telefon, enhets-id, adress, media) "
        "sparas inte.",
        "Thank you. Kvittokod (receipt code): {receipt} — use it at {url} to see or delete "
        "the concern. Contact details (e-mail, name, phone, device id, address, media) are "
        "not stored.",
    ),
    "new": ("Mottagen: synpunkten väntar på granskning.", "Received: awaiting review."),
    "confirmed": (
        "Granskad: synpunkten ingår i lägesbilden.",
        "Reviewed: the concern is part of the local picture.",
    ),
    "handled": (
        "Hanterad: polisen eller kommunen har tagit hand om synpunkten.",
        "Handled: the police or the municipality has dealt with the concern.",
    ),
    "unknown_format": (
        "Okänt format: använd .xml eller .json.",
        "Unknown format: use .xml or .json.",
    ),
    "unknown_service": ("Ingen tjänst har den koden.", "No service has this service_code."),
    "unknown_request": (
        "Ingen listad synpunkt har det id:t.",
        "No listed service request has this id.",
    ),
    "unknown_attribute": (
        "Okänt attribut för den här tjänsten.",
        "Unknown attribute for this service.",
    ),
    "not_form": (
        "Skicka kroppen som application/x-www-form-urlencoded.",
        "Send the body as application/x-www-form-urlencoded.",
    ),
    "date": (
        "Ange ett datum enligt ISO 8601, med tidszon om tid anges (2026-01-31T00:00:00+01:00).",
        "Use an ISO 8601 date, with a time zone when a time is given (2026-01-31T00:00:00Z).",
    ),
    "date_order": ("Slutet ligger före början.", "end_date is before start_date."),
    "date_span": (
        f"Perioden får vara högst {MAX_SPAN_DAYS} dagar.",
        f"The period may span at most {MAX_SPAN_DAYS} days.",
    ),
    "status": ("Ange open eller closed.", "Use open or closed (comma-separated)."),
    "page": ("Ange ett heltal från 1.", "Use a whole number from 1."),
    "page_size": (
        f"Ange ett heltal från 1 till {MAX_PAGE_SIZE}.",
        f"Use a whole number from 1 to {MAX_PAGE_SIZE}.",
    ),
    "too_many_ids": (f"Högst {MAX_IDS} id:n.", f"At most {MAX_IDS} ids."),
    400: ("Begäran kunde inte läsas.", "The request could not be read."),
    404: ("Finns inte.", "Not found."),
    405: ("Metoden är inte tillåten här.", "Method not allowed."),
    413: ("Det som skickades är för stort.", "The request body is too large."),
    429: (
        "För många försök på kort tid. Vänta en stund och försök igen.",
        "Too many requests. Wait a while and try again.",
    ),
}

# The service definition: our fields beyond place, category and description, in order.
# Each value list is (key, Swedish name, English name).
ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {
        "code": "time_of_day",
        "datatype": "singlevaluelist",
        "required": True,
        "description": ("När känns platsen otrygg?", "When does the place feel unsafe?"),
        "values": list(
            zip(
                TIME_BANDS,
                ("Dag (06–18)", "Kväll (18–22)", "Natt (22–06)", "Vet inte / hela tiden"),
                ("Day (06–18)", "Evening (18–22)", "Night (22–06)", "Don't know / all the time"),
                strict=True,
            )
        ),
    },
    {
        "code": "weekend",
        "datatype": "singlevaluelist",
        "required": False,
        "description": ("Vardag eller helg?", "Weekday or weekend?"),
        "values": [
            ("false", "Vardag", "Weekday"),
            ("true", "Helg (fredag 18 – måndag 06)", "Weekend (Friday 18 – Monday 06)"),
        ],
    },
    {
        "code": "kind",
        "datatype": "singlevaluelist",
        "required": False,
        "description": (
            "Hur känns platsen? Utan svar: otrygg.",
            "How does the place feel? Without an answer: unsafe.",
        ),
        "values": [
            ("unsafe", "Otrygg plats", "Unsafe place"),
            ("safe", "Trygg plats", "Safe place"),
        ],
    },
    {
        "code": "suggestion",
        "datatype": "text",
        "required": False,
        "datatype_description": ("Högst 1 000 tecken.", "At most 1,000 characters."),
        "description": (
            "Vad anser du att det finns för åtgärder som polisen och kommunen skulle kunna göra "
            "för att öka din säkerhet, tillit och trygghet?",
            "What could the police and the municipality do to increase your safety, trust and "
            "sense of security?",
        ),
    },
    {
        "code": "role",
        "datatype": "singlevaluelist",
        "required": False,
        "description": ("Du är", "You"),
        "values": list(
            zip(
                ROLES,
                ("Bor i kommunen", "Arbetar här", "Besökare"),
                ("Live in the municipality", "Work here", "Visitor"),
                strict=True,
            )
        ),
    },
    {
        "code": "age_band",
        "datatype": "singlevaluelist",
        "required": False,
        "description": ("Ålder", "Age"),
        "values": list(
            zip(
                AGE_BANDS,
                ("Under 18", "18–29", "30–49", "50–64", "65 eller äldre"),
                ("Under 18", "18–29", "30–49", "50–64", "65 or older"),
                strict=True,
            )
        ),
    },
)
ATTRIBUTE_CODES = frozenset(a["code"] for a in ATTRIBUTES)
# Accepted and dropped: we keep no contact data, and a key is not needed.
IGNORED_FIELDS = frozenset(
    {
        "api_key",
        "jurisdiction_id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "device_id",
        "account_id",
        "address_string",
        "address_id",
        "media_url",
    }
)
KNOWN_FIELDS = IGNORED_FIELDS | {"service_code", "lat", "long", "description"}
# Our rule names → the GeoReport parameter a client sent.
PARAMETERS = {"lat": "lat", "lon": "long", "category": "service_code", "description": "description"}
