"""Hotspots on the hex grid that discriminate: Gi*, a local-background test, FDR (SPEC §6).

The pipeline of :func:`compute_hotspots` (and of :func:`hotspots_from_counts`, which
starts from counts the database made):

1. **One voice per place** (:func:`one_voice_per_place`): each client counts at most once
   per H3 cell per UTC day; concerns given as an area (``precision == "area"``) are left
   out, because their point is only a representative point of the area.
2. **Study area** (:func:`~geoservice.core.analysis.study_area.study_area_cells`): the
   cells that have held concerns (over a long period, not the filter) with a thin buffer
   of two rings. Forest, fields and lake far from every concern are not in the test, so
   they neither make populated cells "hot" nor become cold spots.
3. **Gi\\*** (:func:`getis_ord_gi_star`): binary weights, the cell itself included, the
   first and second H3 ring as neighbours (:func:`ring_neighbours`), analytic z-scores
   and two-sided normal p-values, Benjamini–Hochberg classes (:func:`hotspot_classes`).
   Gi* compares a neighbourhood with the whole study area.
4. **Local background** (:func:`local_background_test`): the voices in the cell and its
   first ring against those in rings 2–5 around it (about 230–580 m), counting only
   study-area cells. Under "no local concentration" the inner share of the voices is
   binomial with the inner share of the cells; the one-sided exact p-value goes through
   Benjamini–Hochberg over every study-area cell. This test compares a neighbourhood with
   its *own* surroundings, so a town centre that is merely busier than the countryside is
   not hot unless it also stands out from the streets around it.
5. **Classes and evidence rule**: a cell is a hotspot when the local test rejects at the
   FDR level of its class (99 / 95 / 90 %), its Gi* z is positive (above the study area's
   mean) **and** its neighbourhood (the cell and its first ring) holds at least
   ``min_voices`` voices (*k*); a group of neighbouring hot cells (a zone,
   :func:`hot_components`) holding fewer than ``min_voices`` voices in its own cells is
   not hot either. Cold spots are Gi*'s (shown only on request).
6. **Minimum data**: with fewer than 30 cells holding data or fewer than 60 concerns no
   significance is claimed and the result says why, in Swedish and English.

``docs/analysis.md`` explains the choice, its literature and limits, with a worked example.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import h3
import h3.api.numpy_int as h3n
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.special import erfc
from scipy.stats import binom

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.analysis.hexgrid import (
    DEFAULT_H3_RESOLUTION,
    NO_CELL,
    cells_for_points,
    count_by_cell,
)
from geoservice.core.analysis.study_area import DEFAULT_BUFFER_M, _sorted_cells, study_area_cells
from geoservice.core.typography import format_number

__all__ = [
    "HOTSPOT_CLASSES",
    "MIN_CELLS",
    "MIN_REPORTS",
    "NEIGHBOUR_RINGS",
    "LOCAL_INNER_RINGS",
    "LOCAL_OUTER_RINGS",
    "MIN_VOICES",
    "HotspotResult",
    "benjamini_hochberg",
    "compute_hotspots",
    "getis_ord_gi_star",
    "hotspot_classes",
    "hot_components",
    "hotspots_from_counts",
    "local_background_test",
    "one_voice_per_place",
    "ring_neighbours",
]

HOTSPOT_CLASSES: tuple[str, ...] = (
    "hot_99",
    "hot_95",
    "hot_90",
    "not_significant",
    "cold_90",
    "cold_95",
    "cold_99",
)
"""Hotspot classes, strongest hot to strongest cold."""

NEIGHBOUR_RINGS: int = 2
"""Gi* neighbourhood: the cell and its first and second H3 ring (19 cells)."""

MIN_CELLS: int = 30
"""Fewest cells holding data for which significance is claimed."""

MIN_REPORTS: int = 60
"""Fewest concerns (after one voice per place) for which significance is claimed."""

MIN_VOICES: int = 5
"""Default *k*: fewest voices a hotspot's neighbourhood (and a zone) must hold."""

LOCAL_INNER_RINGS: int = 1
"""Local test: the neighbourhood is the cell and its first ring (7 cells, about 350 m wide)."""

LOCAL_OUTER_RINGS: int = 5
"""Local test: the background is rings 2 to 5 around the cell (84 cells)."""


def one_voice_per_place(df: pd.DataFrame, cells: npt.ArrayLike) -> pd.DataFrame:
    """Keep each client's first concern per cell and UTC day; drop area concerns.

    SPEC §6 "one voice per place": hotspot statistics count each client at most once per
    hex cell per day, so one person cannot flood a spot.

    Parameters
    ----------
    df : pandas.DataFrame
        Reports with ``created_at`` (tz-aware), ``precision`` and ``client_key``.
    cells : array_like of uint64
        H3 cell of each row of ``df``, in the same order (see
        :func:`~geoservice.core.analysis.hexgrid.cells_for_points`); ``0`` means no cell.

    Returns
    -------
    pandas.DataFrame
        The kept rows, in their original order, with an added ``cell`` column (uint64).

    Raises
    ------
    ValueError
        On a missing column, naive ``created_at`` or a ``cells`` of the wrong length.

    Notes
    -----
    * The day is the UTC calendar day of ``created_at``, matching the daily rotation of
      the client key.
    * Rows with ``precision == "area"`` are excluded: the resident pointed at an area,
      and the stored point is only a representative point of it, so it says nothing about
      which cell the concern belongs to. Rows without a cell are excluded too.
    * A missing ``client_key`` (e.g. imported or staff-entered concerns) cannot be
      matched with anything, so each such row counts as its own voice.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"'df' should be a DataFrame, got {type(df)}")
    missing = [c for c in ("created_at", "precision", "client_key") if c not in df.columns]
    if missing:
        raise ValueError(f"'df' is missing column(s): {', '.join(missing)}")
    cell_a = np.asarray(cells).astype(np.uint64).ravel()
    if cell_a.size != len(df):
        raise ValueError(f"'cells' should have one value per row, got {cell_a.size} for {len(df)}")
    created = df["created_at"]
    if len(df) and not isinstance(created.dtype, pd.DatetimeTZDtype):
        raise ValueError(f"'created_at' should be tz-aware datetimes (UTC), got {created.dtype}")
    keep = (df["precision"] != "area").to_numpy() & (cell_a != NO_CELL)
    out = df.loc[keep].assign(cell=cell_a[keep])
    if not len(out):
        return out
    day = out["created_at"].dt.tz_convert("UTC").dt.floor("D")
    keyed = out["client_key"].notna()
    repeat = pd.DataFrame({"k": out["client_key"], "c": out["cell"], "d": day}).duplicated()
    return out.loc[~(repeat & keyed)]


def ring_neighbours(cells: npt.ArrayLike, rings: int = NEIGHBOUR_RINGS) -> sp.csr_array:
    """Return binary Gi* weights: each cell and its H3 rings, restricted to ``cells``.

    Parameters
    ----------
    cells : array_like of uint64
        Distinct mask cells; row and column ``i`` of the result is ``cells[i]``.
    rings : int, default NEIGHBOUR_RINGS
        Ring distance ``k`` of ``h3.grid_disk(cell, k)``.

    Returns
    -------
    scipy.sparse.csr_array
        ``n x n`` matrix of ones where cell ``j`` is within ``rings`` steps of cell ``i``
        and also in ``cells``; the diagonal is 1 (the cell itself).
    """
    cell_a = np.asarray(cells).astype(np.uint64).ravel()
    if np.unique(cell_a).size != cell_a.size:
        raise ValueError("'cells' should be distinct")
    n = cell_a.size
    if not n:
        return sp.csr_array((0, 0))
    order = np.argsort(cell_a)
    disks = [h3n.grid_disk(int(c), rings) for c in cell_a]
    rows = np.repeat(np.arange(n), [d.size for d in disks])
    ids = np.concatenate(disks)
    pos = np.minimum(np.searchsorted(cell_a[order], ids), n - 1)
    found = cell_a[order][pos] == ids
    cols = order[pos[found]]
    return sp.csr_array((np.ones(cols.size), (rows[found], cols)), shape=(n, n))


def getis_ord_gi_star(
    counts: npt.ArrayLike, neighbours: sp.sparray | sp.spmatrix
) -> tuple[np.ndarray, np.ndarray]:
    """Return analytic Getis-Ord Gi* z-scores and two-sided p-values.

    Parameters
    ----------
    counts : array_like of float
        Value per cell (concerns after one voice per place), zeros included.
    neighbours : scipy sparse matrix
        ``n x n`` neighbourhood; any nonzero entry is a weight of 1 and the diagonal is
        set to 1 whatever it holds (binary weights, the cell itself included).

    Returns
    -------
    z : numpy.ndarray of float
        ``(sum_j w_ij x_j - mean(x) W_i) / (S sqrt((n W_i - W_i**2) / (n - 1)))`` with
        ``W_i = sum_j w_ij`` and ``S`` the population standard deviation of ``x``
        (denominator ``n``). This is the Gi* z of ``esda.G_Local(star=True,
        transform="B")``. Where the denominator is 0 (all values equal, or a cell whose
        neighbourhood is the whole mask) z is 0.
    p : numpy.ndarray of float
        Two-sided p-value from the standard normal distribution, ``2 (1 - Phi(|z|))``.
    """
    x = np.asarray(counts, dtype=float).ravel()
    n = x.size
    if neighbours.shape != (n, n):
        raise ValueError(f"'neighbours' should be {n} x {n}, got {neighbours.shape}")
    if not np.isfinite(x).all():
        raise ValueError("'counts' should be finite")
    if n < 2:
        return np.zeros(n), np.ones(n)
    w = sp.csr_array(neighbours, dtype=float, copy=True)
    w.data[:] = 1.0
    w.setdiag(1.0)
    w_i = np.asarray(w.sum(axis=1)).ravel()
    numerator = w @ x - x.mean() * w_i
    denominator = x.std() * np.sqrt(np.clip(n * w_i - w_i**2, 0.0, None) / (n - 1))
    ok = denominator > 0
    z = np.zeros(n)
    z[ok] = numerator[ok] / denominator[ok]
    return z, erfc(np.abs(z) / math.sqrt(2.0))


def benjamini_hochberg(p: npt.ArrayLike, q: float = 0.05) -> np.ndarray:
    """Return which tests Benjamini–Hochberg rejects at false discovery rate ``q``.

    Parameters
    ----------
    p : array_like of float
        p-values of all ``m`` tests (here: every mask cell).
    q : float, default 0.05
        False discovery rate, ``0 < q < 1``.

    Returns
    -------
    numpy.ndarray of bool
        True for the ``k`` smallest p-values, where ``k`` is the largest rank with
        ``p_(k) <= k q / m`` (step-up procedure); all False if there is none.
    """
    if not 0 < q < 1:
        raise ValueError(f"'q' should be between 0 and 1, got {q!r}")
    p_a = np.asarray(p, dtype=float).ravel()
    if np.isnan(p_a).any():
        raise ValueError("'p' should not hold NaN")
    m = p_a.size
    order = np.argsort(p_a, kind="stable")
    passed = np.flatnonzero(p_a[order] <= q * np.arange(1, m + 1) / m)
    reject = np.zeros(m, dtype=bool)
    if passed.size:
        reject[order[: passed[-1] + 1]] = True
    return reject


def _levels(q: float) -> tuple[float, float, float]:
    if not 0 < q < 0.5:
        raise ValueError(f"'q' should be between 0 and 0.5, got {q!r}")
    return q / 5, q, 2 * q


def hotspot_classes(z: npt.ArrayLike, p: npt.ArrayLike, q: float = 0.05) -> np.ndarray:
    """Classify cells as hot or cold spots at 99, 95 or 90 % confidence.

    Parameters
    ----------
    z, p : array_like of float
        Gi* z-scores and two-sided p-values of all mask cells.
    q : float, default 0.05
        False discovery rate of the 95 % class. The 99 % and 90 % classes use ``q / 5``
        and ``2 q``, so the default gives the usual 0.01 / 0.05 / 0.10.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`HOTSPOT_CLASSES` per cell.

    Notes
    -----
    Benjamini–Hochberg is run separately over all cells at each of the three levels
    (as ArcGIS's Hot Spot Analysis does with its FDR option). A cell gets the strongest
    level whose BH test rejects it, ``hot_*`` if ``z > 0`` and ``cold_*`` if ``z < 0``;
    otherwise ``not_significant``. BH rejections are nested (a cell rejected at 0.01 is
    rejected at 0.05 and 0.10), so "strongest level passed" is well defined.
    """
    z_a = np.asarray(z, dtype=float).ravel()
    p_a = np.asarray(p, dtype=float).ravel()
    if z_a.shape != p_a.shape:
        raise ValueError(f"'z' and 'p' should have the same length, got {z_a.size}, {p_a.size}")
    out = np.full(z_a.size, "not_significant", dtype=object)
    # Weakest level first, so stronger levels overwrite.
    for alpha, confidence in zip(_levels(q)[::-1], ("90", "95", "99"), strict=True):
        reject = benjamini_hochberg(p_a, alpha)
        out[reject & (z_a > 0)] = f"hot_{confidence}"
        out[reject & (z_a < 0)] = f"cold_{confidence}"
    return out.astype(str)


def _disk_sums(
    mask: np.ndarray, counts: np.ndarray, cells: np.ndarray, rings: int
) -> tuple[np.ndarray, np.ndarray]:
    """Voices and study-area cells within ``rings`` of each of ``cells`` (all in ``mask``)."""
    if not cells.size:
        return np.zeros(0), np.zeros(0)
    disks = [h3n.grid_disk(int(c), rings) for c in cells.tolist()]
    rows = np.repeat(np.arange(cells.size), [d.size for d in disks])
    ids = np.concatenate(disks).astype(np.uint64)
    pos = np.minimum(np.searchsorted(mask, ids), mask.size - 1)
    found = mask[pos] == ids
    voices = np.bincount(rows[found], weights=counts[pos[found]], minlength=cells.size)
    area = np.bincount(rows[found], minlength=cells.size).astype(float)
    return voices, area


def local_background_test(
    mask: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    inner_rings: int = LOCAL_INNER_RINGS,
    outer_rings: int = LOCAL_OUTER_RINGS,
    min_voices: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Test each cell's neighbourhood against its own surroundings.

    Parameters
    ----------
    mask : array_like of uint64
        Sorted, distinct study-area cells.
    counts : array_like of int
        Voices per mask cell.
    inner_rings, outer_rings : int
        The neighbourhood is the cell and ``inner_rings`` rings; the background is the
        rings beyond, up to ``outer_rings``. Only study-area cells count, for voices and
        for area alike, so lake and forest are no "empty background".
    min_voices : int, default 1
        Cells whose neighbourhood holds fewer voices are not tested (p = 1): they could
        not be reported as hot anyway (the evidence rule), and skipping them keeps the
        test fast on large study areas.

    Returns
    -------
    inner : numpy.ndarray of float
        Voices in each cell's neighbourhood (0 where not computed, i.e. below
        ``min_voices`` — those are exactly the cells with fewer voices).
    ratio : numpy.ndarray of float
        Voices per cell in the neighbourhood divided by voices per cell in the background
        (``inf`` where the background holds none; NaN where not tested).
    p : numpy.ndarray of float
        One-sided p-value of "the neighbourhood holds at least this share of the voices
        in neighbourhood and background together", with that share binomial with
        probability (neighbourhood cells) / (all cells) — the exact conditional test of
        equal intensity. 1 where not tested or where the background has no cells.

    Notes
    -----
    Conditioning on the total in the disk removes the local level of activity: a busy
    town centre is compared with the busy streets around it, a village with its own
    lanes. See ``docs/analysis.md`` for the literature (local-background and scan tests
    in crime and disease mapping).
    """
    mask_a = _sorted_cells(mask, "mask")
    x = np.asarray(counts, dtype=float).ravel()
    if x.size != mask_a.size:
        raise ValueError(f"'counts' should have one value per mask cell, got {x.size}")
    if not 0 < inner_rings < outer_rings:
        raise ValueError("'inner_rings' should be at least 1 and below 'outer_rings'")
    n = mask_a.size
    inner = np.zeros(n)
    ratio = np.full(n, np.nan)
    p = np.ones(n)
    if not n:
        return inner, ratio, p
    # Only cells near a voice can reach min_voices: find them without a disk per mask cell.
    candidates = np.flatnonzero(x > 0)
    if candidates.size:
        near = np.unique(
            np.concatenate([h3n.grid_disk(int(c), inner_rings) for c in mask_a[candidates]])
        ).astype(np.uint64)
        pos = np.minimum(np.searchsorted(mask_a, near), n - 1)
        candidates = pos[mask_a[pos] == near]
    in_v, in_a = _disk_sums(mask_a, x, mask_a[candidates], inner_rings)
    keep = in_v >= max(min_voices, 1)
    candidates, in_v, in_a = candidates[keep], in_v[keep], in_a[keep]
    all_v, all_a = _disk_sums(mask_a, x, mask_a[candidates], outer_rings)
    out_v, out_a = all_v - in_v, all_a - in_a
    inner[candidates] = in_v
    share = in_a / np.maximum(all_a, 1)
    testable = out_a > 0
    k = np.rint(in_v).astype(np.int64)
    total = np.rint(all_v).astype(np.int64)
    p_c = np.ones(candidates.size)
    p_c[testable] = binom.sf(k[testable] - 1, total[testable], share[testable])
    p[candidates] = np.clip(p_c, 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio[candidates] = np.where(
            out_v > 0, (in_v / in_a) / (out_v / np.maximum(out_a, 1)), np.inf
        )
    ratio[candidates[~testable]] = np.nan
    return inner, ratio, p


def hot_components(cells: npt.ArrayLike, hot: npt.ArrayLike) -> np.ndarray:
    """Label groups of neighbouring hot cells (H3 grid distance 1).

    Parameters
    ----------
    cells : array_like of uint64
        Sorted, distinct cells.
    hot : array_like of bool
        Which of ``cells`` are hot.

    Returns
    -------
    numpy.ndarray of int
        Per cell: ``-1`` if not hot, else the component number ``0, 1, ...`` (numbered
        by the smallest cell index in each component, so the numbering is stable).
    """
    from scipy.sparse.csgraph import connected_components

    cell_a = np.asarray(cells).astype(np.uint64).ravel()
    hot_a = np.asarray(hot, dtype=bool).ravel()
    out = np.full(cell_a.size, -1, dtype=np.int64)
    idx = np.flatnonzero(hot_a)
    if not idx.size:
        return out
    graph = ring_neighbours(cell_a[idx], 1)
    _n, labels = connected_components(graph, directed=False)
    # Renumber by first appearance, so the labels depend on the cells only.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    renumber = np.empty_like(order)
    renumber[order] = np.arange(order.size)
    out[idx] = renumber[labels]
    return out


_NAME = {3: "hot_99", 2: "hot_95", 1: "hot_90"}


def _combined_classes(
    gi_classes: np.ndarray, z: np.ndarray, local_p: np.ndarray, ratio: np.ndarray, q: float
) -> np.ndarray:
    """Hot at the local test's FDR level where the neighbourhood is also above the mean.

    The local-background test decides (with Benjamini–Hochberg at ``q / 5``, ``q`` and
    ``2 q``); Gi* must agree in direction (z > 0: above the study area's mean). Gi* alone
    is not asked to be significant: in a small village, whose study area is little more
    than the cluster itself, Gi*'s neighbourhood is nearly the whole village and it cannot
    see a cluster there. Cold spots are Gi*'s, shown only on request.
    """
    level = np.zeros(local_p.size, dtype=np.int64)
    up = (np.nan_to_num(ratio, nan=0.0, posinf=np.inf) > 1) & (z > 0)
    for alpha, lv in zip(_levels(q)[::-1], (1, 2, 3), strict=True):
        level[benjamini_hochberg(local_p, alpha) & up] = lv
    cold = np.char.startswith(gi_classes.astype(str), "cold")
    out = np.where(cold, gi_classes, "not_significant").astype(object)
    for lv, name in _NAME.items():
        out[level == lv] = name
    return out.astype(str)


@dataclass(frozen=True)
class HotspotResult:
    """Per-cell hotspot statistics over the study area.

    Attributes
    ----------
    cells : numpy.ndarray of uint64
        Sorted mask cells.
    counts : numpy.ndarray of int64
        Concerns per cell after one voice per place.
    z, p : numpy.ndarray of float
        Gi* z-scores and two-sided p-values; NaN when ``significant`` is False.
    classes : numpy.ndarray of str
        :data:`HOTSPOT_CLASSES` after the evidence rule (Gi* and the local test both hot,
        at least ``min_voices`` voices); all ``not_significant`` when ``significant`` is
        False.
    nearby : numpy.ndarray of int64
        Voices in the cell and its first ring (the evidence a hotspot rests on).
    local_p, local_ratio : numpy.ndarray of float
        The local-background test (:func:`local_background_test`); p is 1 and the ratio
        NaN where it was not run.
    zone : numpy.ndarray of int64
        Hot zone number of each hot cell (:func:`hot_components`), -1 elsewhere.
    significant : bool
        Whether the data were enough to test significance at all (not whether any cell
        is significant).
    n_reports, n_cells_with_data : int
        Concerns and cells holding concerns inside the mask, after one voice per place.
    explanation_sv, explanation_en : str
        Plain-language account of the rule and the outcome, for the map.
    q : float
        False discovery rate of the 95 % class.
    include_cold : bool
        Whether :meth:`records` shows cold spots by default.
    """

    cells: np.ndarray
    counts: np.ndarray
    z: np.ndarray
    p: np.ndarray
    classes: np.ndarray
    significant: bool
    n_reports: int
    n_cells_with_data: int
    explanation_sv: str
    explanation_en: str
    q: float = 0.05
    include_cold: bool = False
    nearby: np.ndarray | None = None
    local_p: np.ndarray | None = None
    local_ratio: np.ndarray | None = None
    zone: np.ndarray | None = None
    min_voices: int = MIN_VOICES

    @property
    def hot(self) -> np.ndarray:
        """Which cells are hotspots (any confidence)."""
        return np.char.startswith(self.classes.astype(str), "hot")

    @property
    def n_hot(self) -> int:
        return int(self.hot.sum())

    def records(self, include_cold: bool | None = None, *, empty: bool = False) -> list[dict]:
        """Return one GeoJSON-ready property record per cell.

        Parameters
        ----------
        include_cold : bool, optional
            Show cold classes; otherwise they become ``not_significant`` (SPEC §6: cold
            spots are hidden unless a staff user asks). Defaults to ``self.include_cold``.
        empty : bool, default False
            Also return mask cells without concerns.

        Returns
        -------
        list of dict
            ``cell`` (H3 string), ``count``, ``gi_z`` and ``gi_p`` (float, or None when
            no significance is claimed), ``hotspot_class``, ``nearby`` (voices in the cell
            and its first ring), ``local_p`` and ``local_ratio`` (None where the local
            test did not run) and ``zone`` (zone number of a hot cell, else None).
        """
        cold = self.include_cold if include_cold is None else include_cold
        n = self.cells.size
        nearby = self.nearby if self.nearby is not None else np.zeros(n, dtype=np.int64)
        local_p = self.local_p if self.local_p is not None else np.ones(n)
        ratio = self.local_ratio if self.local_ratio is not None else np.full(n, np.nan)
        zone = self.zone if self.zone is not None else np.full(n, -1)
        keep = np.flatnonzero((self.counts > 0) | self.hot) if not empty else np.arange(n)
        out = []
        for i in keep.tolist():
            cell, count, z, p = self.cells[i], self.counts[i], self.z[i], self.p[i]
            cls = str(self.classes[i])
            if cls.startswith("cold") and not cold:
                cls = "not_significant"
            tested = not math.isnan(float(ratio[i]))
            out.append(
                {
                    "cell": h3.int_to_str(int(cell)),
                    "count": int(count),
                    "gi_z": None if math.isnan(z) else float(z),
                    "gi_p": None if math.isnan(p) else float(p),
                    "hotspot_class": cls,
                    "nearby": int(nearby[i]),
                    "local_p": float(local_p[i]) if tested else None,
                    "local_ratio": (
                        None if not tested else None if math.isinf(ratio[i]) else float(ratio[i])
                    ),
                    "zone": int(zone[i]) if zone[i] >= 0 else None,
                }
            )
        return out


def _explain(
    n_reports: int,
    n_cells: int,
    min_reports: int,
    min_cells: int,
    q: float,
    classes,
    n_zones: int = 0,
    min_voices: int = MIN_VOICES,
):
    if n_reports < min_reports:
        return (
            f"För få synpunkter ({n_reports} av minst {min_reports}) för att säga var det finns "
            "statistiskt säkerställda hotspots. Kartan visar antal.",
            f"Too few concerns ({n_reports} of at least {min_reports}) to say where there are "
            "statistically significant hotspots. The map shows counts.",
        )
    if n_cells < min_cells:
        return (
            f"Synpunkterna finns i för få rutor ({n_cells} av minst {min_cells}) för att säga "
            "var det finns statistiskt säkerställda hotspots. Kartan visar antal.",
            f"The concerns lie in too few cells ({n_cells} of at least {min_cells}) to say "
            "where there are statistically significant hotspots. The map shows counts.",
        )
    hot = int(sum(c.startswith("hot") for c in classes.tolist()))
    n_sv, n_en = format_number(n_reports), format_number(n_reports, "en")
    c_sv, c_en = format_number(n_cells), format_number(n_cells, "en")
    zones_sv = f"{hot} rutor är heta, i {n_zones} {'zon' if n_zones == 1 else 'zoner'}."
    zones_en = f"{hot} cells are hot, in {n_zones} {'zone' if n_zones == 1 else 'zones'}."
    if not hot:
        zones_sv = "Ingen plats sticker ut mer än slumpen kan förklara."
        zones_en = "No place stands out more than chance can explain."
    return (
        f"{n_sv} synpunkter i {c_sv} rutor, högst en per person, ruta och dag. En ruta är "
        "het när den med sina närmaste grannar har fler synpunkter än sin egen omgivning "
        "upp till cirka 600 meter bort, mer än slumpen kan förklara, ligger över "
        "studieområdets genomsnitt (Getis-Ord Gi*) och när minst "
        f"{min_voices} personer står bakom. Andel falska upptäckter "
        f"(Benjamini–Hochberg) högst {format_number(q * 100)} % på 95 %-nivån. {zones_sv}",
        f"{n_en} concerns in {c_en} cells, at most one per person, cell and day. A cell is "
        "hot when it and its nearest neighbours hold more concerns than their own "
        "surroundings up to about 600 metres away, more than chance can explain, lie above "
        "the study area's mean (Getis-Ord Gi*) and at least "
        f"{min_voices} people stand behind it. False discovery rate "
        f"(Benjamini–Hochberg) at most {format_number(q * 100, 'en')} % at the 95 % level. "
        f"{zones_en}",
    )


def compute_hotspots(
    df: pd.DataFrame,
    *,
    mask_cells: npt.ArrayLike | None = None,
    outline=None,
    buffer_m: float = DEFAULT_BUFFER_M,
    resolution: int = DEFAULT_H3_RESOLUTION,
    q: float = 0.05,
    include_cold: bool = False,
    min_cells: int = MIN_CELLS,
    min_reports: int = MIN_REPORTS,
    min_voices: int = MIN_VOICES,
) -> HotspotResult:
    """Compute hotspot classes (Gi*, local background, evidence rule) for filtered concerns.

    Parameters
    ----------
    df : pandas.DataFrame
        Filtered reports (see :func:`~geoservice.core.analysis.aggregate.filter_reports`) with
        ``lon``, ``lat`` (EPSG:4326), ``created_at``, ``precision`` and ``client_key``;
        rows whose ``status`` moderation excluded are dropped here.
    mask_cells : array_like of uint64, optional
        Study-area cells. Pass :func:`~geoservice.core.analysis.study_area.study_area_cells` of
        **all** concerns so the mask
        does not depend on the filter. Default: built from ``df`` itself with
        ``outline`` and ``buffer_m``. Concerns outside the mask are not counted.
    outline, buffer_m
        Passed to :func:`~geoservice.core.analysis.study_area.study_area_cells`
        when ``mask_cells`` is None.
    resolution : int, default DEFAULT_H3_RESOLUTION
        H3 resolution of the cells.
    q : float, default 0.05
        False discovery rate of the 95 % class (see :func:`hotspot_classes`).
    include_cold : bool, default False
        Default of :meth:`HotspotResult.records` for showing cold spots.
    min_cells, min_reports : int
        Minimum-data rule: below either no significance is claimed.
    min_voices : int, default MIN_VOICES
        Evidence rule *k*: fewest voices in a hot cell's neighbourhood and in a zone.

    Returns
    -------
    HotspotResult
    """
    _levels(q)
    if "status" in df.columns:
        df = active_reports(df)
    cells = cells_for_points(df["lat"], df["lon"], resolution) if len(df) else np.zeros(0)
    voices = one_voice_per_place(df, cells.astype(np.uint64))
    if mask_cells is None:
        mask = study_area_cells(
            voices["lon"], voices["lat"], outline=outline, buffer_m=buffer_m, resolution=resolution
        )
    else:
        mask = _sorted_cells(mask_cells, "mask_cells")
    data_cells, data_counts = count_by_cell(voices["cell"].to_numpy(dtype=np.uint64))
    return hotspots_from_counts(
        data_cells,
        data_counts,
        mask,
        q=q,
        include_cold=include_cold,
        min_cells=min_cells,
        min_reports=min_reports,
        min_voices=min_voices,
    )


def hotspots_from_counts(
    data_cells: npt.ArrayLike,
    data_counts: npt.ArrayLike,
    mask: npt.ArrayLike,
    *,
    q: float = 0.05,
    include_cold: bool = False,
    min_cells: int = MIN_CELLS,
    min_reports: int = MIN_REPORTS,
    min_voices: int = MIN_VOICES,
) -> HotspotResult:
    """Hotspot classes from concerns already counted per cell (after one voice per place).

    The database can count a year of concerns per cell far faster than they can be
    loaded; :func:`compute_hotspots` counts in memory and ends here too.

    Parameters
    ----------
    data_cells, data_counts : array_like
        H3 cells (uint64) and how many voices each holds; cells outside ``mask`` are not
        counted.
    mask : array_like of uint64
        The study area's cells.
    q, include_cold, min_cells, min_reports, min_voices
        As for :func:`compute_hotspots`.
    """
    if isinstance(min_voices, bool) or not isinstance(min_voices, int | np.integer):
        raise ValueError(f"'min_voices' should be a whole number, got {min_voices!r}")
    if min_voices < 1:
        raise ValueError(f"'min_voices' should be at least 1, got {min_voices}")
    _levels(q)
    mask = _sorted_cells(mask, "mask")
    data_cells = np.asarray(data_cells, dtype=np.uint64)
    data_counts = np.asarray(data_counts, dtype=np.int64)
    counts = np.zeros(mask.size, dtype=np.int64)
    if mask.size and data_cells.size:
        pos = np.minimum(np.searchsorted(mask, data_cells), mask.size - 1)
        inside = mask[pos] == data_cells
        np.add.at(counts, pos[inside], data_counts[inside])
    n_reports, n_cells = int(counts.sum()), int((counts > 0).sum())
    significant = n_reports >= min_reports and n_cells >= min_cells
    nearby, ratio, local_p = local_background_test(mask, counts, min_voices=min_voices)
    zone = np.full(mask.size, -1, dtype=np.int64)
    if significant:
        z, p = getis_ord_gi_star(counts, ring_neighbours(mask, NEIGHBOUR_RINGS))
        classes = _combined_classes(hotspot_classes(z, p, q), z, local_p, ratio, q)
        # Evidence rule: at least k voices nearby, and a zone never rests on fewer.
        weak = np.char.startswith(classes, "hot") & (nearby < min_voices)
        classes[weak] = "not_significant"
        zone = hot_components(mask, np.char.startswith(classes, "hot"))
        if (zone >= 0).any():
            per_zone = np.bincount(zone[zone >= 0], weights=counts[zone >= 0])
            thin = (zone >= 0) & (per_zone[np.maximum(zone, 0)] < min_voices)
            if thin.any():
                classes[thin] = "not_significant"
                zone = hot_components(mask, np.char.startswith(classes, "hot"))
    else:
        z, p = np.full(mask.size, np.nan), np.full(mask.size, np.nan)
        classes = np.full(mask.size, "not_significant")
    n_zones = int(zone.max()) + 1 if zone.size else 0
    sv, en = _explain(n_reports, n_cells, min_reports, min_cells, q, classes, n_zones, min_voices)
    return HotspotResult(
        cells=mask,
        counts=counts,
        z=z,
        p=p,
        classes=classes,
        significant=significant,
        n_reports=n_reports,
        n_cells_with_data=n_cells,
        explanation_sv=sv,
        explanation_en=en,
        q=q,
        include_cold=include_cold,
        nearby=np.rint(nearby).astype(np.int64),
        local_p=local_p,
        local_ratio=ratio,
        zone=zone,
        min_voices=int(min_voices),
    )
