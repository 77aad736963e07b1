"""The weekly lägesbild (EST) and the tertial prioritisation, from events and concerns.

Both sources are counted side by side: partners' event reports (one per event, or per
event type in the type table) and residents' active concerns. Times are Swedish local
days; weeks run Monday to Sunday; tertials are January–April, May–August and
September–December.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import h3
import numpy as np
import pandas as pd

from geoservice.core.categories import CATEGORY_CODES, EVENT_TYPE_CODES
from geoservice.core.typography import LOCAL_ZONE

__all__ = [
    "COMPARISON_WEEKS",
    "PLACE_RESOLUTION",
    "STAND_OUT_FACTOR",
    "STAND_OUT_MINIMUM",
    "TertialRow",
    "WeeklySituation",
    "last_whole_week",
    "tertial_bounds",
    "tertial_of",
    "tertial_ranking",
    "weekly_situation",
]

COMPARISON_WEEKS = 4
"""A week is compared with the weekly mean of the four weeks before it."""

STAND_OUT_MINIMUM = 3
"""A place or area stands out with at least this many reports in the week ..."""

STAND_OUT_FACTOR = 2.0
"""... and at least this many times its weekly mean of the four weeks before."""

PLACE_RESOLUTION = 9
"""H3 resolution of "places" in the lägesbild: cells about 350 m across, a block or a square."""


def _local_midnight(day: date) -> pd.Timestamp:
    return pd.Timestamp(datetime.combine(day, time(0), LOCAL_ZONE)).tz_convert("UTC")


def last_whole_week(today: date) -> date:
    """The Monday of the last week (Monday–Sunday) that has fully passed before ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7)


@dataclass(frozen=True)
class Comparison:
    """A count this week next to the weekly mean of the comparison weeks."""

    key: str
    label: str
    this_week: int
    weekly_mean: float
    stands_out: bool


@dataclass(frozen=True)
class AreaWeek:
    """One area's week: events and concerns, each next to its weekly mean before."""

    area_id: str
    name: str
    events: int
    events_mean: float
    concerns: int
    concerns_mean: float
    stands_out: bool


@dataclass(frozen=True)
class WeeklySituation:
    """Everything the weekly lägesbild shows for one week."""

    week_start: date
    week_end: date  # the Sunday, included
    comparison_start: date
    events: int
    events_mean: float
    concerns: int
    concerns_mean: float
    areas: list[AreaWeek]
    event_types: list[Comparison]
    categories: list[Comparison]
    places: list[Comparison] = field(default_factory=list)
    organisations: dict[str, int] = field(default_factory=dict)


def _stands_out(count: int, mean: float) -> bool:
    return count >= STAND_OUT_MINIMUM and count >= STAND_OUT_FACTOR * mean


def _split(frame: pd.DataFrame, column: str, start: pd.Timestamp, end: pd.Timestamp):
    times = pd.to_datetime(frame[column], utc=True)
    week = frame.loc[(times >= end - pd.Timedelta(days=7)) & (times < end)]
    before = frame.loc[(times >= start) & (times < end - pd.Timedelta(days=7))]
    return week, before


def weekly_situation(
    events: pd.DataFrame,
    concerns: pd.DataFrame,
    areas: pd.DataFrame,
    week_start: date,
    *,
    type_labels: dict[str, str],
    category_labels: dict[str, str],
    place_name: Callable[[float, float], str],
) -> WeeklySituation:
    """The lägesbild of the week starting ``week_start`` (a Monday), against the 4 weeks before.

    Parameters
    ----------
    events : pandas.DataFrame
        Event reports with ``occurred_from`` (aware), ``lon``, ``lat``, ``area_id``,
        ``types`` (comma-separated EST codes) and ``organisation``; at least the five weeks
        asked about (more is ignored).
    concerns : pandas.DataFrame
        Residents' active concerns with ``created_at`` (aware), ``lon``, ``lat``,
        ``area_id``, ``category`` and ``precision``.
    areas : pandas.DataFrame
        The areas with ``id`` and ``name``, in display order.
    week_start : date
        The Monday the week begins on (Swedish time).
    type_labels, category_labels : dict
        Labels of the EST types and residents' categories in the reader's language.
    place_name : callable
        ``place_name(lon, lat)`` names a place for the reader (the nearest named place).

    Returns
    -------
    WeeklySituation
        Counts this week and weekly means of the four weeks before, by area, EST type and
        residents' category; the places (H3 resolution-9 cells of both sources) and areas
        that stand out: at least 3 reports in the week and at least twice the weekly mean.
    """
    if week_start.weekday() != 0:
        raise ValueError(f"week_start should be a Monday, got {week_start} ({week_start:%A})")
    start = _local_midnight(week_start - timedelta(days=7 * COMPARISON_WEEKS))
    end = _local_midnight(week_start + timedelta(days=7))
    ev_week, ev_before = _split(events, "occurred_from", start, end)
    co_week, co_before = _split(concerns, "created_at", start, end)
    n = COMPARISON_WEEKS

    area_rows = []
    for area_id, name in zip(areas["id"], areas["name"], strict=True):
        e, c = (
            int((ev_week["area_id"] == area_id).sum()),
            int((co_week["area_id"] == area_id).sum()),
        )
        e_mean = float((ev_before["area_id"] == area_id).sum()) / n
        c_mean = float((co_before["area_id"] == area_id).sum()) / n
        area_rows.append(
            AreaWeek(
                str(area_id), str(name), e, e_mean, c, c_mean, _stands_out(e + c, e_mean + c_mean)
            )
        )

    def type_counts(frame: pd.DataFrame) -> pd.Series:
        codes = frame["types"].str.split(",").explode() if len(frame) else pd.Series(dtype=str)
        return codes.value_counts()

    week_types, before_types = type_counts(ev_week), type_counts(ev_before)
    event_types = [
        Comparison(
            code,
            type_labels.get(code, code),
            int(week_types.get(code, 0)),
            float(before_types.get(code, 0)) / n,
            _stands_out(int(week_types.get(code, 0)), float(before_types.get(code, 0)) / n),
        )
        for code in EVENT_TYPE_CODES
    ]
    week_cats = co_week["category"].value_counts()
    before_cats = co_before["category"].value_counts()
    categories = [
        Comparison(
            code,
            category_labels.get(code, code),
            int(week_cats.get(code, 0)),
            float(before_cats.get(code, 0)) / n,
            _stands_out(int(week_cats.get(code, 0)), float(before_cats.get(code, 0)) / n),
        )
        for code in CATEGORY_CODES
    ]

    def cells(frame: pd.DataFrame) -> pd.Series:
        if "precision" in frame:
            frame = frame.loc[frame["precision"] != "area"]
        return pd.Series(
            [
                h3.latlng_to_cell(lat, lon, PLACE_RESOLUTION)
                for lat, lon in zip(frame["lat"], frame["lon"], strict=True)
            ],
            dtype=object,
        )

    week_cells = pd.concat([cells(ev_week), cells(co_week)]).value_counts()
    before_cells = pd.concat([cells(ev_before), cells(co_before)]).value_counts()
    places = []
    for cell, count in week_cells.items():
        mean = float(before_cells.get(cell, 0)) / n
        if _stands_out(int(count), mean):
            lat, lon = h3.cell_to_latlng(cell)
            places.append(Comparison(str(cell), place_name(lon, lat), int(count), mean, True))
    places.sort(key=lambda p: (-p.this_week, p.label))

    return WeeklySituation(
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        comparison_start=week_start - timedelta(days=7 * n),
        events=len(ev_week),
        events_mean=len(ev_before) / n,
        concerns=len(co_week),
        concerns_mean=len(co_before) / n,
        areas=area_rows,
        event_types=event_types,
        categories=categories,
        places=places,
        organisations={str(k): int(v) for k, v in ev_week["organisation"].value_counts().items()},
    )


# --- Tertial prioritisation ----------------------------------------------------------------


def tertial_of(day: date) -> tuple[int, int]:
    """(year, tertial 1–3) of a day: January–April, May–August, September–December."""
    return day.year, (day.month - 1) // 4 + 1


def tertial_bounds(year: int, tertial: int) -> tuple[date, date]:
    """First and last day of a tertial."""
    if tertial not in (1, 2, 3):
        raise ValueError(f"tertial should be 1, 2 or 3, got {tertial!r}")
    first = date(year, 4 * (tertial - 1) + 1, 1)
    after = date(year + 1, 1, 1) if tertial == 3 else date(year, 4 * tertial + 1, 1)
    return first, after - timedelta(days=1)


def previous_tertial(year: int, tertial: int) -> tuple[int, int]:
    """The tertial before ``(year, tertial)``."""
    return (year - 1, 3) if tertial == 1 else (year, tertial - 1)


@dataclass(frozen=True)
class TertialRow:
    """One area's place in the tertial ranking."""

    rank: int
    area_id: str
    name: str
    population: int | None
    events: int
    concerns: int
    rate_per_1000: float | None
    previous_rate_per_1000: float | None
    previous_rank: int | None

    @property
    def change(self) -> float | None:
        """Change of the rate per 1 000 residents since the previous tertial."""
        if self.rate_per_1000 is None or self.previous_rate_per_1000 is None:
            return None
        return self.rate_per_1000 - self.previous_rate_per_1000


def _tertial_counts(events, concerns, areas, first: date, last: date) -> pd.DataFrame:
    start, end = _local_midnight(first), _local_midnight(last + timedelta(days=1))
    ev_t = pd.to_datetime(events["occurred_from"], utc=True)
    co_t = pd.to_datetime(concerns["created_at"], utc=True)
    ev = events.loc[(ev_t >= start) & (ev_t < end), "area_id"].value_counts()
    co = concerns.loc[(co_t >= start) & (co_t < end), "area_id"].value_counts()
    table = pd.DataFrame({"id": areas["id"].astype(str).to_numpy()})
    table["name"] = areas["name"].to_numpy()
    table["population"] = pd.to_numeric(areas["population"], errors="coerce").to_numpy()
    table["events"] = table["id"].map(ev).fillna(0).astype(int)
    table["concerns"] = table["id"].map(co).fillna(0).astype(int)
    population = table["population"].where(table["population"] > 0)
    table["rate"] = (table["events"] + table["concerns"]) / population * 1000
    table = table.sort_values(["rate", "name"], ascending=[False, True], na_position="last")
    table["rank"] = np.arange(1, len(table) + 1)
    return table.set_index("id")


def tertial_ranking(
    events: pd.DataFrame, concerns: pd.DataFrame, areas: pd.DataFrame, year: int, tertial: int
) -> list[TertialRow]:
    """Areas ranked by events and concerns per 1 000 residents over a tertial.

    Parameters
    ----------
    events, concerns : pandas.DataFrame
        As for :func:`weekly_situation`; covering this tertial and the one before.
    areas : pandas.DataFrame
        ``id``, ``name``, ``population``; an area without population gets no rate and
        ranks last.
    year, tertial : int
        Which tertial (1: January–April, 2: May–August, 3: September–December).

    Returns
    -------
    list of TertialRow
        Highest rate first, with the previous tertial's rate and rank for the change.
    """
    now = _tertial_counts(events, concerns, areas, *tertial_bounds(year, tertial))
    before = _tertial_counts(
        events, concerns, areas, *tertial_bounds(*previous_tertial(year, tertial))
    )

    def rate(value) -> float | None:
        return None if pd.isna(value) else float(value)

    rows = []
    for area_id, row in now.iterrows():
        prev = before.loc[area_id]
        rows.append(
            TertialRow(
                rank=int(row["rank"]),
                area_id=str(area_id),
                name=str(row["name"]),
                population=None if pd.isna(row["population"]) else int(row["population"]),
                events=int(row["events"]),
                concerns=int(row["concerns"]),
                rate_per_1000=rate(row["rate"]),
                previous_rate_per_1000=rate(prev["rate"]),
                previous_rank=int(prev["rank"]) if rate(prev["rate"]) is not None else None,
            )
        )
    return rows
