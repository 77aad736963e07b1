"""Time in the *lägesbild*: months, the same period a year earlier, seasons, zone trends.

Brå's guidance for a *lägesbild* asks for the trend over time, a comparison with earlier
figures and patterns by time of day, weekday and season. Everything here counts the
concerns it is given (the caller passes moderated, unsafe concerns) by **local** calendar
time in ``Europe/Stockholm``: a concern sent at 23:30 UTC on 31 March belongs to April.

Definitions
-----------
Months
    The ``months`` calendar months ending with the month that holds the period's last
    day, oldest first; the last month counts only up to that day (``partial``).
Same period a year earlier
    The local days ``start`` and ``end`` one year back (29 February becomes 28 February).
Seasons
    Winter December–February, spring March–May, summer June–August, autumn
    September–November, over the months of the series.
Zone trends
    A zone's concerns per month of the series (exact points only: a concern given as a
    whole area lies in no zone), classified by
    :func:`~geoservice.core.analysis.emerging.emerging_trends`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from geoservice.core.analysis.emerging import ZoneTrend, emerging_trends
from geoservice.core.analysis.hexgrid import cells_for_points
from geoservice.core.privacy.suppression import PUBLIC_TIME_ZONE

__all__ = [
    "SEASONS",
    "MonthlySeries",
    "YearComparison",
    "ZoneInput",
    "compare_with_year_before",
    "local_months",
    "monthly_series",
    "season_table",
    "year_before",
    "zone_trends",
]

SEASONS: dict[str, tuple[str, str]] = {
    "winter": ("Vinter (dec–feb)", "Winter (Dec–Feb)"),
    "spring": ("Vår (mar–maj)", "Spring (Mar–May)"),
    "summer": ("Sommar (jun–aug)", "Summer (Jun–Aug)"),
    "autumn": ("Höst (sep–nov)", "Autumn (Sep–Nov)"),
}
"""Season code to its Swedish and English name."""

_SEASON_OF_MONTH = {
    12: "winter",
    1: "winter",
    2: "winter",
    3: "spring",
    4: "spring",
    5: "spring",
    6: "summer",
    7: "summer",
    8: "summer",
    9: "autumn",
    10: "autumn",
    11: "autumn",
}


def local_months(created_at: pd.Series) -> pd.Series:
    """Return the local calendar month (``pandas.Period``, freq ``M``) of each moment.

    Parameters
    ----------
    created_at : pandas.Series
        Time-zone-aware moments (naive ones are read as UTC).
    """
    moments = pd.to_datetime(created_at, utc=True)
    return moments.dt.tz_convert(PUBLIC_TIME_ZONE).dt.tz_localize(None).dt.to_period("M")


def year_before(day: dt.date) -> dt.date:
    """The same day one year earlier; 29 February becomes 28 February."""
    return (pd.Timestamp(day) - pd.DateOffset(years=1)).date()


@dataclass(frozen=True, eq=False)
class MonthlySeries:
    """Concerns per local month, oldest first.

    Attributes
    ----------
    months : tuple of pandas.Period
        The months of the series.
    partial : bool
        Whether the last month ends before its last day (the period ends mid-month).
    total : numpy.ndarray
        Concerns per month.
    by_category, by_area : pandas.DataFrame
        Index the months, one int column per category code / area id given, zeros
        included.
    """

    months: tuple[pd.Period, ...]
    partial: bool
    total: np.ndarray
    by_category: pd.DataFrame
    by_area: pd.DataFrame


def _month_window(end: dt.date, months: int) -> pd.PeriodIndex:
    last = pd.Period(end, freq="M")
    return pd.period_range(last - (months - 1), last, freq="M")


def _counts(month: pd.Series, key: pd.Series, window: pd.PeriodIndex, codes) -> pd.DataFrame:
    if not len(month):
        return pd.DataFrame(0, index=window, columns=list(codes), dtype=np.int64)
    table = pd.crosstab(month, key)
    return table.reindex(index=window, columns=list(codes), fill_value=0).astype(np.int64)


def monthly_series(
    df: pd.DataFrame,
    *,
    end: dt.date,
    categories: Sequence[str],
    area_ids: Sequence[str],
    months: int = 24,
) -> MonthlySeries:
    """Count concerns per local month for the ``months`` months ending with ``end``'s.

    Parameters
    ----------
    df : pandas.DataFrame
        Concerns with ``created_at``, ``category`` and ``area_id``; only those up to the
        end of the local day ``end`` are counted.
    end : datetime.date
        The period's last day.
    categories, area_ids : sequence of str
        Columns of the per-category and per-area tables, in order.
    months : int, default 24

    Returns
    -------
    MonthlySeries
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError(f"'months' should be a positive int, got {months!r}")
    missing = [c for c in ("created_at", "category", "area_id") if c not in df.columns]
    if missing:
        raise ValueError(f"'df' is missing column(s): {', '.join(missing)}")
    window = _month_window(end, months)
    month = local_months(df["created_at"]) if len(df) else pd.Series([], dtype="period[M]")
    local_day = (
        pd.to_datetime(df["created_at"], utc=True).dt.tz_convert(PUBLIC_TIME_ZONE).dt.date
        if len(df)
        else pd.Series([], dtype=object)
    )
    keep = (month >= window[0]) & (month <= window[-1]) & (local_day <= end)
    month, rows = month[keep], df.loc[keep]
    by_category = _counts(month, rows["category"], window, categories)
    by_area = _counts(month, rows["area_id"].fillna(""), window, area_ids)
    total = _counts(month, pd.Series("all", index=rows.index), window, ["all"])["all"]
    last_day = (window[-1].end_time.normalize()).date()
    return MonthlySeries(
        months=tuple(window),
        partial=end < last_day,
        total=total.to_numpy(),
        by_category=by_category,
        by_area=by_area,
    )


@dataclass(frozen=True, eq=False)
class YearComparison:
    """This period next to the same days a year earlier.

    Attributes
    ----------
    start, end : datetime.date
        The earlier days.
    count, earlier : int
        Concerns in this period and in the earlier one.
    change_pct : float or None
        None when the earlier period had none.
    categories, areas : pandas.DataFrame
        ``code`` (category code / area id), ``count``, ``earlier``, ``change``,
        ``change_pct`` (None when ``earlier`` is 0); every code given, in order.
    """

    start: dt.date
    end: dt.date
    count: int
    earlier: int
    change_pct: float | None
    categories: pd.DataFrame
    areas: pd.DataFrame


def _pct(count: int, earlier: int) -> float | None:
    return (count - earlier) / earlier * 100.0 if earlier else None


def _compare(now: pd.Series, then: pd.Series, codes: Sequence[str]) -> pd.DataFrame:
    a = now.value_counts().reindex(list(codes), fill_value=0).astype(int)
    b = then.value_counts().reindex(list(codes), fill_value=0).astype(int)
    return pd.DataFrame(
        {
            "code": list(codes),
            "count": a.to_numpy(),
            "earlier": b.to_numpy(),
            "change": (a - b).to_numpy(),
            "change_pct": pd.Series(
                [_pct(int(x), int(y)) for x, y in zip(a, b, strict=True)], dtype=object
            ),
        }
    )


def compare_with_year_before(
    current: pd.DataFrame,
    earlier: pd.DataFrame,
    *,
    start: dt.date,
    end: dt.date,
    categories: Sequence[str],
    area_ids: Sequence[str],
) -> YearComparison:
    """Compare this period's concerns with those of the same days a year earlier.

    Parameters
    ----------
    current, earlier : pandas.DataFrame
        The two periods' concerns (``category``, ``area_id``), already selected.
    start, end : datetime.date
        This period's days; the earlier ones are derived with :func:`year_before`.
    categories, area_ids : sequence of str
        Rows of the two tables, in order.
    """
    return YearComparison(
        start=year_before(start),
        end=year_before(end),
        count=len(current),
        earlier=len(earlier),
        change_pct=_pct(len(current), len(earlier)),
        categories=_compare(current["category"], earlier["category"], categories),
        areas=_compare(current["area_id"], earlier["area_id"], area_ids),
    )


def season_table(series: MonthlySeries) -> pd.DataFrame:
    """Concerns per season over the series' months.

    Returns
    -------
    pandas.DataFrame
        ``code`` (:data:`SEASONS`), ``count``, ``months`` (months of the series in that
        season) and ``per_month`` (None without months), in the order of :data:`SEASONS`.
    """
    seasons = [_SEASON_OF_MONTH[m.month] for m in series.months]
    rows = []
    for code in SEASONS:
        picked = [i for i, s in enumerate(seasons) if s == code]
        count = int(series.total[picked].sum()) if picked else 0
        rows.append(
            {
                "code": code,
                "count": count,
                "months": len(picked),
                "per_month": count / len(picked) if picked else None,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class ZoneInput:
    """A hot zone to follow over time: an id, its place name and its H3 cells."""

    zone_id: str
    name: str
    cells: npt.NDArray[np.uint64]


def zone_trends(
    df: pd.DataFrame,
    zones: Sequence[ZoneInput],
    series: MonthlySeries,
    *,
    end: dt.date,
    months: int | None = None,
    since: dt.date | None = None,
) -> list[tuple[ZoneInput, np.ndarray, ZoneTrend]]:
    """Count each zone's concerns per month and classify how they run.

    Parameters
    ----------
    df : pandas.DataFrame
        Concerns with ``created_at``, ``lon``, ``lat`` (EPSG:4326) and ``precision``.
    zones : sequence of ZoneInput
    series : MonthlySeries
        Gives the months counted.
    end : datetime.date
        The period's last day; later concerns are not counted.
    months : int, optional
        Use only the last ``months`` months of the series (default all).
    since : datetime.date, optional
        The service's first day: months before its month are left out, so that the
        months before anyone could send a concern do not read as a rise.

    Returns
    -------
    list of (ZoneInput, numpy.ndarray, ZoneTrend)
        Each zone with its monthly counts and its class, in the order given.
    """
    window = list(series.months)[-(months or len(series.months)) :]
    if since is not None:
        first = pd.Period(since, freq="M")
        window = [m for m in window if m >= first] or window[-1:]
    if not zones:
        return []
    points = df.loc[df["precision"] != "area"] if len(df) else df
    local = pd.to_datetime(points["created_at"], utc=True).dt.tz_convert(PUBLIC_TIME_ZONE)
    points = points.loc[(local.dt.date <= end).to_numpy()]
    month = local_months(points["created_at"]) if len(points) else pd.Series([], dtype=object)
    cells = (
        cells_for_points(points["lat"].to_numpy(), points["lon"].to_numpy())
        if len(points)
        else np.zeros(0, dtype=np.uint64)
    )
    counts: dict[str, np.ndarray] = {}
    for zone in zones:
        inside = np.isin(cells, np.asarray(zone.cells, dtype=np.uint64))
        per_month = month[inside].value_counts() if inside.any() else pd.Series(dtype=int)
        counts[zone.zone_id] = np.array([int(per_month.get(m, 0)) for m in window])
    trends = emerging_trends({z: c.tolist() for z, c in counts.items()})
    return [(z, counts[z.zone_id], t) for z, t in zip(zones, trends, strict=True)]
