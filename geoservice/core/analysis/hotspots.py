"""Hotspots on the hex grid: Getis-Ord Gi* with Benjamini–Hochberg FDR (SPEC §6).

The pipeline of :func:`compute_hotspots`:

1. **One voice per place** (:func:`one_voice_per_place`): each client counts at most once
   per H3 cell per UTC day; concerns given as an area (``precision == "area"``) are left
   out, because their point is only a representative point of the area.
2. **Study area** (:func:`~geoservice.core.analysis.study_area.study_area_cells`): statistics run
   only over cells where concerns are possible. Without a population grid the mask is
   every cell whose centre lies within ``buffer_m`` (default 500 m) of the centre of a
   cell that has ever held a concern, limited to the municipality outline. Empty forest
   and lake cells far from everything are therefore not in the test and cannot become
   cold spots.
3. **Gi\\*** (:func:`getis_ord_gi_star`): binary weights, the cell itself included, the
   first and second H3 ring as neighbours (:func:`ring_neighbours`), analytic z-scores
   and two-sided normal p-values.
4. **Classes** (:func:`hotspot_classes`): Benjamini–Hochberg at three levels.
5. **Minimum data**: with fewer than 30 cells holding data or fewer than 60 concerns no
   significance is claimed and the result says why, in Swedish and English.
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

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.analysis.hexgrid import (
    DEFAULT_H3_RESOLUTION,
    NO_CELL,
    cells_for_points,
    count_by_cell,
)
from geoservice.core.analysis.study_area import DEFAULT_BUFFER_M, _sorted_cells, study_area_cells

__all__ = [
    "HOTSPOT_CLASSES",
    "MIN_CELLS",
    "MIN_REPORTS",
    "NEIGHBOUR_RINGS",
    "HotspotResult",
    "benjamini_hochberg",
    "compute_hotspots",
    "getis_ord_gi_star",
    "hotspot_classes",
    "hotspots_from_counts",
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
        :data:`HOTSPOT_CLASSES`; all ``not_significant`` when ``significant`` is False.
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
            no significance is claimed) and ``hotspot_class``.
        """
        cold = self.include_cold if include_cold is None else include_cold
        out = []
        for cell, count, z, p, cls in zip(
            self.cells.tolist(),
            self.counts.tolist(),
            self.z.tolist(),
            self.p.tolist(),
            self.classes.tolist(),
            strict=True,
        ):
            if count == 0 and not empty:
                continue
            if cls.startswith("cold") and not cold:
                cls = "not_significant"
            out.append(
                {
                    "cell": h3.int_to_str(cell),
                    "count": int(count),
                    "gi_z": None if math.isnan(z) else z,
                    "gi_p": None if math.isnan(p) else p,
                    "hotspot_class": cls
                    if cold or not cls.startswith("cold")
                    else "not_significant",
                }
            )
        return out


def _explain(n_reports: int, n_cells: int, min_reports: int, min_cells: int, q: float, classes):
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
    return (
        f"Getis-Ord Gi* på hexagonrutor (rutan och två ringar grannar): {n_reports} "
        f"synpunkter i {n_cells} rutor, högst en per person, ruta och dag. Andel falska "
        f"upptäckter (Benjamini–Hochberg) högst {q * 100:g} % på 95 %-nivån. "
        f"{hot} rutor är heta.",
        f"Getis-Ord Gi* on hex cells (the cell and two rings of neighbours): {n_reports} "
        f"concerns in {n_cells} cells, at most one per person, cell and day. False discovery "
        f"rate (Benjamini–Hochberg) at most {q * 100:g} % at the 95 % level. "
        f"{hot} cells are hot.",
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
) -> HotspotResult:
    """Compute Gi* hotspot classes for filtered concerns.

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
) -> HotspotResult:
    """Gi* classes from concerns already counted per cell (after one voice per place).

    The database can count a year of concerns per cell far faster than they can be
    loaded; :func:`compute_hotspots` counts in memory and ends here too.

    Parameters
    ----------
    data_cells, data_counts : array_like
        H3 cells (uint64) and how many voices each holds; cells outside ``mask`` are not
        counted.
    mask : array_like of uint64
        The study area's cells.
    """
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
    if significant:
        z, p = getis_ord_gi_star(counts, ring_neighbours(mask, NEIGHBOUR_RINGS))
        classes = hotspot_classes(z, p, q)
    else:
        z, p = np.full(mask.size, np.nan), np.full(mask.size, np.nan)
        classes = np.full(mask.size, "not_significant")
    sv, en = _explain(n_reports, n_cells, min_reports, min_cells, q, classes)
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
    )
