"""The staff filter: days rather than months, plus kind, weekday/weekend and status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _

from geoservice.core.categories import CATEGORY_CODES, EVENT_SOURCES, KINDS, STATUSES, TIME_BANDS
from geoservice.core.privacy.suppression import LOCAL_ZONE
from geoservice.web.insight import FilterRejected


@dataclass(frozen=True)
class StaffFilter:
    """Concerns in ``[start, end)`` (local days), optionally narrowed by codes."""

    start: date
    end: date  # last day included
    category: str | None = None
    time_of_day: str | None = None
    kind: str | None = None
    weekend: bool | None = None
    status: str | None = None
    # Issue 18: residents' concerns, partners' event reports, or both.
    source: str = "residents"

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, datetime.min.time(), LOCAL_ZONE).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        next_day = self.end + timedelta(days=1)
        return datetime.combine(next_day, datetime.min.time(), LOCAL_ZONE).astimezone(UTC)

    def as_query(self) -> dict[str, str]:
        query = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for name in ("category", "time_of_day", "kind", "status"):
            if getattr(self, name):
                query[name] = getattr(self, name)
        if self.weekend is not None:
            query["weekend"] = "true" if self.weekend else "false"
        if self.source != "residents":
            query["source"] = self.source
        return query


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def filter_field_labels() -> dict[str, str]:
    """The filter fields named as the filter forms name them."""
    return {
        "from": _("Från"),
        "to": _("Till och med"),
        "category": _("Kategori"),
        "time_of_day": _("Tid på dygnet"),
        "kind": _("Typ av plats"),
        "weekend": _("Vardag eller helg"),
        "status": _("Status"),
        "source": _("Källa"),
    }


def read_day(raw: str | None) -> date:
    """A day as a date field sends it (``2026-11-30``) or as a person types it.

    Besides ISO, ``20261130``, ``2026/11/30``, ``2026.11.30`` and ``30/11/2026`` are
    accepted: older browsers show a date input as a plain text box.
    """
    text = (raw or "").strip()
    for sep in ("/", "."):
        text = text.replace(sep, "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    parts = text.split("-")
    if len(parts) == 3 and len(parts[2]) == 4 and all(p.isdigit() for p in parts):
        text = f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    elif len(parts) == 3 and len(parts[0]) == 4 and all(p.isdigit() for p in parts):
        text = f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return date.fromisoformat(text)


def read_filter_day(
    raw: str | None,
    default: date | None,
    field: str,
    errors: dict[str, str],
    label: str | None = None,
) -> date | None:
    """A filter's day (``default`` when empty); a message naming the field when it is none.

    ``label`` names the field as its form does (the concern filter's names by default).
    """
    if not raw:
        return default
    label = label or filter_field_labels()[field]
    try:
        day = read_day(raw)
    except ValueError:
        errors[field] = _("%(field)s: skriv ett datum som 2026-11-30 (år-månad-dag).", field=label)
        return default
    if not EARLIEST <= day <= LATEST:
        errors[field] = _(
            "%(field)s: välj ett datum mellan %(first)s och %(last)s.",
            field=label,
            first=EARLIEST.isoformat(),
            last=LATEST.isoformat(),
        )
        return default
    return day


def _single(args, name: str, errors: dict[str, str]) -> str | None:
    """One value of ``name``; a repeated parameter with different values is refused, not cut."""
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]
    values = [v for v in values if v]
    if len(set(values)) > 1:
        errors[name] = _(
            "%(field)s: välj ett värde, inte flera.", field=filter_field_labels()[name]
        )
        return None
    return values[0] if values else None


def _code(args, name: str, options, labels: dict[str, str], errors: dict[str, str]) -> str | None:
    value = _single(args, name, errors)
    if value is not None and value not in options:
        errors[name] = _(
            "%(field)s: välj ett av alternativen i listan (%(options)s).",
            field=filter_field_labels()[name],
            options=", ".join(labels.get(o, o) for o in options),
        )
        return None
    return value


def parse_staff_filter(args: Mapping[str, str], *, today: date | None = None) -> StaffFilter:
    """Read ``from, to, category, time_of_day, kind, weekend, status, source``; last 90 days.

    ``source``: ``residents`` (the default), ``partners`` or ``both``.

    Messages name each field as the filter form does, in the page's language.
    """
    from geoservice.labels import (
        band_labels,
        category_labels,
        event_source_labels,
        kind_labels,
        status_labels,
    )

    today = today or datetime.now(LOCAL_ZONE).date()
    errors: dict[str, str] = {}
    start = read_filter_day(
        _single(args, "from", errors), today - timedelta(days=89), "from", errors
    )
    end = read_filter_day(_single(args, "to", errors), today, "to", errors)
    if not errors and end < start:
        errors["to"] = _(
            "%(field)s: välj en dag som inte ligger före Från-dagen.",
            field=filter_field_labels()["to"],
        )
    weekend_raw = _single(args, "weekend", errors)
    weekend = None
    if weekend_raw is not None:
        if weekend_raw not in ("true", "false"):
            errors["weekend"] = _(
                "%(field)s: välj vardag, helg eller båda.",
                field=filter_field_labels()["weekend"],
            )
        else:
            weekend = weekend_raw == "true"
    result = StaffFilter(
        start=start,
        end=end,
        category=_code(args, "category", CATEGORY_CODES, category_labels(), errors),
        time_of_day=_code(args, "time_of_day", TIME_BANDS, band_labels(), errors),
        kind=_code(args, "kind", KINDS, kind_labels(), errors),
        weekend=weekend,
        status=_code(args, "status", STATUSES, status_labels(), errors),
        source=_code(args, "source", EVENT_SOURCES, event_source_labels(), errors) or "residents",
    )
    if errors:
        raise FilterRejected(errors)
    return result
