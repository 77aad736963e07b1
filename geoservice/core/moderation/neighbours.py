"""Concerns close to a concern in place and time: the moderator's possible duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely import points

__all__ = ["DUPLICATE_DAYS", "DUPLICATE_RADIUS_M", "near_in_place_and_time"]

DUPLICATE_RADIUS_M = 50.0
"""How far apart two pinned concerns may be and still be one place (metres)."""
DUPLICATE_DAYS = 30
"""How many days apart two concerns may be and still be one event."""


def near_in_place_and_time(
    candidates: pd.DataFrame,
    *,
    lat: float,
    lon: float,
    at: datetime,
    radius_m: float = DUPLICATE_RADIUS_M,
    days: int = DUPLICATE_DAYS,
) -> pd.DataFrame:
    """Candidates within ``radius_m`` metres and ``days`` days of a concern, nearest first.

    Parameters
    ----------
    candidates : DataFrame
        Columns ``id``, ``lat``, ``lon`` (WGS 84, EPSG:4326) and ``created_at`` (UTC).
    lat, lon : float
        The concern's point in EPSG:4326.
    at : datetime
        When the concern came in (UTC).
    radius_m : float
        Distance limit, measured in SWEREF 99 TM (EPSG:3006).
    days : int
        Time limit either side of ``at``.

    Returns
    -------
    DataFrame
        The matching rows with a ``distance_m`` column (whole metres), nearest first.
    """
    required = {"id", "lat", "lon", "created_at"}
    missing = required - set(candidates.columns)
    if missing:
        raise ValueError(
            f"'candidates' should have columns {sorted(required)}, missing {sorted(missing)}"
        )
    if radius_m <= 0 or days <= 0:
        raise ValueError(f"'radius_m' and 'days' should be positive, got {radius_m} and {days}")
    if candidates.empty:
        return candidates.assign(distance_m=pd.Series(dtype="int64"))
    when = pd.to_datetime(candidates["created_at"], utc=True)
    centre = (
        pd.Timestamp(at).tz_localize("UTC") if pd.Timestamp(at).tzinfo is None else pd.Timestamp(at)
    )
    in_time = (when - centre).abs() <= pd.Timedelta(timedelta(days=days))
    frame = candidates.loc[in_time.to_numpy()]
    if frame.empty:
        return frame.assign(distance_m=pd.Series(dtype="int64"))
    geoms = gpd.GeoSeries(
        points(np.column_stack([frame["lon"].to_numpy(), frame["lat"].to_numpy()])),
        crs="EPSG:4326",
        index=frame.index,
    ).to_crs("EPSG:3006")
    here = gpd.GeoSeries(points([[lon, lat]]), crs="EPSG:4326").to_crs("EPSG:3006").iloc[0]
    distance = geoms.distance(here)
    close = distance <= radius_m
    result = frame.loc[close].assign(distance_m=distance[close].round().astype("int64"))
    return result.sort_values(["distance_m", "created_at"])
