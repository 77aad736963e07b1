"""Emerging trend of places: is a hot zone new, persistent, intensifying, diminishing or sporadic?

Space-time hot spot analysis (as in ArcGIS Pro's *Emerging Hot Spot Analysis*) sorts
places by how their concerns run over time, testing each place's series with the
Mann–Kendall trend test. Here a place is a hot zone of the report's look-back (12–24
months) and its series is its monthly count of concerns, oldest first; the function works
on any mapping of zone id to monthly counts and does not care how zones were made.

Classes, decided in this order (``recent`` = the last :data:`RECENT_MONTHS` months):

``new``
    No concern before the recent months, at least one within them.
``intensifying``
    An increasing Mann–Kendall trend at level ``alpha`` (two-sided, :data:`ALPHA`).
``diminishing``
    A decreasing trend at that level.
``persistent``
    No significant trend, and concerns in at least :data:`PERSISTENT_SHARE` of the months.
``sporadic``
    No significant trend, concerns in fewer months: on and off.
``none``
    No concern in the whole series.

With fewer than :data:`MIN_MONTHS` months no trend is tested (a Mann–Kendall test on a
handful of points says nothing) and only ``new``, ``persistent``, ``sporadic`` and
``none`` are given. The test is ``pymannkendall.original_test`` (Mann 1945, Kendall 1975;
normal approximation with the tie correction); Sen's slope says by how much a month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pymannkendall

__all__ = [
    "ALPHA",
    "CLASSES",
    "MIN_MONTHS",
    "PERSISTENT_SHARE",
    "RECENT_MONTHS",
    "ZoneTrend",
    "classify_series",
    "emerging_trends",
]

ALPHA = 0.05
"""Two-sided significance level of the trend test."""
RECENT_MONTHS = 3
"""Months at the end of the series that make a place ``new``."""
PERSISTENT_SHARE = 2 / 3
"""Share of months with concerns that makes a place without trend ``persistent``."""
MIN_MONTHS = 8
"""Shortest series on which a trend is tested."""

CLASSES: dict[str, tuple[str, str]] = {
    "new": ("Ny", "New"),
    "intensifying": ("Ökande", "Intensifying"),
    "persistent": ("Ihållande", "Persistent"),
    "diminishing": ("Avtagande", "Diminishing"),
    "sporadic": ("Sporadisk", "Sporadic"),
    "none": ("Inga synpunkter", "No concerns"),
}
"""Class code to its Swedish and English name, in reading order."""


@dataclass(frozen=True)
class ZoneTrend:
    """How one place's monthly concerns run.

    Attributes
    ----------
    zone : str
        The zone id given.
    trend_class : str
        A key of :data:`CLASSES`.
    months : int
        Length of the series.
    active_months : int
        Months with at least one concern.
    total : int
        Concerns in the series.
    tau, p, slope : float or None
        Kendall's tau, the two-sided p-value and Sen's slope (concerns per month); None
        when no trend was tested.
    """

    zone: str
    trend_class: str
    months: int
    active_months: int
    total: int
    tau: float | None
    p: float | None
    slope: float | None


def _check(counts: Sequence[float], name: str) -> np.ndarray:
    values = np.asarray(counts, dtype=float)
    if values.ndim != 1 or not values.size:
        raise ValueError(f"series {name!r} should be a non-empty list of monthly counts")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"series {name!r} should hold counts of 0 or more, got {counts!r}")
    return values


def classify_series(
    counts: Sequence[float],
    *,
    zone: str = "",
    alpha: float = ALPHA,
    recent: int = RECENT_MONTHS,
) -> ZoneTrend:
    """Classify one monthly series (oldest month first).

    Parameters
    ----------
    counts : sequence of float
        Concerns per month, 0 or more.
    zone : str, optional
        Id carried into the result.
    alpha : float, default :data:`ALPHA`
    recent : int, default :data:`RECENT_MONTHS`

    Returns
    -------
    ZoneTrend
    """
    values = _check(counts, zone)
    if not 0 < alpha < 1:
        raise ValueError(f"'alpha' should be between 0 and 1, got {alpha!r}")
    if isinstance(recent, bool) or not isinstance(recent, int) or recent < 1:
        raise ValueError(f"'recent' should be a positive int, got {recent!r}")
    n = values.size
    active = int((values > 0).sum())
    total = int(round(values.sum()))
    tau = p = slope = None
    if total == 0:
        cls = "none"
    elif n > recent and not values[:-recent].any():
        cls = "new"
    else:
        cls = None
        if n >= MIN_MONTHS:
            test = pymannkendall.original_test(values, alpha=alpha)
            tau, p, slope = float(test.Tau), float(test.p), float(test.slope)
            if test.h:
                cls = "intensifying" if test.s > 0 else "diminishing"
        if cls is None:
            cls = "persistent" if active >= PERSISTENT_SHARE * n else "sporadic"
    return ZoneTrend(zone, cls, n, active, total, tau, p, slope)


def emerging_trends(
    series: Mapping[str, Sequence[float]],
    *,
    alpha: float = ALPHA,
    recent: int = RECENT_MONTHS,
) -> list[ZoneTrend]:
    """Classify every zone's monthly series.

    Parameters
    ----------
    series : mapping of str to sequence of float
        Zone id to its concerns per month, oldest first; every series as long.
    alpha, recent
        See :func:`classify_series`.

    Returns
    -------
    list of ZoneTrend
        In the order of ``series``.

    Raises
    ------
    ValueError
        On series of different lengths, negative or missing counts, or a bad ``alpha``
        or ``recent``.
    """
    if not isinstance(series, Mapping):
        raise ValueError(f"'series' should be a mapping of zone id to counts, got {type(series)}")
    lengths = {len(v) for v in series.values()}
    if len(lengths) > 1:
        raise ValueError(f"every series should be as long, got lengths {sorted(lengths)}")
    return [classify_series(v, zone=str(k), alpha=alpha, recent=recent) for k, v in series.items()]
