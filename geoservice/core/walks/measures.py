"""Before/after figures around a walk action's place, for the follow-up list of measures.

An action of a safety walk concerns one spot (a lamp, a path). Its figures count what was
reported within a radius of that spot — residents' concerns and partners' events — in two
windows of equal length before and after the action (the day it was done, or the walk's
day while it is not), with the same window rule as the action plan's activities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import Transformer

from geoservice.core.reporting.followup import equal_windows
from geoservice.core.typography import LOCAL_ZONE

__all__ = ["NEARBY_RADIUS_M", "NearbyFollowUp", "nearby_before_after"]

NEARBY_RADIUS_M = 200
"""Reports within this many metres of an action's spot count for its before/after figures."""

_TO_METRES = Transformer.from_crs(4326, 3006, always_xy=True)


@dataclass(frozen=True)
class NearbyFollowUp:
    """Reports near a spot in the windows before and after a measure."""

    before_start: dt.date
    start: dt.date
    after_end: dt.date  # exclusive
    before: int
    after: int
    radius_m: int

    @property
    def days(self) -> int:
        """Length of each window in days."""
        return (self.after_end - self.start).days


def _midnight(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(dt.datetime.combine(day, dt.time(0), LOCAL_ZONE)).tz_convert("UTC")


def nearby_before_after(
    reports: pd.DataFrame,
    lon: float,
    lat: float,
    start: dt.date,
    today: dt.date,
    *,
    radius_m: int = NEARBY_RADIUS_M,
) -> NearbyFollowUp:
    """Count reports within ``radius_m`` of a point before and after ``start``.

    Parameters
    ----------
    reports : pandas.DataFrame
        ``lon``, ``lat`` (EPSG:4326) and ``created_at`` (aware) of every report to count:
        active concerns and events together.
    lon, lat : float
        The measure's spot in EPSG:4326.
    start : datetime.date
        The day the measure took effect.
    today : datetime.date
        Today in Sweden; today itself is not counted.
    radius_m : int
        Radius in metres, measured in SWEREF 99 TM (EPSG:3006).

    Raises
    ------
    geoservice.core.reporting.followup.FollowUpUnavailable
        When ``start`` is today or later (no complete day after it yet).
    """
    before_start, _before_end, _after_start, after_end = equal_windows(start, None, today)
    x0, y0 = _TO_METRES.transform(lon, lat)
    if len(reports):
        x, y = _TO_METRES.transform(reports["lon"].to_numpy(), reports["lat"].to_numpy())
        near = np.hypot(np.asarray(x) - x0, np.asarray(y) - y0) <= radius_m
    else:
        near = np.zeros(0, dtype=bool)
    times = pd.to_datetime(pd.Series(reports["created_at"]), utc=True).reset_index(drop=True)
    b0, s, a1 = (_midnight(d) for d in (before_start, start, after_end))
    before = int(np.sum(near & ((times >= b0) & (times < s)).to_numpy()))
    after = int(np.sum(near & ((times >= s) & (times < a1)).to_numpy()))
    return NearbyFollowUp(before_start, start, after_end, before, after, radius_m)
