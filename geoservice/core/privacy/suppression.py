"""The k-anonymity rules every public output passes through (SPEC §7).

Rules
-----
1. **Small counts are hidden.** A count of 1 to k-1 is never published (primary
   suppression). A true 0 *is* published: it says that nobody raised a concern, which
   is about a place, not about a person, and hiding zeros as well would blank most of
   the category and time-band tables without protecting anyone. The price, accepted
   here, is that a hidden cell is then known to be non-zero; rule 3 accounts for it.
2. **No hidden number may be worked out by subtraction.** For every published total,
   the hidden parts form a group whose sum (``total - published parts``) is at least
   k, so it is not itself a small count, and which has at least two members, so no
   single hidden part is determined (complementary suppression). When a group is too
   small, the smallest remaining non-zero part is hidden too; if none is left, the
   total is hidden instead.
3. **No hidden number may be pinned by bounds.** Because zeros are published, a reader
   knows each hidden part is at least 1, so a hidden group of ``m`` parts summing to
   ``m`` (all ones) would give every part away. A group must therefore also sum to
   more than its size.
4. **A hidden total hides its whole breakdown.** When a total is hidden, all its parts
   are hidden too, zeros included; otherwise the parts would add up to it, or reveal
   what the few concerns behind it were about.
5. **Voices, not rows, decide.** A cell is small when it holds fewer than k distinct
   voices (a voice: one client on one day, SPEC §6), however many rows: k-1 concerns
   planted by one person do not make a cell publishable, nor lift a victim's concern
   out of hiding. Rules 2-4 then work on the row counts that are published.
6. **Two levels, one tree.** On the public map the municipal total is the sum of the
   area counts, and each area count is the sum of its category mix and, separately,
   of its time-band mix. Each area's breakdowns are protected first (which may hide
   the area count, rule 2-3); then the area counts are protected against the municipal
   total with those areas already hidden; any area hidden at that level loses its
   breakdowns (rule 4). As the published equations form a tree, a hidden area count
   cannot be recovered from either side.

Complementary suppression picks the smallest parts (ties: the first one), which loses
the least information. Which hidden cells are small and which are complementary is
never published: the public only sees "hidden". Rates are hidden with their counts,
since ``rate * population / 1000`` gives the count back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS

__all__ = [
    "DEFAULT_K",
    "LOCAL_ZONE",
    "PUBLIC_TIME_ZONE",
    "HierarchyProtection",
    "PeriodError",
    "TableProtection",
    "coarse_period",
    "protect_hierarchy",
    "protect_table",
    "public_area_payload",
    "small_count_mask",
    "suppress_small_counts",
]

DEFAULT_K: int = 5
"""Default smallest count that may be published (``GEOSERVICE_K_ANONYMITY``)."""

PUBLIC_TIME_ZONE = "Europe/Stockholm"
"""Months of public filters start and end at local midnight in Mellerud."""

LOCAL_ZONE = ZoneInfo(PUBLIC_TIME_ZONE)
"""Mellerud's clock: the days and months that residents and staff see."""


class TableProtection(NamedTuple):
    """Which cells of a one-level table to hide.

    Attributes
    ----------
    parts : numpy.ndarray of bool
        True for each part to hide.
    total : bool
        True when the total must be hidden as well.
    """

    parts: np.ndarray
    total: bool


class HierarchyProtection(NamedTuple):
    """Which cells of a two-level table (total -> areas -> breakdowns) to hide.

    Attributes
    ----------
    total : bool
        True when the grand total must be hidden.
    areas : numpy.ndarray of bool
        True for each area count to hide.
    breakdowns : dict of str to numpy.ndarray of bool
        Per breakdown name, an ``(n_areas, n_parts)`` mask of the parts to hide.
    """

    total: bool
    areas: np.ndarray
    breakdowns: dict[str, np.ndarray]


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"'k' should be a positive integer, got {k!r}")
    return int(k)


def _as_counts(counts: npt.ArrayLike, name: str, ndim: int | None = None) -> np.ndarray:
    arr = np.asarray(counts)
    if arr.dtype == object or arr.dtype.kind not in "iuf":
        raise ValueError(f"'{name}' should hold numbers, got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"'{name}' should have {ndim} dimension(s), got shape {arr.shape}")
    if arr.size and not (np.isfinite(arr).all() and (arr >= 0).all()):
        raise ValueError(f"'{name}' should hold finite counts >= 0")
    return arr


def small_count_mask(counts: npt.ArrayLike, k: int) -> np.ndarray:
    """Mark the counts too small to publish.

    Parameters
    ----------
    counts : array_like of int or float
        Non-negative counts (or weighted counts).
    k : int
        Smallest count that may be published.

    Returns
    -------
    numpy.ndarray of bool
        True where ``0 < count < k``. Zeros are published (see the module notes).
    """
    k = _check_k(k)
    arr = _as_counts(counts, "counts")
    return (arr > 0) & (arr < k)


def suppress_small_counts(counts: npt.ArrayLike, k: int) -> np.ma.MaskedArray:
    """Hide the counts from 1 to k-1 (primary suppression).

    This alone does not stop recovery by subtraction; use :func:`protect_table` or
    :func:`protect_hierarchy` when totals are published next to their parts.

    Parameters
    ----------
    counts : array_like of int or float
        Non-negative counts.
    k : int
        Smallest count that may be published.

    Returns
    -------
    numpy.ma.MaskedArray
        The counts, masked where ``0 < count < k``; zeros stay visible.
    """
    arr = _as_counts(counts, "counts")
    return np.ma.masked_array(arr, mask=small_count_mask(arr, k))


def protect_table(
    parts: npt.ArrayLike,
    total: float,
    k: int,
    *,
    also_suppress: npt.ArrayLike | None = None,
    hide_total: bool = False,
    part_voices: npt.ArrayLike | None = None,
    total_voices: float | None = None,
) -> TableProtection:
    """Choose the cells to hide in a total and the parts that add up to it.

    Applies rules 1-4 of the module notes: small parts are hidden, and further parts
    (smallest non-zero first) until the hidden parts sum to at least ``k``, to more than
    their number, and are at least two; if that cannot be reached, the total and all
    parts are hidden.

    Parameters
    ----------
    parts : array_like, 1-D
        Non-negative counts that sum to ``total`` (e.g. areas of the municipality, or
        categories of an area).
    total : int or float
        Their sum.
    k : int
        Smallest count that may be published.
    also_suppress : array_like of bool, optional
        Parts that must be hidden whatever their value (e.g. an area whose own breakdown
        could not be protected); the rules then also protect these.
    hide_total : bool, default False
        Hide the total whatever its value (e.g. because its parent hid it).
    part_voices : array_like, optional
        Distinct voices behind each part; a non-zero part with fewer than ``k`` voices
        is small whatever its count (rule 5).
    total_voices : int, optional
        Distinct voices behind the total (not the sum of ``part_voices``: one voice
        may speak in several parts).

    Returns
    -------
    TableProtection
        ``parts``: mask of hidden parts; ``total``: whether the total is hidden.

    Raises
    ------
    ValueError
        If the parts are not non-negative, do not sum to ``total``, or ``also_suppress``
        does not match ``parts``.
    """
    k = _check_k(k)
    values = _as_counts(parts, "parts", ndim=1)
    if not np.isclose(values.sum(), total):
        raise ValueError(f"'parts' should sum to 'total' ({total}), got {values.sum()}")
    hidden = small_count_mask(values, k)
    if part_voices is not None:
        voices = _as_counts(part_voices, "part_voices", ndim=1)
        if voices.shape != values.shape:
            raise ValueError(
                f"'part_voices' should match 'parts' in shape, got {voices.shape} "
                f"and {values.shape}"
            )
        hidden |= (values > 0) & (voices < k)
    if also_suppress is not None:
        forced = np.asarray(also_suppress, dtype=bool)
        if forced.shape != values.shape:
            raise ValueError(
                f"'also_suppress' should match 'parts' in shape, got {forced.shape} "
                f"and {values.shape}"
            )
        hidden |= forced
    few_voices = total_voices is not None and total_voices < k
    if hide_total or 0 < total < k or (total > 0 and few_voices):
        return TableProtection(np.ones(values.shape, dtype=bool), True)
    while hidden.any():
        group_sum, group_size = values[hidden].sum(), int(hidden.sum())
        if group_size >= 2 and group_sum >= k and group_sum > group_size:
            break
        candidates = np.flatnonzero(~hidden & (values > 0))
        if not candidates.size:
            return TableProtection(np.ones(values.shape, dtype=bool), True)
        hidden[candidates[np.argmin(values[candidates])]] = True
    return TableProtection(hidden, False)


def protect_hierarchy(
    totals: npt.ArrayLike,
    breakdowns: Mapping[str, npt.ArrayLike],
    k: int,
    *,
    voices: Mapping[str, Any] | None = None,
) -> HierarchyProtection:
    """Choose the cells to hide in a grand total, its areas and their breakdowns.

    Parameters
    ----------
    totals : array_like, 1-D
        Count per area; the grand total is their sum.
    breakdowns : mapping of str to array_like, 2-D
        Named partitions of each area count, e.g. ``{"category": (n_areas, 10),
        "time_band": (n_areas, 4)}``; every row sums to its area count.
    k : int
        Smallest count that may be published.
    voices : mapping, optional
        Distinct voices behind the cells (rule 5): ``"total"`` (int, the grand total),
        ``"areas"`` (1-D, per area) and, per breakdown name, a 2-D array of its shape.
        Without it every row counts as its own voice.

    Returns
    -------
    HierarchyProtection
        Masks for the grand total, the area counts and every breakdown (rule 5 of the
        module notes).

    Raises
    ------
    ValueError
        If the shapes disagree, a count is negative, or a row does not sum to its area.
    """
    k = _check_k(k)
    area_counts = _as_counts(totals, "totals", ndim=1)
    tables = {
        name: _as_counts(t, f"breakdowns[{name!r}]", ndim=2) for name, t in breakdowns.items()
    }
    for name, table in tables.items():
        if table.shape[0] != area_counts.size:
            raise ValueError(
                f"breakdowns[{name!r}] should have one row per area ({area_counts.size}), "
                f"got {table.shape[0]}"
            )
        bad = np.flatnonzero(~np.isclose(table.sum(axis=1), area_counts))
        if bad.size:
            raise ValueError(
                f"breakdowns[{name!r}] row {int(bad[0])} sums to {table[bad[0]].sum()}, "
                f"not to the area count {area_counts[bad[0]]}"
            )

    voices = voices or {}
    area_voices = voices.get("areas")
    rows: dict[str, list[TableProtection]] = {name: [] for name in tables}
    forced = np.zeros(area_counts.size, dtype=bool)
    for i, count in enumerate(area_counts.tolist()):
        for name, table in tables.items():
            part_voices = voices.get(name)
            row = protect_table(
                table[i],
                count,
                k,
                part_voices=None if part_voices is None else np.asarray(part_voices)[i],
                total_voices=None if area_voices is None else np.asarray(area_voices)[i],
            )
            rows[name].append(row)
            forced[i] |= row.total

    top = protect_table(
        area_counts,
        area_counts.sum(),
        k,
        also_suppress=forced,
        part_voices=area_voices,
        total_voices=voices.get("total"),
    )
    masks = {}
    for name, table in tables.items():
        mask = np.array([row.parts for row in rows[name]], dtype=bool).reshape(table.shape)
        mask[top.parts] = True
        masks[name] = mask
    return HierarchyProtection(top.total, top.parts, masks)


def public_area_payload(
    agg_df: pd.DataFrame, k: int, *, voices: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Turn per-area aggregates into what the public may see.

    Parameters
    ----------
    agg_df : pandas.DataFrame
        Output of :func:`geoservice.core.analysis.aggregate.aggregate_areas` (at least
        ``area_id, name, population, count, rate_per_1000, category_mix,
        time_band_mix``).
    k : int
        Smallest count that may be published.
    voices : mapping, optional
        Distinct voices: ``"total"``, ``"areas"`` (in ``agg_df`` order),
        ``"category_mix"`` and ``"time_band_mix"`` (areas × codes, in the order of
        :data:`CATEGORY_CODES` and :data:`TIME_BANDS`); see :func:`protect_hierarchy`.

    Returns
    -------
    dict
        ``{"k": k, "total": int | None, "total_suppressed": bool, "areas": [...]}``:
        ``total`` is the municipal total (None when hidden), and ``areas`` holds one dict
        per area, in input order, with ``id, name, population, count, rate_per_1000,
        suppressed, category_mix, time_band_mix``. Hidden counts, their rates and hidden
        mix values are None; ``suppressed`` says whether the area count is hidden.
        Trend and previous-period figures are not published.

    Raises
    ------
    ValueError
        If columns are missing or a mix does not add up to its area count.
    """
    k = _check_k(k)
    needed = ["area_id", "name", "population", "count", "rate_per_1000"]
    needed += ["category_mix", "time_band_mix"]
    missing = [c for c in needed if c not in agg_df.columns]
    if missing:
        raise ValueError(f"'agg_df' is missing column(s): {', '.join(missing)}")

    counts = agg_df["count"].to_numpy(dtype=np.int64)
    mixes = {
        "category_mix": _mix_table(agg_df["category_mix"], CATEGORY_CODES),
        "time_band_mix": _mix_table(agg_df["time_band_mix"], TIME_BANDS),
    }
    codes = {"category_mix": CATEGORY_CODES, "time_band_mix": TIME_BANDS}
    protection = protect_hierarchy(counts, mixes, k, voices=voices)

    areas = []
    for i, row in enumerate(agg_df.itertuples(index=False)):
        hidden = bool(protection.areas[i])
        rate = None if hidden or _missing(row.rate_per_1000) else round(float(row.rate_per_1000), 2)
        area: dict[str, Any] = {
            "id": row.area_id,
            "name": row.name,
            "population": None if _missing(row.population) else int(row.population),
            "count": None if hidden else int(counts[i]),
            "rate_per_1000": rate,
            "suppressed": hidden,
        }
        for key, table in mixes.items():
            mask = protection.breakdowns[key][i]
            area[key] = {
                code: None if mask[j] else int(table[i, j]) for j, code in enumerate(codes[key])
            }
        areas.append(area)
    return {
        "k": k,
        "total": None if protection.total else int(counts.sum()),
        "total_suppressed": bool(protection.total),
        "areas": areas,
    }


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _mix_table(mixes: Sequence[Mapping[str, int]], codes: Sequence[str]) -> np.ndarray:
    table = np.zeros((len(mixes), len(codes)), dtype=np.int64)
    for i, mix in enumerate(mixes):
        unknown = set(mix) - set(codes)
        if unknown:
            raise ValueError(f"unknown code(s) in mix: {', '.join(sorted(unknown))}")
        table[i] = [mix.get(code, 0) for code in codes]
    return table


class PeriodError(ValueError):
    """A public period filter that is not whole months.

    Attributes
    ----------
    field : str
        ``"start"`` or ``"end"``: which input was wrong.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


def _month_start(value: object, field: str) -> pd.Timestamp:
    if not isinstance(value, str) or not _MONTH.fullmatch(value.strip()):
        raise PeriodError(
            field, f"'{field}' should be a month written YYYY-MM (e.g. 2025-03), got {value!r}"
        )
    year, month = map(int, _MONTH.fullmatch(value.strip()).groups())
    if not 1970 <= year <= 2100:
        raise PeriodError(field, f"'{field}' should lie between 1970 and 2100, got {value!r}")
    return pd.Timestamp(year=year, month=month, day=1, tz=PUBLIC_TIME_ZONE)


def coarse_period(start: str, end: str | None = None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Turn a public month filter into a period of whole months.

    Public filters are whole months or longer (SPEC §7), so that two overlapping
    queries cannot be subtracted to isolate one concern.

    Parameters
    ----------
    start : str
        First month, ``"YYYY-MM"``.
    end : str, optional
        Last month, ``"YYYY-MM"``, included; the same as ``start`` when None.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        ``[first day of start, first day of the month after end)`` at midnight,
        Europe/Stockholm time, ready for :func:`geoservice.core.analysis.aggregate.filter_reports`.

    Raises
    ------
    PeriodError
        A :class:`ValueError` whose ``field`` names the bad input, when a month is not
        written ``YYYY-MM`` or ``end`` is before ``start``.

    Examples
    --------
    >>> coarse_period("2025-01", "2025-03")[1]
    Timestamp('2025-04-01 00:00:00+0200', tz='Europe/Stockholm')
    """
    first = _month_start(start, "start")
    last = first if end is None else _month_start(end, "end")
    if last < first:
        raise PeriodError("end", f"'end' ({end}) should not be before 'start' ({start})")
    return first, last + pd.DateOffset(months=1)
