"""Public insight: area figures for one published month, k-protected, computed once a day."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app

from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.periods import (
    PublicationPeriod,
    latest_published,
    parse_period,
    published_periods,
)
from geoservice.core.privacy.publish import filtered_public_areas, publish_period
from geoservice.core.privacy.suppression import LOCAL_ZONE, PeriodError
from geoservice.store.aggregates import period_rows
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.demo import has_demo_reports
from geoservice.store.publication.frozen import first_publication
from geoservice.web.cache import cached


def local_today() -> date:
    """Today in Mellerud: the day public figures are published for."""
    return datetime.now(UTC).astimezone(LOCAL_ZONE).date()


class FilterRejected(ValueError):
    """A public filter broke a rule; ``errors`` maps each query parameter to a message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__(str(self.errors))


@dataclass(frozen=True)
class PublicFilter:
    """A coarse public filter: one published month, and at most one category or time band."""

    period: PublicationPeriod
    category: str | None = None
    time_of_day: str | None = None

    @property
    def start_month(self) -> str:
        return self.period.label

    @property
    def end_month(self) -> str:
        return self.period.label

    def as_query(self) -> dict[str, str]:
        query = {"from": self.period.label, "to": self.period.label}
        if self.category:
            query["category"] = self.category
        if self.time_of_day:
            query["time_of_day"] = self.time_of_day
        return query


def default_months(today: datetime | None = None) -> tuple[str, str]:
    """The latest published month, as ``from`` and ``to``: the month before this one."""
    day = (today or datetime.now(UTC)).astimezone(LOCAL_ZONE).date()
    label = latest_published(day).label
    return label, label


def month_choices(today: date | None = None, count: int = 24) -> list[PublicationPeriod]:
    """The published months a page offers, newest first."""
    return published_periods(today or local_today(), count)


def parse_public_filter(args: Mapping[str, str], *, lang: str = "en") -> PublicFilter:
    """Read ``from, to, category, time_of_day`` from a query; raise FilterRejected.

    ``from`` names one published month (default: the latest); ``to`` may repeat it or
    be left out. A range of several months is refused: its sums, set against the
    months inside it, would give away the months' hidden cells.
    """
    english = lang == "en"
    errors: dict[str, str] = {}
    today = local_today()
    latest = latest_published(today).label
    start = args.get("from") or args.get("to") or latest
    end = args.get("to") or start
    period = None
    try:
        period = parse_period(start, today, "from")
    except PeriodError as exc:
        errors["from"] = (
            str(exc)
            if english
            else f"Ange en månad som ÅÅÅÅ-MM som redan är slut. Siffrorna för en månad "
            f"publiceras dagen efter att den slutat; den senaste är {latest}."
        )
    if period is not None and end.strip() != period.label:
        errors["to"] = (
            "Figures are published for one whole month at a time: leave 'to' out or give "
            "the same month as 'from'. Sums over several months could be set against the "
            "months inside them to work out hidden figures."
            if english
            else "Siffrorna visas för en hel månad i taget. Sammanräknade månader skulle "
            "kunna jämföras med månaderna var för sig och avslöja dolda siffror."
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
    return PublicFilter(period, category, time_of_day)


@dataclass(frozen=True)
class PublicAreas:
    """The published figures for one filter, and the same as GeoJSON bytes."""

    figures: dict
    geojson: bytes


def period_publication(period: PublicationPeriod) -> dict:
    """The protected table of one published month: as first published, never recomputed."""
    layer = current_layer()
    k = current_app.config["K_ANONYMITY"]
    session = get_session()

    def compute() -> dict:
        start, stop = period.bounds()
        rows = period_rows(
            session,
            start.tz_convert(UTC).to_pydatetime(),
            stop.tz_convert(UTC).to_pydatetime(),
        )
        return publish_period(rows, layer.areas, k)

    def stored() -> dict:
        return first_publication(
            session,
            period=period.label,
            layer_source=layer.source,
            k=k,
            with_demo=has_demo_reports(session),
            compute=compute,
        )

    return cached(
        "public_period", (period, layer.source, k), stored, version=local_today().toordinal()
    )


def _compute(public_filter: PublicFilter) -> PublicAreas:
    layer = current_layer()
    protected = period_publication(public_filter.period)
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
    """The published area figures, computed at most once a day by each worker.

    The figures count whole months that are over, so nothing written today belongs in
    them; keying the cache by the day (not by the data version) keeps a revision, such
    as an erased concern of last month, from showing before tomorrow either.
    """
    key = (public_filter, current_layer().source, current_app.config["K_ANONYMITY"])
    return cached(
        "public_areas",
        key,
        lambda: _compute(public_filter),
        version=local_today().toordinal(),
    )
