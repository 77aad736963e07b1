"""Public insight: area aggregates for a coarse filter, k-protected and cached per data version."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from geoservice.core.analysis.aggregate import aggregate_area_counts
from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.publish import filtered_public_areas
from geoservice.core.privacy.suppression import (
    LOCAL_ZONE,
    PeriodError,
    coarse_period,
    public_area_payload,
)
from geoservice.store.aggregates import area_group_counts
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.web.cache import cached


class FilterRejected(ValueError):
    """A public filter broke a rule; ``errors`` maps each query parameter to a message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(str(self.errors))


@dataclass(frozen=True)
class PublicFilter:
    """A coarse public filter: whole months, and at most one whole category or time band."""

    start_month: str
    end_month: str
    category: str | None = None
    time_of_day: str | None = None

    def as_query(self) -> dict[str, str]:
        query = {"from": self.start_month, "to": self.end_month}
        if self.category:
            query["category"] = self.category
        if self.time_of_day:
            query["time_of_day"] = self.time_of_day
        return query


def default_months(today: datetime | None = None) -> tuple[str, str]:
    """The last twelve months, this one included."""
    now = (today or datetime.now(UTC)).astimezone(LOCAL_ZONE)
    first = now.year * 12 + now.month - 1 - 11  # months since year 0, eleven back
    return f"{first // 12:04d}-{first % 12 + 1:02d}", f"{now.year:04d}-{now.month:02d}"


def parse_public_filter(args: Mapping[str, str], *, lang: str = "en") -> PublicFilter:
    """Read ``from, to, category, time_of_day`` from a query; raise FilterRejected."""
    english = lang == "en"
    errors: dict[str, str] = {}
    start, end = default_months()
    start = args.get("from") or start
    end = args.get("to") or end
    try:
        coarse_period(start, end)
    except PeriodError as exc:
        field = {"start": "from", "end": "to"}[exc.field]
        errors[field] = (
            str(exc).replace("'start'", "'from'").replace("'end'", "'to'")
            if english
            else "Ange en månad som ÅÅÅÅ-MM, och en slutmånad som inte ligger före startmånaden."
        )
    category = args.get("category") or None
    if category is not None and category not in CATEGORY_CODES:
        errors["category"] = (
            f"Unknown category; expected one of {', '.join(CATEGORY_CODES)}."
            if english
            else "Okänd kategori."
        )
    time_of_day = args.get("time_of_day") or None
    if time_of_day is not None and time_of_day not in TIME_BANDS:
        errors["time_of_day"] = (
            f"Unknown time band; expected one of {', '.join(TIME_BANDS)}."
            if english
            else "Okänd tid på dygnet."
        )
    if category and time_of_day and not errors:
        errors["time_of_day"] = (
            "Choose a category or a time band, not both: the combination could single out "
            "individual concerns."
            if english
            else "Välj antingen kategori eller tid på dygnet. Kombinationen kan peka ut "
            "enskilda synpunkter."
        )
    if errors:
        raise FilterRejected(errors)
    return PublicFilter(start, end, category, time_of_day)


@dataclass(frozen=True)
class PublicAreas:
    """The published figures for one filter, and the same as GeoJSON bytes."""

    figures: dict
    geojson: bytes


def _compute(public_filter: PublicFilter) -> PublicAreas:
    layer = current_layer()
    start, end = coarse_period(public_filter.start_month, public_filter.end_month)
    groups = area_group_counts(
        get_session(), start.tz_convert(UTC).to_pydatetime(), end.tz_convert(UTC).to_pydatetime()
    )
    table = aggregate_area_counts(groups, layer.areas)
    protected = public_area_payload(table, current_app.config["K_ANONYMITY"])
    figures = filtered_public_areas(
        protected, category=public_filter.category, time_of_day=public_filter.time_of_day
    )
    figures["filter"] = public_filter.as_query()
    figures["approximate_boundaries"] = layer.approximate
    by_id = {area["id"]: area for area in figures["areas"]}
    features = [
        {
            "type": "Feature",
            "id": area_id,
            "properties": by_id[area_id],
            "geometry": json.loads(geometry),
        }
        for area_id, geometry in layer.geometry_json().items()
    ]
    document = {
        "type": "FeatureCollection",
        "features": features,
        "k": figures["k"],
        "total": figures["total"],
        "filter": figures["filter"],
        "approximate_boundaries": figures["approximate_boundaries"],
    }
    return PublicAreas(figures, json.dumps(document, ensure_ascii=False).encode())


def public_areas(public_filter: PublicFilter) -> PublicAreas:
    """The published area figures, from this worker's cache while no concern has changed."""
    key = (public_filter, current_layer().source, current_app.config["K_ANONYMITY"])
    return cached(
        "public_areas",
        key,
        lambda: _compute(public_filter),
        max_stale=current_app.config["PUBLIC_CACHE_SECONDS"],
    )
