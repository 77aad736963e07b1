"""The staff filter: days rather than months, plus kind, weekday/weekend and status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

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


def _day(raw: str | None, default: date, field: str, errors: dict[str, str]) -> date:
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[field] = f"'{field}' should be a date written YYYY-MM-DD, got {raw[:20]!r}"
        return default
    if not EARLIEST <= day <= LATEST:
        errors[field] = f"'{field}' should lie between {EARLIEST} and {LATEST}"
        return default
    return day


def _code(args, name: str, options, errors: dict[str, str]) -> str | None:
    value = args.get(name) or None
    if value is not None and value not in options:
        errors[name] = f"unknown {name} {value[:20]!r}; expected one of {', '.join(options)}"
        return None
    return value


def parse_staff_filter(args: Mapping[str, str], *, today: date | None = None) -> StaffFilter:
    """Read ``from, to, category, time_of_day, kind, weekend, status, source``; last 90 days.

    ``source`` (issue 18): ``residents`` (the default), ``partners`` or ``both``.
    """
    today = today or datetime.now(LOCAL_ZONE).date()
    errors: dict[str, str] = {}
    start = _day(args.get("from"), today - timedelta(days=89), "from", errors)
    end = _day(args.get("to"), today, "to", errors)
    if not errors and end < start:
        errors["to"] = "'to' should not be before 'from'"
    weekend_raw = args.get("weekend") or None
    weekend = None
    if weekend_raw is not None:
        if weekend_raw not in ("true", "false"):
            errors["weekend"] = "'weekend' should be true or false"
        else:
            weekend = weekend_raw == "true"
    result = StaffFilter(
        start=start,
        end=end,
        category=_code(args, "category", CATEGORY_CODES, errors),
        time_of_day=_code(args, "time_of_day", TIME_BANDS, errors),
        kind=_code(args, "kind", KINDS, errors),
        weekend=weekend,
        status=_code(args, "status", STATUSES, errors),
        source=_code(args, "source", EVENT_SOURCES, errors) or "residents",
    )
    if errors:
        raise FilterRejected(errors)
    return result
