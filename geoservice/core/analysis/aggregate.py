"""Counts and rates per area, with category and time-band mix and trend (SPEC §6).

Reports arrive as a :class:`pandas.DataFrame` with the columns listed in
:data:`REPORT_COLUMNS` (``created_at`` tz-aware, ``lon``/``lat`` in EPSG:4326); areas
as a GeoDataFrame with ``id``, ``name`` and ``population``. Nothing here applies
k-anonymity: everything returned is for staff or for :mod:`geoservice.core.privacy.suppression`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import numpy as np
import pandas as pd

from geoservice.core.categories import (
    CATEGORY_CODES,
    EXCLUDED_STATUSES,
    KINDS,
    SAFE_REASON_CODES,
    TIME_BANDS,
)

__all__ = [
    "AREA_COLUMNS",
    "REPORT_COLUMNS",
    "active_reports",
    "aggregate_area_counts",
    "aggregate_areas",
    "filter_reports",
    "previous_period",
]

REPORT_COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "lon",
    "lat",
    "precision",
    "kind",
    "category",
    "time_of_day",
    "weekend",
    "area_id",
    "status",
    "client_key",
    "is_demo",
    "source",
)
"""Columns of the report table the core works on."""

AREA_COLUMNS: tuple[str, ...] = ("id", "name", "population")
"""Columns an area table needs besides its geometry."""

TimeLike = pd.Timestamp | dt.datetime | dt.date | str


def _require_columns(df: pd.DataFrame, columns: Collection[str], name: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"'{name}' should be a DataFrame, got {type(df)}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"'{name}' is missing column(s): {', '.join(missing)}")


def _timestamp(value: TimeLike, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"'{name}' should be a date or time, got {value!r}") from exc
    if ts is pd.NaT:
        raise ValueError(f"'{name}' should be a date or time, got {value!r}")
    # A naive bound is read as UTC, the time zone reports are stored in.
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts


def _period(start: TimeLike, end: TimeLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    start_ts, end_ts = _timestamp(start, "start"), _timestamp(end, "end")
    if not start_ts < end_ts:
        raise ValueError(f"'start' should be before 'end', got {start_ts} and {end_ts}")
    return start_ts, end_ts


def _one_or_many(value: str | Collection[str] | None, allowed: Collection[str], name: str):
    if value is None:
        return None
    values = {value} if isinstance(value, str) else set(value)
    unknown = sorted(values - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown {name} {', '.join(map(repr, unknown))}; expected one of {', '.join(allowed)}"
        )
    return values


def previous_period(start: TimeLike, end: TimeLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the period of equal length just before ``[start, end)``.

    Parameters
    ----------
    start, end : timestamp-like
        The current period, ``start`` inclusive and ``end`` exclusive. Naive values are
        read as UTC.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        ``[start - (end - start), start)``.
    """
    start_ts, end_ts = _period(start, end)
    return start_ts - (end_ts - start_ts), start_ts


def active_reports(df: pd.DataFrame) -> pd.DataFrame:
    """Drop reports that moderation took out of every aggregate.

    Parameters
    ----------
    df : pandas.DataFrame
        Reports with a ``status`` column.

    Returns
    -------
    pandas.DataFrame
        The rows whose status is not in
        :data:`~geoservice.core.categories.EXCLUDED_STATUSES` (spam, duplicate,
        not relevant).
    """
    _require_columns(df, ["status"], "df")
    return df.loc[~df["status"].isin(EXCLUDED_STATUSES)]


def filter_reports(
    df: pd.DataFrame,
    start: TimeLike,
    end: TimeLike,
    category: str | Collection[str] | None = None,
    time_of_day: str | Collection[str] | None = None,
    kind: str | None = "unsafe",
    weekend: bool | None = None,
) -> pd.DataFrame:
    """Select reports by period and filters.

    Parameters
    ----------
    df : pandas.DataFrame
        Reports; ``created_at`` must be tz-aware.
    start, end : timestamp-like
        Period ``[start, end)`` on ``created_at``. Naive values are read as UTC.
    category : str or collection of str, optional
        Category code(s) to keep; all when None.
    time_of_day : str or collection of str, optional
        Time band(s) to keep; a missing band counts as ``"unknown"``. All when None.
    kind : {"unsafe", "safe"} or None, default "unsafe"
        Which kind of place; both when None.
    weekend : bool, optional
        Keep only weekend (True) or weekday (False) reports; reports without the answer
        are dropped by either. All when None.

    Returns
    -------
    pandas.DataFrame
        The matching rows, ``time_of_day`` filled with ``"unknown"`` where missing.
        Moderation status is not looked at; see :func:`active_reports`.

    Raises
    ------
    ValueError
        On a missing column, naive ``created_at``, an empty or reversed period, or an
        unknown category, band or kind.
    """
    _require_columns(df, ["created_at", "category", "time_of_day", "kind", "weekend"], "df")
    start_ts, end_ts = _period(start, end)
    categories = _one_or_many(category, CATEGORY_CODES, "category")
    bands = _one_or_many(time_of_day, TIME_BANDS, "time_of_day")
    kinds = _one_or_many(kind, KINDS, "kind")
    if weekend is not None and not isinstance(weekend, bool | np.bool_):
        raise ValueError(f"'weekend' should be True, False or None, got {weekend!r}")

    bands_col = df["time_of_day"].fillna("unknown")
    if not len(df):
        return df.assign(time_of_day=bands_col)
    created = df["created_at"]
    if not isinstance(created.dtype, pd.DatetimeTZDtype):
        raise ValueError(f"'created_at' should be tz-aware datetimes (UTC), got {created.dtype}")
    keep = (created >= start_ts) & (created < end_ts)
    if categories is not None:
        keep &= df["category"].isin(categories)
    if bands is not None:
        keep &= bands_col.isin(bands)
    if kinds is not None:
        keep &= df["kind"].isin(kinds)
    if weekend is not None:
        keep &= df["weekend"].eq(bool(weekend)).fillna(False).astype(bool)
    out = df.loc[keep].copy()
    out["time_of_day"] = bands_col.loc[keep]
    return out


def _mix(reports: pd.DataFrame, column: str, codes: tuple[str, ...], area_ids: pd.Index):
    unknown = sorted(set(reports[column].dropna()) - set(codes))
    if unknown or reports[column].isna().any():
        shown = ", ".join(map(repr, unknown)) if unknown else "missing values"
        raise ValueError(f"unknown {column} in reports: {shown}")
    table = (
        pd.crosstab(reports["area_id"], reports[column], values=reports["n"], aggfunc="sum")
        if len(reports)
        else pd.DataFrame(dtype=np.int64)
    )
    table = table.fillna(0)
    table = table.reindex(index=area_ids, columns=list(codes), fill_value=0).astype(np.int64)
    return [dict(zip(codes, row, strict=True)) for row in table.to_numpy().tolist()]


def aggregate_areas(
    df: pd.DataFrame,
    areas: pd.DataFrame,
    start: TimeLike,
    end: TimeLike,
    *,
    category: str | Collection[str] | None = None,
    time_of_day: str | Collection[str] | None = None,
    kind: str | None = "unsafe",
    weekend: bool | None = None,
) -> pd.DataFrame:
    """Count active reports per area, with rate, mixes and trend.

    Parameters
    ----------
    df : pandas.DataFrame
        Reports (see :data:`REPORT_COLUMNS`). Reports with a status in
        ``EXCLUDED_STATUSES``, or whose ``area_id`` is missing or not in ``areas``, are
        not counted.
    areas : geopandas.GeoDataFrame or pandas.DataFrame
        Areas with unique ``id``, ``name`` and ``population``; the geometry is not used.
    start, end : timestamp-like
        The period ``[start, end)``. The trend compares it with
        ``[start - (end - start), start)``.
    category, time_of_day, kind, weekend
        Filters, as in :func:`filter_reports`, applied to both periods.

    Returns
    -------
    pandas.DataFrame
        One row per area, in the order of ``areas``, zeros included, with columns:

        - ``area_id``, ``name``, ``population``
        - ``count``: reports in the period (int)
        - ``rate_per_1000``: ``count / population * 1000``; None when the population is
          0 or missing
        - ``previous_count``: reports in the previous period of equal length (int)
        - ``change``: ``count - previous_count`` (int)
        - ``trend``: ``count / previous_count`` (1.5 = half as many again); None when
          ``previous_count`` is 0
        - ``category_mix``: dict category code -> count, every code present: the
          unsafe categories for ``kind="unsafe"``; otherwise both lists, apart by
          code (safe places stored before they had reasons carry unsafe categories)
        - ``time_band_mix``: dict time band -> count, every band present

    Raises
    ------
    ValueError
        On missing columns, duplicate area ids, a bad period or filter, or reports with
        a category or time band not in :mod:`~geoservice.core.categories`.
    """
    _require_columns(df, REPORT_COLUMNS, "df")
    _require_columns(areas, AREA_COLUMNS, "areas")
    if areas["id"].duplicated().any():
        dupes = sorted(map(str, areas.loc[areas["id"].duplicated(), "id"].unique()))
        raise ValueError(f"'areas' has duplicate id(s): {', '.join(dupes)}")
    prev_start, start_ts = previous_period(start, end)
    end_ts = _timestamp(end, "end")
    filters = {"category": category, "time_of_day": time_of_day, "kind": kind, "weekend": weekend}

    area_ids = pd.Index(areas["id"].tolist(), dtype=object)
    active = active_reports(df)
    active = active.loc[active["area_id"].isin(area_ids)] if len(active) else active
    current = filter_reports(active, start_ts, end_ts, **filters)
    previous = filter_reports(active, prev_start, start_ts, **filters)
    groups = pd.concat(
        [_group_counts(current, "current"), _group_counts(previous, "previous")],
        ignore_index=True,
    )
    # Safe places stored before they had reasons of their own carry unsafe categories.
    codes = CATEGORY_CODES if kind == "unsafe" else (*CATEGORY_CODES, *SAFE_REASON_CODES)
    return aggregate_area_counts(groups, areas, category_codes=codes)


GROUP_COLUMNS: tuple[str, ...] = ("area_id", "category", "time_of_day", "period", "n")
"""Columns of a pre-counted table: how many reports per area, category, band and period."""


def _group_counts(reports: pd.DataFrame, period: str) -> pd.DataFrame:
    if not len(reports):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in GROUP_COLUMNS})
    counted = (
        reports.groupby(["area_id", "category", "time_of_day"], dropna=False)
        .size()
        .rename("n")
        .reset_index()
    )
    counted["period"] = period
    return counted[list(GROUP_COLUMNS)]


def aggregate_area_counts(
    groups: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    category_codes: tuple[str, ...] = CATEGORY_CODES,
) -> pd.DataFrame:
    """Build the per-area table of :func:`aggregate_areas` from pre-counted groups.

    The database can count a million reports far faster than they can be loaded, so the
    store hands over counts per (area, category, time band, period) and this function
    does the rest.

    Parameters
    ----------
    groups : pandas.DataFrame
        Columns :data:`GROUP_COLUMNS`; ``period`` is ``"current"`` or ``"previous"``,
        ``n`` the number of active, filtered reports in that group. Groups whose area is
        not in ``areas`` are ignored.
    areas : pandas.DataFrame
        Areas with unique ``id``, ``name`` and ``population``.
    category_codes : tuple of str, default CATEGORY_CODES
        The codes the groups may carry and the mix lists (safe-place reasons are a
        list of their own, see :func:`~geoservice.core.categories.codes_for_kind`).

    Returns
    -------
    pandas.DataFrame
        As :func:`aggregate_areas`.
    """
    _require_columns(groups, GROUP_COLUMNS, "groups")
    _require_columns(areas, AREA_COLUMNS, "areas")
    area_ids = pd.Index(areas["id"].tolist(), dtype=object)
    groups = groups.loc[groups["area_id"].isin(area_ids)].copy()
    groups["time_of_day"] = groups["time_of_day"].fillna("unknown")
    groups["n"] = pd.to_numeric(groups["n"]).astype(np.int64)
    current = groups.loc[groups["period"] == "current"]
    previous = groups.loc[groups["period"] == "previous"]

    def per_area(counted: pd.DataFrame) -> np.ndarray:
        sums = counted.groupby("area_id")["n"].sum() if len(counted) else pd.Series(dtype=int)
        return sums.reindex(area_ids, fill_value=0).to_numpy(dtype=np.int64)

    count = per_area(current)
    previous_count = per_area(previous)
    population = pd.to_numeric(areas["population"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = count / population * 1000.0
        trend = count / previous_count
    rate_ok = np.isfinite(population) & (population > 0)
    return pd.DataFrame(
        {
            "area_id": areas["id"].to_numpy(dtype=object),
            "name": areas["name"].to_numpy(dtype=object),
            "population": areas["population"].to_numpy(),
            "count": count,
            "rate_per_1000": pd.Series(
                [float(r) if ok else None for r, ok in zip(rate, rate_ok, strict=True)],
                dtype=object,
            ),
            "previous_count": previous_count,
            "change": count - previous_count,
            "trend": pd.Series(
                [float(t) if p > 0 else None for t, p in zip(trend, previous_count, strict=True)],
                dtype=object,
            ),
            "category_mix": _mix(current, "category", category_codes, area_ids),
            "time_band_mix": _mix(current, "time_of_day", TIME_BANDS, area_ids),
        }
    )


WEEK_PARTS: tuple[str, ...] = ("weekday", "weekend", "unknown")
"""Columns of :func:`band_week_table`: weekday, weekend, or not said."""


def band_week_table(df: pd.DataFrame) -> pd.DataFrame:
    """Count reports per time band (rows) and weekday/weekend (columns).

    Parameters
    ----------
    df : pandas.DataFrame
        Reports with ``time_of_day`` and ``weekend`` (True, False or missing).

    Returns
    -------
    pandas.DataFrame
        Index :data:`~geoservice.core.categories.TIME_BANDS`, columns :data:`WEEK_PARTS`,
        int counts, zeros included.
    """
    _require_columns(df, ["time_of_day", "weekend"], "df")
    bands = df["time_of_day"].fillna("unknown")
    part = df["weekend"].map({True: "weekend", False: "weekday"}).fillna("unknown")
    table = pd.crosstab(bands, part) if len(df) else pd.DataFrame(dtype=np.int64)
    return table.reindex(index=list(TIME_BANDS), columns=list(WEEK_PARTS), fill_value=0).astype(
        np.int64
    )
