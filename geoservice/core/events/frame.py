"""Partner event reports as rows of the concern table the analyses read (a source of its own).

Events count in hotspots, density, areas and time tables next to residents' concerns: each
event becomes one row with the columns of
:data:`geoservice.core.analysis.aggregate.REPORT_COLUMNS`, ``source`` ``"partner"``, its
first EST type's residents' category, the time band and weekday/weekend of when it
happened, and one voice per reporter (the same one-voice-per-place rule as residents).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoservice.core.analysis.aggregate import REPORT_COLUMNS
from geoservice.core.categories import EVENT_TYPE_CODES, event_type_by_code
from geoservice.core.typography import LOCAL_ZONE

__all__ = ["EVENT_COLUMNS", "PARTNER_SOURCE", "events_as_reports", "time_band", "is_weekend"]

PARTNER_SOURCE = "partner"
"""The ``source`` value of rows that come from partners' event reports."""

EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "occurred_from",
    "occurred_to",
    "lon",
    "lat",
    "area_id",
    "types",
    "seriousness",
    "reporter_id",
    "organisation",
)
"""Columns of the event table this module reads (``types`` comma-separated codes)."""

# A range up to this long still has a meaningful time of day (its middle).
_BAND_SPAN_HOURS = 4


def time_band(hour: np.ndarray) -> np.ndarray:
    """The SPEC §4 time band of local hours: day 06–18, evening 18–22, night 22–06."""
    hour = np.asarray(hour)
    return np.where(
        (hour >= 6) & (hour < 18), "day", np.where((hour >= 18) & (hour < 22), "evening", "night")
    )


def is_weekend(weekday: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """ "Helg" as the service defines it: Friday 18:00 to Monday 06:00 (local time)."""
    weekday, hour = np.asarray(weekday), np.asarray(hour)
    return (
        ((weekday == 4) & (hour >= 18))
        | (weekday == 5)
        | (weekday == 6)
        | ((weekday == 0) & (hour < 6))
    )


def events_as_reports(events: pd.DataFrame) -> pd.DataFrame:
    """Turn event reports into concern rows for the analyses.

    Parameters
    ----------
    events : pandas.DataFrame
        Columns :data:`EVENT_COLUMNS`; ``occurred_from``/``occurred_to`` tz-aware (UTC),
        ``occurred_to`` missing for an exact moment; ``lon``/``lat`` in EPSG:4326.

    Returns
    -------
    pandas.DataFrame
        Columns ``REPORT_COLUMNS`` plus ``exact_hour``. ``created_at`` is when the event
        happened (the middle of a range); the time band and weekday/weekend come from
        that moment when it is exact or the range is at most four hours, else
        ``"unknown"``/missing; ``client_key`` is one voice per reporter.
    """
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"'events' lacks the columns {missing}")
    out = pd.DataFrame(index=events.index)
    start = pd.to_datetime(events["occurred_from"], utc=True)
    end = pd.to_datetime(events["occurred_to"], utc=True)
    span = (end - start).fillna(pd.Timedelta(0))
    moment = start + span / 2
    local = moment.dt.tz_convert(LOCAL_ZONE)
    known = (span <= pd.Timedelta(hours=_BAND_SPAN_HOURS)).to_numpy()
    hours = local.dt.hour.to_numpy() if len(events) else np.array([], dtype=int)
    weekdays = local.dt.day_of_week.to_numpy() if len(events) else np.array([], dtype=int)
    out["id"] = events["id"].astype(str)
    out["created_at"] = moment
    out["lon"] = events["lon"].astype(float)
    out["lat"] = events["lat"].astype(float)
    out["precision"] = "point"
    out["kind"] = "unsafe"
    first = events["types"].map(lambda t: _first_type(t))
    out["category"] = first.map(lambda code: event_type_by_code(code).concern_category)
    out["time_of_day"] = np.where(known, time_band(hours), "unknown") if len(events) else []
    weekend = is_weekend(weekdays, hours)
    out["weekend"] = pd.Series(
        [bool(w) if k else None for w, k in zip(weekend, known, strict=True)],
        index=events.index,
        dtype=object,
    )
    out["area_id"] = events["area_id"]
    # Events are not moderated; they count as confirmed observations of a named reporter.
    out["status"] = "confirmed"
    out["client_key"] = "partner-" + events["reporter_id"].astype(str)
    out["is_demo"] = False
    out["source"] = PARTNER_SOURCE
    exact = end.isna().to_numpy()
    out["exact_hour"] = pd.Series(
        [int(h) if e else None for h, e in zip(hours, exact, strict=True)],
        index=events.index,
        dtype=object,
    )
    return out[[*REPORT_COLUMNS, "exact_hour"]]


def _first_type(types: str) -> str:
    codes = [c for c in str(types).split(",") if c]
    if not codes:
        raise ValueError("an event report without an event type")
    return min(codes, key=EVENT_TYPE_CODES.index)
