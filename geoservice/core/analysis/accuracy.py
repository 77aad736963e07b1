"""Predictive accuracy of hotspot maps: hit rate, PAI and PEI (SPEC §6).

A map built on period A is judged by where the concerns of a later period B fell.

Definitions
-----------
Map at a coverage
    The top cells of the map's ranking, as many as it takes to cover ``coverage`` of
    the study area: ``max(1, ceil(coverage * N))`` of the ``N`` study cells, ties broken
    by the ranking order. H3 resolution-10 cells differ in area by less than 0.2 %
    across the municipality, so counting cells is covering area; 1 % of 100 cells is
    exactly 1 cell, not 2 because the first cell happens to be a few m² small. The area
    share itself is exact: the cells' :func:`h3.cell_area` in m² over the study area's.
Hit rate
    ``hits / n``: the share of B's concerns inside the map's cells. ``n`` counts B's
    concerns inside the study area, after the same cleaning as hotspot statistics
    (moderation, one voice per place, no area-only concerns); pass the study area of
    **all** concerns, as the hotspot map does, and none falls outside.
PAI (predictive accuracy index, Chainey et al. 2008)
    ``hit rate / area share``. 1 is what cells picked at random give; higher is better.
PEI (predictive efficiency index, Hunt 2016)
    ``PAI / PAI*`` with ``PAI*`` the best PAI any map of the same size could have had:
    the same number of cells, chosen by B's own counts. Over the same area the areas
    cancel, so ``PEI = hits / best hits``, between 0 and 1.

Maps compared (:func:`predictive_accuracy`)
--------------------------------------------
``gi_star``
    Cells of A's Gi* result (:func:`~geoservice.core.analysis.hotspots.compute_hotspots` over the
    same study area): significant hot cells first, strongest z first; then the other
    cells by A's count, higher Gi* z first among equal counts. When A has too little
    data for significance (the minimum-data rule) every cell falls back to its count,
    and the map is the naive one; the result says so.
``naive``
    "Last period's counts": cells by A's count (the same cleaned counts Gi* sees).
Both
    Remaining ties go to the lower H3 index. With sparse data many cells tie on a count
    of 1 and which of them make the cut is arbitrary; the hit rate at a coverage then
    depends on that choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import h3.api.numpy_int as h3n
import numpy as np
import numpy.typing as npt
import pandas as pd

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.analysis.hexgrid import DEFAULT_H3_RESOLUTION, NO_CELL, cells_for_points
from geoservice.core.analysis.hotspots import compute_hotspots, one_voice_per_place

__all__ = [
    "DEFAULT_COVERAGES",
    "METHODS",
    "TABLE_COLUMNS",
    "Accuracy",
    "cells_for_coverage",
    "hit_rate_pai_pei",
    "predictive_accuracy",
]

DEFAULT_COVERAGES: tuple[float, ...] = (0.01, 0.05)
"""Shares of the study area at which maps are compared (SPEC §6: 1 % and 5 %)."""

METHODS: tuple[str, ...] = ("gi_star", "naive")
"""Maps compared by :func:`predictive_accuracy`."""

TABLE_COLUMNS: tuple[str, ...] = (
    "method",
    "coverage",
    "cells",
    "area_share",
    "hits",
    "concerns",
    "hit_rate",
    "pai",
    "pei",
)
"""Columns of the table :func:`predictive_accuracy` returns."""


@dataclass(frozen=True)
class Accuracy:
    """How well a map at one coverage predicted the concerns of a later period.

    Attributes
    ----------
    coverage : float
        Share of the study area asked for.
    n_cells : int
        Cells taken from the top of the ranking.
    area_share : float
        Their exact area over the study area's.
    hits : int
        Concerns of the later period inside those cells.
    hit_rate : float or None
        ``hits / n_concerns``; None when the later period has no concern.
    pai : float or None
        ``hit_rate / area_share``; None with ``hit_rate``.
    pei : float or None
        ``hits`` over the most any ``n_cells`` cells held, in ``[0, 1]``; None with
        ``hit_rate``.
    n_concerns : int
        Concerns of the later period inside the study area.
    """

    coverage: float
    n_cells: int
    area_share: float
    hits: int
    hit_rate: float | None
    pai: float | None
    pei: float | None
    n_concerns: int = 0


def _cells(cells: npt.ArrayLike, name: str) -> np.ndarray:
    # A list mixing numpy.uint64 and Python ints would otherwise become float64.
    arr = cells if isinstance(cells, np.ndarray) else np.asarray(cells, dtype=np.uint64)
    if arr.size and arr.dtype.kind not in "iu":
        raise ValueError(f"'{name}' should hold integer H3 indexes, got dtype {arr.dtype}")
    return arr.astype(np.uint64).ravel()


def _check_coverage(coverage: float) -> float:
    if isinstance(coverage, bool) or not isinstance(coverage, int | float | np.floating):
        raise ValueError(f"'coverage' should be a share between 0 and 1, got {coverage!r}")
    if not 0 < coverage <= 1:
        raise ValueError(f"'coverage' should be a share between 0 and 1, got {coverage!r}")
    return float(coverage)


def cells_for_coverage(n_study_cells: int, coverage: float) -> int:
    """Return how many cells cover ``coverage`` of a study area of ``n_study_cells``.

    Parameters
    ----------
    n_study_cells : int
        Cells in the study area.
    coverage : float
        Share of the study area, ``0 < coverage <= 1``.

    Returns
    -------
    int
        ``max(1, ceil(coverage * n_study_cells))``: the fewest cells reaching the share,
        at least one. A relative tolerance of 1e-9 keeps ``0.07 * 100`` at 7.
    """
    coverage = _check_coverage(coverage)
    return max(1, math.ceil(coverage * n_study_cells * (1 - 1e-9)))


def hit_rate_pai_pei(
    ranking_cells: npt.ArrayLike,
    b_cells: npt.ArrayLike,
    study_cells: npt.ArrayLike,
    coverage: float,
) -> Accuracy:
    """Return hit rate, PAI and PEI of a ranked map at one coverage.

    Parameters
    ----------
    ranking_cells : array_like of uint64
        The map: H3 cells, best first. Cells outside the study area and repeats are
        skipped; cells not listed are never taken.
    b_cells : array_like of uint64
        One H3 cell per concern of the later period (repeats count); ``0`` and cells
        outside the study area are left out.
    study_cells : array_like of uint64
        The study area.
    coverage : float
        Share of the study area to cover, e.g. 0.01 or 0.05.

    Returns
    -------
    Accuracy
        ``n_cells`` is :func:`cells_for_coverage`, or fewer when the ranking lists fewer
        study cells.

    Raises
    ------
    ValueError
        On a bad coverage, an empty study area, or a ranking with no study cell.
    """
    coverage = _check_coverage(coverage)
    study = np.unique(_cells(study_cells, "study_cells"))
    study = study[study != NO_CELL]
    if not study.size:
        raise ValueError("'study_cells' should hold at least one cell")
    ranking = _cells(ranking_cells, "ranking_cells")
    ranking = ranking[np.isin(ranking, study)]
    _, first = np.unique(ranking, return_index=True)
    ranking = ranking[np.sort(first)]
    if not ranking.size:
        raise ValueError("'ranking_cells' should hold at least one study-area cell")
    taken = ranking[: cells_for_coverage(study.size, coverage)]

    area = {int(c): h3n.cell_area(int(c), "m^2") for c in study.tolist()}
    area_share = sum(area[int(c)] for c in taken.tolist()) / sum(area.values())

    b = _cells(b_cells, "b_cells")
    b = b[np.isin(b, study)]
    n = int(b.size)
    hits = int(np.isin(b, taken).sum())
    if not n:
        return Accuracy(coverage, int(taken.size), area_share, 0, None, None, None, 0)
    _, b_counts = np.unique(b, return_counts=True)
    best = int(np.sort(b_counts)[::-1][: taken.size].sum())
    hit_rate = hits / n
    return Accuracy(
        coverage=coverage,
        n_cells=int(taken.size),
        area_share=area_share,
        hits=hits,
        hit_rate=hit_rate,
        pai=hit_rate / area_share,
        pei=hits / best,
        n_concerns=n,
    )


def _cleaned_cells(df: pd.DataFrame, resolution: int) -> np.ndarray:
    if "status" in df.columns:
        df = active_reports(df)
    cells = cells_for_points(df["lat"], df["lon"], resolution) if len(df) else np.zeros(0)
    voices = one_voice_per_place(df, cells.astype(np.uint64))
    return voices["cell"].to_numpy(dtype=np.uint64)


def _explain(significant: bool, n_a: int, n_b: int) -> tuple[str, str]:
    sv = (
        f"Hur väl kartan från period A ({n_a} synpunkter) pekade ut var synpunkterna under "
        f"period B ({n_b}) kom: träffandel = andel av B:s synpunkter i de utpekade rutorna; "
        "PAI = träffandelen delad med rutornas andel av ytan (1 är vad slumpen ger); "
        "PEI = PAI delat med bästa möjliga PAI för lika stor yta (1 är bäst)."
    )
    en = (
        f"How well the map from period A ({n_a} concerns) pointed out where the concerns of "
        f"period B ({n_b}) came: hit rate = share of B's concerns in the cells pointed out; "
        "PAI = hit rate over the cells' share of the area (1 is what chance gives); "
        "PEI = PAI over the best possible PAI for the same area (1 is best)."
    )
    if not significant:
        sv += (
            " Period A hade för lite data för att visa hotspots, så hotspotkartan rangordnar "
            "rutorna efter antal, precis som jämförelsen."
        )
        en += (
            " Period A had too little data to show hotspots, so the hotspot map ranks the "
            "cells by count, just like the baseline."
        )
    return sv, en


def predictive_accuracy(
    df_a: pd.DataFrame,
    df_b: pd.DataFrame,
    study_cells: npt.ArrayLike,
    *,
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    resolution: int = DEFAULT_H3_RESOLUTION,
) -> dict[str, Any]:
    """Compare the Gi* map and the naive map of period A on the concerns of period B.

    Parameters
    ----------
    df_a, df_b : pandas.DataFrame
        Filtered reports of the two periods (same filter, e.g. from
        :func:`~geoservice.core.analysis.aggregate.filter_reports`) with ``lon``, ``lat``
        (EPSG:4326), ``created_at``, ``precision``, ``client_key`` and ``status``.
    study_cells : array_like of uint64
        Study area (:func:`~geoservice.core.analysis.study_area.study_area_cells` of all concerns),
        used both for Gi* on A and as the area the coverages refer to.
    coverages : sequence of float, default DEFAULT_COVERAGES
        Shares of the study area.
    resolution : int, default DEFAULT_H3_RESOLUTION
        H3 resolution of the cells.

    Returns
    -------
    dict
        ``table``: a :class:`pandas.DataFrame` with one row per method
        (:data:`METHODS`) and coverage and the columns :data:`TABLE_COLUMNS`
        (``cells`` is the number of cells taken; ``hit_rate``, ``pai`` and ``pei`` are
        NaN when B has no concern). ``gi_significant``: whether A had enough data for
        Gi* significance (if not, both maps are the same). ``concerns_a``,
        ``concerns_b``: the cleaned concerns in the study area. ``explanation_sv``,
        ``explanation_en``: what the figures mean, for the report.
    """
    coverages = [_check_coverage(c) for c in coverages]
    result = compute_hotspots(df_a, mask_cells=study_cells, resolution=resolution)
    cells, counts = result.cells, result.counts
    if not cells.size:
        raise ValueError("'study_cells' should hold at least one cell")
    index = np.arange(cells.size)
    naive = cells[np.lexsort((index, -counts))]
    if result.significant:
        hot = np.char.startswith(result.classes.astype(str), "hot")
        z = result.z
        # Hot cells by z; the rest by count with z breaking ties (lexsort: last key first).
        order = np.lexsort((index, np.where(hot, -counts, -z), np.where(hot, -z, -counts), ~hot))
        gi_star = cells[order]
    else:
        gi_star = naive
    b_cells = _cleaned_cells(df_b, resolution)
    rows = []
    for method, ranking in (("gi_star", gi_star), ("naive", naive)):
        for coverage in coverages:
            acc = hit_rate_pai_pei(ranking, b_cells, cells, coverage)
            rows.append(
                {
                    "method": method,
                    "coverage": coverage,
                    "cells": acc.n_cells,
                    "area_share": acc.area_share,
                    "hits": acc.hits,
                    "concerns": acc.n_concerns,
                    "hit_rate": acc.hit_rate,
                    "pai": acc.pai,
                    "pei": acc.pei,
                }
            )
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    for column in ("hit_rate", "pai", "pei"):
        table[column] = table[column].astype(float)
    n_b = int(np.isin(b_cells, cells).sum())
    sv, en = _explain(result.significant, result.n_reports, n_b)
    return {
        "table": table,
        "gi_significant": result.significant,
        "concerns_a": result.n_reports,
        "concerns_b": n_b,
        "explanation_sv": sv,
        "explanation_en": en,
    }
