"""Does the patrol plan find a hotspot that is active only in its time window?

An evaluation on **synthetic** data (nothing here comes from residents): over a realistic
background of invented concerns from :func:`geoservice.core.demo.synthesize_reports`,
two cells get planted concerns that are active only at certain times:

* cell **A** — weekend nights (``night`` band, ``weekend`` True, some with an exact hour
  22–02), drugs and disorder;
* cell **B** — weekday afternoons (``day`` band, ``weekend`` False, some with an exact hour
  13–17), traffic and harassment.

For each seed the A-window plan (``weekend 22–04``) and the B-window plan
(``weekdays 12–18``) are made with :func:`~geoservice.core.patrol.plan.plan_patrol`, and we
record whether the planted cell is one of the stops (*recovered*), at which rank, whether
Gi* called it a hotspot, and whether the *other* window's planted cell turned up
(it should not: its concerns lie outside the window). An all-week plan (every day 00–24)
on the same data is the baseline that shows what the window adds.

A and B are drawn per seed among cells within :data:`TOWN_RADIUS_M` of the town centre,
at least four rings apart, and never within one ring of a stop that the background
alone already gives in that window, so a recovery is the planted signal's doing. Results
are written up in ``docs/patrol-evaluation.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import h3
import h3.api.numpy_int as h3n
import numpy as np
import pandas as pd
from pyproj import Transformer

from geoservice.core.analysis.hexgrid import cell_centres
from geoservice.core.analysis.study_area import study_area_cells
from geoservice.core.analysis.timewindow import TimeWindow
from geoservice.core.demo import synthesize_reports
from geoservice.core.patrol.plan import TOWN_CENTRE, PatrolPlan, plan_patrol
from geoservice.core.places.boundaries import load_outline

__all__ = [
    "ALL_WEEK",
    "PERIOD",
    "TOWN_RADIUS_M",
    "WINDOW_A",
    "WINDOW_B",
    "RecoveryResult",
    "evaluate_recovery",
    "plant_concerns",
]

WINDOW_A = TimeWindow.parse("weekend", 22, 4)
"""Window of planted cell A (weekend nights)."""

WINDOW_B = TimeWindow.parse("weekdays", 12, 18)
"""Window of planted cell B (weekday afternoons)."""

ALL_WEEK = TimeWindow(frozenset(range(7)), 0, 24)
"""Baseline: every hour of the week."""

PERIOD = (datetime(2025, 11, 27, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC))
"""One year of synthetic concerns."""

TOWN_RADIUS_M = 1200.0
"""Planted cells lie within this distance of the town centre (EPSG:3006)."""

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
_TO_LONLAT = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
_SCATTER_M = 35.0  # planted points lie within this distance of the cell centre: inside it


def plant_concerns(
    cell: int,
    n: int,
    rng: np.random.Generator,
    *,
    band: str,
    weekend: bool,
    hours: tuple[int, ...],
    categories: tuple[str, ...],
    prefix: str,
) -> pd.DataFrame:
    """Return ``n`` invented concerns inside ``cell`` with a given time signature.

    Parameters
    ----------
    cell : int
        H3 cell; points are scattered uniformly within 35 m of its centre (EPSG:3006),
        which keeps them inside a resolution-10 cell.
    n : int
        Number of concerns.
    rng : numpy.random.Generator
    band : str
        Time band of 85 % of the concerns; the rest answer ``unknown``.
    weekend : bool
        Weekend answer of 90 %; the rest leave it unanswered (None).
    hours : tuple of int
        Exact hours; 30 % of the concerns with ``band`` give one of them.
    categories : tuple of str
        Category codes, drawn uniformly.
    prefix : str
        Prefix of the synthetic client keys (each concern its own client).

    Returns
    -------
    pandas.DataFrame
        Columns as :func:`~geoservice.core.demo.synthesize_reports`, ``created_at``
        uniform over :data:`PERIOD`.
    """
    lat0, lon0 = h3n.cell_to_latlng(int(cell))
    x0, y0 = _TO_METRIC.transform(lon0, lat0)
    radius = _SCATTER_M * np.sqrt(rng.random(n))
    angle = rng.random(n) * 2 * np.pi
    lon, lat = _TO_LONLAT.transform(x0 + radius * np.cos(angle), y0 + radius * np.sin(angle))
    in_band = rng.random(n) < 0.85
    answered = rng.random(n) < 0.90
    with_hour = in_band & (rng.random(n) < 0.30)
    span = (PERIOD[1] - PERIOD[0]).total_seconds()
    created = pd.Timestamp(PERIOD[0]) + pd.to_timedelta(rng.random(n) * span, unit="s")
    return pd.DataFrame(
        {
            "lon": np.asarray(lon, dtype=float),
            "lat": np.asarray(lat, dtype=float),
            "created_at": created.floor("s"),
            "kind": "unsafe",
            "category": rng.choice(categories, n),
            "time_of_day": np.where(in_band, band, "unknown"),
            "weekend": pd.Series(np.where(answered, weekend, None), dtype=object),
            "precision": "point",
            "client_key": [f"{prefix}{i}" for i in range(n)],
            "exact_hour": pd.Series(
                [int(rng.choice(hours)) if h else None for h in with_hour], dtype=object
            ),
        }
    )


@dataclass(frozen=True)
class RecoveryResult:
    """Outcome of :func:`evaluate_recovery`.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per seed and plan: ``seed``, ``plan`` (``A``, ``B``, ``all_week``),
        ``planted`` (``A`` or ``B``), ``recovered`` (the planted cell is a stop),
        ``near`` (a stop within one ring of it), ``rank`` (its rank, or NaN),
        ``significant`` (a Gi* hot stop), ``significant_data``.
    n_planted : int
    stops : int
    """

    runs: pd.DataFrame
    n_planted: int
    stops: int

    def summary(self) -> pd.DataFrame:
        """Return rates per plan and planted cell: recovered, near, significant, mean rank."""
        grouped = self.runs.groupby(["plan", "planted"], sort=False)
        return grouped.agg(
            runs=("seed", "size"),
            recovered=("recovered", "mean"),
            near=("near", "mean"),
            significant=("significant", "mean"),
            mean_rank=("rank", "mean"),
            significant_data=("significant_data", "mean"),
        )

    def rate(self, plan: str, planted: str, column: str = "recovered") -> float:
        """Return one rate from :meth:`summary`, e.g. ``rate("A", "A")``."""
        return float(self.summary().loc[(plan, planted), column])


def _town_cells(mask: np.ndarray) -> np.ndarray:
    lat, lon = cell_centres(mask)
    x, y = _TO_METRIC.transform(lon, lat)
    cx, cy = _TO_METRIC.transform(TOWN_CENTRE[1], TOWN_CENTRE[0])
    return mask[np.hypot(np.asarray(x) - cx, np.asarray(y) - cy) <= TOWN_RADIUS_M]


def _taken(plan: PatrolPlan) -> set[int]:
    out: set[int] = set()
    for stop in plan.stops:
        for cell in stop.cells or (stop.cell,):
            out.update(int(c) for c in h3n.grid_disk(h3.str_to_int(cell), 1))
    return out


def _pick(cells: np.ndarray, rng: np.random.Generator, avoid: set[int]) -> int:
    free = [int(c) for c in cells.tolist() if int(c) not in avoid]
    return free[int(rng.integers(len(free)))]


def _record(seed: int, name: str, plan: PatrolPlan, planted: dict[str, int]) -> list[dict]:
    # A stop is a zone of one or more cells: any of them counts as finding the planted one.
    stops = {h3.str_to_int(c): s for s in plan.stops for c in (s.cells or (s.cell,))}
    rows = []
    for label, cell in planted.items():
        stop = stops.get(cell)
        near = any(h3n.grid_distance(cell, c) <= 1 for c in stops)
        rows.append(
            {
                "seed": seed,
                "plan": name,
                "planted": label,
                "recovered": stop is not None,
                "near": near,
                "rank": np.nan if stop is None else stop.rank,
                "significant": bool(stop is not None and stop.significant),
                "significant_data": plan.significant_data,
            }
        )
    return rows


def evaluate_recovery(
    seeds: Iterable[int] = range(20),
    *,
    n_background: int = 1500,
    n_planted: int = 12,
    stops: int = 5,
    outline=None,
) -> RecoveryResult:
    """Measure how often the patrol plan recovers window-specific planted hotspots.

    Parameters
    ----------
    seeds : iterable of int, default range(20)
        One scenario per seed (background, planted cells and planted concerns).
    n_background : int, default 1500
        Synthetic background concerns per year (the demo default).
    n_planted : int, default 12
        Concerns planted in each of A and B.
    stops : int, default 5
        Stops per plan.
    outline : geopandas.GeoDataFrame, optional
        Municipality outline; default :func:`~geoservice.core.places.boundaries.load_outline`.

    Returns
    -------
    RecoveryResult
    """
    outline = load_outline() if outline is None else outline
    rows: list[dict] = []
    for seed in seeds:
        rng = np.random.default_rng([seed, 20261127])
        background = synthesize_reports(outline, n_background, *PERIOD, seed=seed)
        mask = study_area_cells(background["lon"], background["lat"], outline=outline)
        town = _town_cells(mask)
        base_a = plan_patrol(background, WINDOW_A, stops=stops, mask_cells=mask)
        base_b = plan_patrol(background, WINDOW_B, stops=stops, mask_cells=mask)
        cell_a = _pick(town, rng, _taken(base_a))
        far_from_a = {int(c) for c in h3n.grid_disk(cell_a, 3)}
        cell_b = _pick(town, rng, _taken(base_b) | far_from_a)
        planted_a = plant_concerns(
            cell_a,
            n_planted,
            rng,
            band="night",
            weekend=True,
            hours=(22, 23, 0, 1, 2),
            categories=("drugs", "disorder"),
            prefix=f"planted-a-{seed}-",
        )
        planted_b = plant_concerns(
            cell_b,
            n_planted,
            rng,
            band="day",
            weekend=False,
            hours=(13, 14, 15, 16, 17),
            categories=("traffic", "harassment"),
            prefix=f"planted-b-{seed}-",
        )
        df = pd.concat([background, planted_a, planted_b], ignore_index=True)
        planted = {"A": cell_a, "B": cell_b}
        for name, window in (("A", WINDOW_A), ("B", WINDOW_B), ("all_week", ALL_WEEK)):
            plan = plan_patrol(df, window, stops=stops, mask_cells=mask)
            rows.extend(_record(seed, name, plan, planted))
    return RecoveryResult(runs=pd.DataFrame(rows), n_planted=n_planted, stops=stops)
