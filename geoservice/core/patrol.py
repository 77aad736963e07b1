"""Patrol plan: where to go in a time window, and in which order (SPEC §6 "Patrol plan").

:func:`plan_patrol` works in four steps:

1. **Window** — each concern is weighted by the share of its possible hours the
   :class:`~geoservice.core.timewindow.TimeWindow` covers (aoristic weighting, see
   :mod:`geoservice.core.timewindow`); concerns with weight 0 are dropped, then one voice
   per place is applied (:func:`~geoservice.core.hotspots.one_voice_per_place`) and the
   weights are summed per H3 cell inside the study area.
2. **Candidates** — Getis-Ord Gi* with FDR classes (:mod:`geoservice.core.hotspots`) on
   the *weighted* counts. Significant hot cells come first, by weighted count; then the
   other cells by weighted count. Only cells holding concerns in the window are
   candidates. Below the minimum-data rule (fewer than 30 cells with data or fewer than
   60 weighted concerns) no significance is claimed, the plan says so, and cells are
   ranked by weighted count alone.
3. **Neighbour rule** — two stops are never neighbours (H3 grid distance 1): they would
   be the same walk. Going down the ranking, a chosen cell removes its six ring-1
   neighbours from the candidates. A stop's count is its own cell's (no absorbing), so
   it matches the hotspot map.
4. **Route** — the stops are visited on an open path that starts at ``start`` and does
   not return, over cell centres in SWEREF 99 TM (EPSG:3006), straight-line metres.
   Nearest neighbour from the start, then 2-opt (:func:`two_opt`). For up to
   :data:`EXACT_MAX_STOPS` stops the exact shortest path (:func:`shortest_open_path`,
   Held–Karp) is used instead: on 200 random cases of 4–7 points 2-opt alone found the
   optimum in 165 (``tests/core/test_patrol.py``), and the exact search costs
   milliseconds.

Straight-line metres understate the walk or drive; they rank routes, not timetables.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import h3
import h3.api.numpy_int as h3n
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

from geoservice.core.aggregate import active_reports
from geoservice.core.categories import CATEGORIES
from geoservice.core.hexgrid import (
    DEFAULT_H3_RESOLUTION,
    cell_centres,
    cells_for_points,
    count_by_cell,
)
from geoservice.core.hotspots import (
    MIN_CELLS,
    MIN_REPORTS,
    NEIGHBOUR_RINGS,
    getis_ord_gi_star,
    hotspot_classes,
    one_voice_per_place,
    ring_neighbours,
    study_area_cells,
)
from geoservice.core.timewindow import TimeWindow, band_of_hour, window_weights

__all__ = [
    "EXACT_MAX_STOPS",
    "GPX_NAMESPACE",
    "MAX_STOPS",
    "TOWN_CENTRE",
    "PatrolPlan",
    "PatrolStop",
    "nearest_neighbour_order",
    "plan_patrol",
    "route_length",
    "shortest_open_path",
    "to_geojson",
    "to_gpx",
    "two_opt",
]

TOWN_CENTRE: tuple[float, float] = (58.7005, 12.4535)
"""Default start (lat, lon), Mellerud town centre (project estimate, see ``core/demo.py``)."""

MAX_STOPS: int = 50
"""Most stops a plan may ask for."""

EXACT_MAX_STOPS: int = 10
"""Up to this many stops the route is the exact shortest open path (Held–Karp)."""

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_CREATOR = "Trygghetskartan Mellerud (geoservice)"

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
_BANDS = ("day", "evening", "night", "unknown")
_BAND_SV = {"day": "dag", "evening": "kväll", "night": "natt", "unknown": "okänd tid"}
_BAND_EN = {"day": "by day", "evening": "in the evening", "night": "at night"}
_LABELS = {c.code: (c.label_sv, c.label_en) for c in CATEGORIES}
_CONFIDENCE = {"hot_99": "99", "hot_95": "95", "hot_90": "90"}


# --------------------------------------------------------------------------------------
# Routing on points in metres
# --------------------------------------------------------------------------------------


def _points(points_xy: npt.ArrayLike) -> np.ndarray:
    pts = np.asarray(points_xy, dtype=float)
    if pts.size == 0:
        return pts.reshape(0, 2)
    if pts.ndim != 2 or pts.shape[1] != 2 or not np.isfinite(pts).all():
        raise ValueError(f"'points_xy' should be finite (n, 2) coordinates, got shape {pts.shape}")
    return pts


def _start(start_xy: npt.ArrayLike | None) -> np.ndarray | None:
    if start_xy is None:
        return None
    xy = np.asarray(start_xy, dtype=float).ravel()
    if xy.shape != (2,) or not np.isfinite(xy).all():
        raise ValueError(f"'start_xy' should be one finite (x, y) pair, got {start_xy!r}")
    return xy


def _order(order: Sequence[int] | npt.ArrayLike, n: int) -> list[int]:
    out = [int(i) for i in np.asarray(order).ravel()]
    if sorted(out) != list(range(n)):
        raise ValueError(f"'order' should be a permutation of 0..{n - 1}, got {out}")
    return out


def _path_distances(pts: np.ndarray, start: np.ndarray | None) -> np.ndarray:
    """Distances between the points, a start node ``n`` and a free end node ``n + 1``.

    The end node is 0 m from everything, which makes the path open; without a start the
    start node is 0 m from everything too, so the path may begin anywhere.
    """
    n = len(pts)
    nodes = np.vstack([pts, np.zeros((2, 2)) if start is None else [start, start]])
    d = np.hypot(*(nodes[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))
    d[n + 1, :] = d[:, n + 1] = 0.0
    if start is None:
        d[n, :] = d[:, n] = 0.0
    return d


def route_length(
    points_xy: npt.ArrayLike, order: Sequence[int], start_xy: npt.ArrayLike | None = None
) -> float:
    """Return the length of the open path ``start → points[order[0]] → …``.

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres (e.g. EPSG:3006).
    order : sequence of int
        Visiting order, a permutation of ``range(n)``.
    start_xy : array_like, shape (2,), optional
        Start point; without it the path starts at the first stop.

    Returns
    -------
    float
        Sum of straight-line leg lengths, in the units of the coordinates. The path does
        not return to the start.
    """
    pts, start = _points(points_xy), _start(start_xy)
    seq = pts[_order(order, len(pts))]
    if start is not None:
        seq = np.vstack([start, seq])
    if len(seq) < 2:
        return 0.0
    return float(np.hypot(*np.diff(seq, axis=0).T).sum())


def nearest_neighbour_order(
    points_xy: npt.ArrayLike, start_xy: npt.ArrayLike | None = None
) -> list[int]:
    """Return a visiting order by always going to the nearest unvisited point.

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres.
    start_xy : array_like, shape (2,), optional
        Where the walk starts; without it, at point 0.

    Returns
    -------
    list of int
        A permutation of ``range(n)``; ties go to the lower index.
    """
    pts, start = _points(points_xy), _start(start_xy)
    n = len(pts)
    if n == 0:
        return []
    left = np.ones(n, dtype=bool)
    if start is None:
        order, here = [0], pts[0]
        left[0] = False
    else:
        order, here = [], start
    while left.any():
        dist = np.where(left, np.hypot(*(pts - here).T), np.inf)
        nxt = int(np.argmin(dist))
        order.append(nxt)
        left[nxt] = False
        here = pts[nxt]
    return order


def two_opt(
    points_xy: npt.ArrayLike, order: Sequence[int], start_xy: npt.ArrayLike | None = None
) -> list[int]:
    """Improve an open-path visiting order by 2-opt until no move shortens it.

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres.
    order : sequence of int
        Initial visiting order (e.g. :func:`nearest_neighbour_order`).
    start_xy : array_like, shape (2,), optional
        Fixed start point that is not itself a stop. Without it both ends are free.

    Returns
    -------
    list of int
        A visiting order never longer than ``order``.

    Notes
    -----
    Best-improvement 2-opt on an open path: the path is ``start, stops…, end`` where
    ``end`` is a free node at distance 0 from everything (and so is ``start`` when none
    is given). A move reverses the stops ``i..j``; the segment may include the first
    or the last stop, so the path's first stop and its end can change, never the start.
    Each pass applies the move that shortens the path most, until none shortens it by
    more than a millimetre. The result is 2-optimal, not necessarily shortest.
    """
    pts, start = _points(points_xy), _start(start_xy)
    n = len(pts)
    path = [n, *_order(order, n), n + 1]
    if n < 2:
        return path[1:-1]
    d = _path_distances(pts, start)
    while True:
        best, move = -1e-3, None
        for i in range(1, n):
            a, b = path[i - 1], path[i]
            for j in range(i + 1, n + 1):
                c, e = path[j], path[j + 1]
                delta = d[a, c] + d[b, e] - d[a, b] - d[c, e]
                if delta < best:
                    best, move = delta, (i, j)
        if move is None:
            return path[1:-1]
        i, j = move
        path[i : j + 1] = path[i : j + 1][::-1]


def shortest_open_path(
    points_xy: npt.ArrayLike, start_xy: npt.ArrayLike | None = None
) -> list[int]:
    """Return the exact shortest open-path visiting order (Held–Karp dynamic programme).

    Parameters
    ----------
    points_xy : array_like, shape (n, 2)
        Stop coordinates in metres; ``n`` at most 12 (time and memory grow as
        ``n**2 2**n``).
    start_xy : array_like, shape (2,), optional
        Fixed start point; without it the path may start at any stop.

    Returns
    -------
    list of int
        A shortest visiting order; among equally short ones, the one found first.
    """
    pts, start = _points(points_xy), _start(start_xy)
    n = len(pts)
    if n > 12:
        raise ValueError(f"'points_xy' should hold at most 12 points for an exact search, got {n}")
    if n < 2:
        return list(range(n))
    d = _path_distances(pts, start)[: n + 1, : n + 1]
    full = 1 << n
    cost = np.full((full, n), np.inf)
    back = np.full((full, n), -1, dtype=np.int64)
    for j in range(n):
        cost[1 << j, j] = d[n, j]
    for mask in range(1, full):
        members = [j for j in range(n) if mask >> j & 1]
        if len(members) < 2:
            continue
        for j in members:
            # cost[prev, k] is inf for k outside prev, so the minimum skips them.
            options = cost[mask ^ (1 << j)] + d[:n, j]
            back[mask, j] = k = int(np.argmin(options))
            cost[mask, j] = options[k]
    last = int(np.argmin(cost[full - 1]))
    order, mask = [], full - 1
    while last >= 0:
        order.append(last)
        mask, last = mask ^ (1 << last), int(back[mask, last])
    return order[::-1]


# --------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatrolStop:
    """One stop of a patrol plan: a hex cell worth a visit in the window.

    Attributes
    ----------
    rank : int
        1 for the strongest candidate (significant hot cells first, then by count).
    cell : str
        H3 index (hex string) of the cell.
    lat, lon : float
        Cell centre, EPSG:4326.
    count : float
        Concerns in the cell and window after one voice per place, each weighted by the
        share of its possible hours the window covers; rounded to 1 decimal.
    significant : bool
        Whether Gi* found the cell a hot spot (never True when data are too thin).
    hotspot_class : str
        ``hot_99``, ``hot_95``, ``hot_90`` or ``not_significant``.
    categories : dict of str to float
        Weighted count per category code, largest first, zeros left out.
    time_profile : dict of str to float
        Weighted count per time band (``day``, ``evening``, ``night``, ``unknown``; an
        exact hour counts in its own band), zeros left out.
    why_sv, why_en : str
        One sentence on why the cell is a stop.
    """

    rank: int
    cell: str
    lat: float
    lon: float
    count: float
    significant: bool
    hotspot_class: str
    categories: dict[str, float]
    time_profile: dict[str, float]
    why_sv: str
    why_en: str

    def to_dict(self) -> dict[str, Any]:
        """Return the stop as a JSON-ready dict (API field names of SPEC §8)."""
        return {
            "rank": self.rank,
            "cell": self.cell,
            "lat": self.lat,
            "lon": self.lon,
            "count": self.count,
            "significant": self.significant,
            "hotspot_class": self.hotspot_class,
            "categories": dict(self.categories),
            "time_profile": dict(self.time_profile),
            "why_sv": self.why_sv,
            "why_en": self.why_en,
        }


@dataclass(frozen=True)
class PatrolPlan:
    """Stops for a time window and the order to visit them.

    Attributes
    ----------
    stops : list of PatrolStop
        By rank (strongest first).
    order : list of int
        Visiting order: indexes into ``stops``.
    route_length_m : float
        Straight-line length in metres (EPSG:3006) of the open path from ``start``
        through the stops in ``order``, not back; rounded to whole metres.
    significant_data : bool
        Whether there were enough data in the window to test for hotspots at all.
    explanation_sv, explanation_en : str
        How the stops were chosen and ordered, for the page.
    window : TimeWindow
    start : tuple of float
        Start point (lat, lon), EPSG:4326.
    route_method : str
        ``"exact"`` (Held–Karp) or ``"2-opt"`` (nearest neighbour then 2-opt).
    n_concerns : float
        Weighted concerns in the window inside the study area, after one voice per place.
    """

    stops: list[PatrolStop]
    order: list[int]
    route_length_m: float
    significant_data: bool
    explanation_sv: str
    explanation_en: str
    window: TimeWindow
    start: tuple[float, float] = TOWN_CENTRE
    route_method: str = "exact"
    n_concerns: float = 0.0

    @property
    def route(self) -> list[PatrolStop]:
        """The stops in visiting order."""
        return [self.stops[i] for i in self.order]

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as a JSON-ready dict (``GET /api/v1/patrol-plan``)."""
        return {
            "stops": [s.to_dict() for s in self.stops],
            "order": list(self.order),
            "route_length_m": self.route_length_m,
            "route_method": self.route_method,
            "significant_data": self.significant_data,
            "explanation_sv": self.explanation_sv,
            "explanation_en": self.explanation_en,
            "window": self.window.to_dict(),
            "start": {"lat": self.start[0], "lon": self.start[1]},
        }


def _check_start(start: Any) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in start)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"'start' should be a (lat, lon) pair, got {start!r}") from exc
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise ValueError(f"'start' should be a (lat, lon) pair in degrees, got {start!r}")
    return lat, lon


def _fmt(value: float, lang: str) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def _short_label(code: str, lang: str) -> str:
    sv, en = _LABELS.get(code, (code, code))
    label = (sv if lang == "sv" else en).split(" (")[0]
    return label[:1].lower() + label[1:] if lang == "sv" else label.lower()


def _why(count: float, cls: str, significant_data: bool, cats: dict, bands: dict) -> tuple:
    if cls in _CONFIDENCE:
        head_sv = f"Statistiskt säkerställd hotspot ({_CONFIDENCE[cls]} %)"
        head_en = f"Statistically significant hotspot ({_CONFIDENCE[cls]} %)"
    elif significant_data:
        head_sv = "Ingen säkerställd hotspot, men bland rutorna med flest synpunkter"
        head_en = "Not a significant hotspot, but among the cells with most concerns"
    else:
        head_sv = "Bland rutorna med flest synpunkter (för lite data för att pröva hotspots)"
        head_en = "Among the cells with most concerns (too little data to test for hotspots)"
    word_sv = "synpunkt" if count == 1 else "synpunkter"
    word_en = "concern" if count == 1 else "concerns"
    sv = f"{head_sv}: {_fmt(count, 'sv')} {word_sv} i fönstret"
    en = f"{head_en}: {_fmt(count, 'en')} {word_en} in the window"
    if cats:
        top = next(iter(cats))
        sv += f", mest {_short_label(top, 'sv')}"
        en += f", mostly {_short_label(top, 'en')}"
    known = {b: v for b, v in bands.items() if b != "unknown"}
    if known:
        top_band = max(known, key=known.get)
        sv += f", oftast {_BAND_SV[top_band]}"
        en += f", most often {_BAND_EN[top_band]}"
    return sv + ".", en + "."


def _explain(window, n_concerns, n_cells, significant_data, n_hot, n_stops, stops_wanted, method):
    when_sv, when_en = window.describe("sv"), window.describe("en")
    if n_stops == 0:
        return (
            f"Inga synpunkter i fönstret {when_sv}: ingen patrullplan.",
            f"No concerns in the window {when_en}: no patrol plan.",
        )
    weighted_sv = (
        f"{_fmt(round(n_concerns, 1), 'sv')} synpunkter i fönstret {when_sv} (viktade efter "
        f"hur stor del av deras tid fönstret täcker) i {n_cells} rutor"
    )
    weighted_en = (
        f"{_fmt(round(n_concerns, 1), 'en')} concerns in the window {when_en} (weighted by "
        f"the share of their time the window covers) in {n_cells} cells"
    )
    if not significant_data:
        rule_sv = (
            f"För lite data för att säga var det finns statistiskt säkerställda hotspots "
            f"(minst {MIN_REPORTS} synpunkter i minst {MIN_CELLS} rutor behövs): "
            "stoppen är rutorna med flest synpunkter."
        )
        rule_en = (
            f"Too little data to say where there are statistically significant hotspots "
            f"(at least {MIN_REPORTS} concerns in at least {MIN_CELLS} cells are needed): "
            "the stops are the cells with most concerns."
        )
    else:
        rule_sv = (
            f"Getis-Ord Gi* fann {n_hot} heta rutor; de kommer först, sedan rutorna med "
            "flest synpunkter."
        )
        rule_en = (
            f"Getis-Ord Gi* found {n_hot} hot cells; they come first, then the cells with "
            "most concerns."
        )
    short_sv = short_en = ""
    if n_stops < stops_wanted:
        short_sv = f" Bara {n_stops} av {stops_wanted} stopp: fler rutor med synpunkter fanns inte."
        short_en = f" Only {n_stops} of {stops_wanted} stops: no more cells held concerns."
    if method == "exact":
        route_sv = "är den kortaste i fågelväg genom stoppen"
        route_en = "is the shortest straight-line path through the stops"
    else:
        route_sv = "är en kort väg i fågelväg genom stoppen (närmaste granne, sedan 2-opt)"
        route_en = "is a short straight-line path (nearest neighbour, then 2-opt)"
    return (
        f"{weighted_sv}. {rule_sv} Två grannrutor blir aldrig var sitt stopp. Rutten börjar "
        f"vid startpunkten och {route_sv}.{short_sv}",
        f"{weighted_en}. {rule_en} Two neighbouring cells never become separate stops. The "
        f"route starts at the start point and {route_en}.{short_en}",
    )


def _rank_candidates(counts: np.ndarray, hot: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Indexes of cells with data: hot cells first, each group by count then z."""
    has_data = np.flatnonzero(counts > 0)
    # lexsort: last key is primary.
    keys = (-z[has_data], -counts[has_data], ~hot[has_data])
    return has_data[np.lexsort(keys)]


def _choose_stops(cells: np.ndarray, ranked: np.ndarray, stops: int) -> list[int]:
    """Walk down the ranking; a chosen cell takes its ring-1 neighbours out."""
    chosen: list[int] = []
    blocked: set[int] = set()
    for idx in ranked.tolist():
        cell = int(cells[idx])
        if cell in blocked:
            continue
        chosen.append(idx)
        blocked.update(int(c) for c in h3n.grid_disk(cell, 1))
        if len(chosen) == stops:
            break
    return chosen


def _profiles(voices: pd.DataFrame, chosen_cells: list[int]) -> dict[int, tuple[dict, dict]]:
    mine = voices.loc[voices["cell"].isin(chosen_cells)]
    out = {}
    for cell, group in mine.groupby("cell", sort=False):
        cats = group.groupby("category")["weight"].sum()
        cats = cats[cats.round(1) > 0].sort_values(ascending=False, kind="stable")
        bands = group.groupby("band")["weight"].sum().reindex(list(_BANDS)).fillna(0.0)
        out[int(cell)] = (
            {str(k): round(float(v), 1) for k, v in cats.items()},
            {str(k): round(float(v), 1) for k, v in bands.items() if round(float(v), 1) > 0},
        )
    return out


def _bands(df: pd.DataFrame) -> pd.Series:
    band = df["time_of_day"].astype(object).where(df["time_of_day"].notna(), "unknown")
    if "exact_hour" not in df.columns:
        return band
    hours = pd.to_numeric(df["exact_hour"], errors="coerce")
    given = hours.notna()
    band = band.copy()
    band[given] = [band_of_hour(int(h)) for h in hours[given].tolist()]
    return band


def plan_patrol(
    df: pd.DataFrame,
    window: TimeWindow,
    *,
    stops: int = 5,
    start: tuple[float, float] = TOWN_CENTRE,
    mask_cells: npt.ArrayLike | None = None,
    resolution: int = DEFAULT_H3_RESOLUTION,
) -> PatrolPlan:
    """Plan a patrol: the cells most worth visiting in a time window, and a short route.

    Parameters
    ----------
    df : pandas.DataFrame
        Concerns (already filtered by period, category etc.) with ``lon``, ``lat``
        (EPSG:4326), ``created_at`` (tz-aware), ``precision``, ``client_key``,
        ``category``, ``time_of_day`` and optionally ``weekend``, ``exact_hour``,
        ``status`` (moderated-out rows are dropped) and ``kind`` (``safe`` places are
        dropped: they do not call for a patrol).
    window : TimeWindow
        The patrol's weekdays and hours.
    stops : int, default 5
        Most stops, 1 to :data:`MAX_STOPS`. Fewer come back when fewer cells hold
        concerns in the window.
    start : (float, float), default TOWN_CENTRE
        Where the route starts, (lat, lon) in EPSG:4326.
    mask_cells : array_like of uint64, optional
        Study area (see :func:`~geoservice.core.hotspots.study_area_cells`); pass the
        mask of all concerns so it is the same for every window. Default: built from
        every row of ``df``, whatever the window.
    resolution : int, default DEFAULT_H3_RESOLUTION
        H3 resolution.

    Returns
    -------
    PatrolPlan

    Raises
    ------
    ValueError
        On a bad ``window``, ``stops`` or ``start``, a missing column or bad values.

    Notes
    -----
    See the module docstring for the steps, the neighbour rule and the route.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"'df' should be a DataFrame, got {type(df)}")
    if not isinstance(window, TimeWindow):
        raise ValueError(f"'window' should be a TimeWindow, got {type(window)}")
    if isinstance(stops, bool) or not isinstance(stops, int | np.integer):
        raise ValueError(f"'stops' should be a whole number, got {stops!r}")
    if not 1 <= stops <= MAX_STOPS:
        raise ValueError(f"'stops' should be between 1 and {MAX_STOPS}, got {stops}")
    start = _check_start(start)
    missing = [
        c
        for c in ("lon", "lat", "created_at", "precision", "client_key", "category", "time_of_day")
        if c not in df.columns
    ]
    if missing:
        raise ValueError(f"'df' is missing column(s): {', '.join(missing)}")

    if "status" in df.columns:
        df = active_reports(df)
    if "kind" in df.columns:
        df = df.loc[df["kind"] != "safe"]
    if mask_cells is None:
        mask = study_area_cells(df["lon"], df["lat"], resolution=resolution)
    else:
        mask = np.asarray(mask_cells)
        if mask.size and mask.dtype.kind not in "iu":
            raise ValueError(f"'mask_cells' should hold integer H3 indexes, got {mask.dtype}")
        mask = np.unique(mask.astype(np.uint64).ravel())
        mask = mask[mask != 0]

    weights = window_weights(df, window)
    in_window = df.loc[weights > 0].assign(weight=weights[weights > 0])
    in_window = in_window.assign(band=_bands(in_window))
    cells = cells_for_points(in_window["lat"], in_window["lon"], resolution)
    voices = one_voice_per_place(in_window, cells)
    voices = voices.loc[np.isin(voices["cell"].to_numpy(np.uint64), mask)]

    counts = np.zeros(mask.size)
    data_cells, sums = count_by_cell(voices["cell"].to_numpy(np.uint64), voices["weight"])
    if data_cells.size:
        counts[np.searchsorted(mask, data_cells)] = sums
    n_concerns, n_cells = float(counts.sum()), int((counts > 0).sum())
    significant_data = n_concerns >= MIN_REPORTS and n_cells >= MIN_CELLS
    if significant_data:
        z, p = getis_ord_gi_star(counts, ring_neighbours(mask, NEIGHBOUR_RINGS))
        classes = hotspot_classes(z, p)
    else:
        z = np.zeros(mask.size)
        classes = np.full(mask.size, "not_significant")
    hot = np.char.startswith(classes.astype(str), "hot")

    chosen = _choose_stops(mask, _rank_candidates(counts, hot, z), stops)
    profiles = _profiles(voices, [int(mask[i]) for i in chosen])
    lat, lon = cell_centres(mask[chosen])
    stop_list = []
    for rank, (idx, la, lo) in enumerate(zip(chosen, lat.tolist(), lon.tolist(), strict=True), 1):
        cats, bands = profiles.get(int(mask[idx]), ({}, {}))
        count = round(float(counts[idx]), 1)
        cls = str(classes[idx]) if hot[idx] else "not_significant"
        why_sv, why_en = _why(count, cls, significant_data, cats, bands)
        stop_list.append(
            PatrolStop(
                rank=rank,
                cell=h3.int_to_str(int(mask[idx])),
                lat=round(la, 6),
                lon=round(lo, 6),
                count=count,
                significant=bool(hot[idx]),
                hotspot_class=cls,
                categories=cats,
                time_profile=bands,
                why_sv=why_sv,
                why_en=why_en,
            )
        )

    xy = np.column_stack(_TO_METRIC.transform(lon, lat)) if chosen else np.zeros((0, 2))
    start_xy = np.array(_TO_METRIC.transform(start[1], start[0]))
    if len(chosen) <= EXACT_MAX_STOPS:
        order, method = shortest_open_path(xy, start_xy), "exact"
    else:
        order, method = two_opt(xy, nearest_neighbour_order(xy, start_xy), start_xy), "2-opt"
    sv, en = _explain(
        window, n_concerns, n_cells, significant_data, int(hot.sum()), len(chosen), stops, method
    )
    return PatrolPlan(
        stops=stop_list,
        order=order,
        route_length_m=round(route_length(xy, order, start_xy)),
        significant_data=significant_data,
        explanation_sv=sv,
        explanation_en=en,
        window=window,
        start=start,
        route_method=method,
        n_concerns=round(n_concerns, 1),
    )


# --------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------


def _headline(stop: PatrolStop, lang: str) -> str:
    top = next(iter(stop.categories), None)
    what = _short_label(top, lang) if top else ""
    if stop.significant:
        head = f"hotspot {_CONFIDENCE[stop.hotspot_class]} %"
    else:
        singular, plural = ("synpunkt", "synpunkter") if lang == "sv" else ("concern", "concerns")
        head = f"{_fmt(stop.count, lang)} {singular if stop.count == 1 else plural}"
    return f"{head}, {what}" if what else head


def to_gpx(plan: PatrolPlan, name: str = "Patrullplan", *, lang: str = "sv") -> str:
    """Return the plan as a GPX 1.1 document for a GPS unit or phone.

    Parameters
    ----------
    plan : PatrolPlan
    name : str, default "Patrullplan"
        Name of the document and the route.
    lang : {"sv", "en"}, default "sv"
        Language of the names and descriptions.

    Returns
    -------
    str
        GPX 1.1 (namespace :data:`GPX_NAMESPACE`), coordinates in WGS 84: one waypoint
        per stop in visiting order, named ``"1. hotspot 99 %, narkotika"`` (visiting
        number, then what) with the reason as ``desc``, and one ``rte`` whose route
        points are the stops in visiting order. The start point is not a route point.
    """
    if not isinstance(plan, PatrolPlan):
        raise ValueError(f"'plan' should be a PatrolPlan, got {type(plan)}")
    if lang not in ("sv", "en"):
        raise ValueError(f"'lang' should be 'sv' or 'en', got {lang!r}")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib) -> ET.Element:
        child = ET.SubElement(parent, tag, attrib)
        if text is not None:
            child.text = text
        return child

    # The namespace is declared on the root and the tags are left unqualified: the
    # serialised document is the same as with qualified tags, without registering a
    # default namespace in ElementTree's process-wide table (its ``default_namespace``
    # option rejects unqualified attributes such as ``lat``).
    root = ET.Element(
        "gpx",
        {
            "xmlns": GPX_NAMESPACE,
            "xmlns:xsi": _XSI,
            "version": "1.1",
            "creator": _CREATOR,
            "xsi:schemaLocation": f"{GPX_NAMESPACE} {GPX_NAMESPACE}/gpx.xsd",
        },
    )
    meta = sub(root, "metadata")
    sub(meta, "name", name)
    sub(meta, "desc", plan.explanation_sv if lang == "sv" else plan.explanation_en)
    points = []
    for number, stop in enumerate(plan.route, 1):
        label = f"{number}. {_headline(stop, lang)}"
        desc = stop.why_sv if lang == "sv" else stop.why_en
        points.append((stop, label, desc))
        wpt = sub(root, "wpt", lat=f"{stop.lat:.6f}", lon=f"{stop.lon:.6f}")
        sub(wpt, "name", label)
        sub(wpt, "desc", desc)
        sub(wpt, "type", stop.hotspot_class)
    rte = sub(root, "rte")
    sub(rte, "name", name)
    sub(rte, "desc", f"{plan.route_length_m:.0f} m")
    for stop, label, _ in points:
        rtept = sub(rte, "rtept", lat=f"{stop.lat:.6f}", lon=f"{stop.lon:.6f}")
        sub(rtept, "name", label)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def to_geojson(plan: PatrolPlan) -> dict[str, Any]:
    """Return the plan as a GeoJSON FeatureCollection (RFC 7946, WGS 84 lon/lat).

    Parameters
    ----------
    plan : PatrolPlan

    Returns
    -------
    dict
        One ``Point`` feature per stop in visiting order, with the stop's fields and
        ``visit`` (1-based visiting number) as properties, then one ``LineString``
        feature for the route from the start through the stops in visiting order, with
        ``route_length_m``, ``route_method`` and the window. Without stops the route
        feature is left out.
    """
    if not isinstance(plan, PatrolPlan):
        raise ValueError(f"'plan' should be a PatrolPlan, got {type(plan)}")
    features: list[dict[str, Any]] = []
    for number, stop in enumerate(plan.route, 1):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                "properties": {"feature": "stop", "visit": number, **stop.to_dict()},
            }
        )
    if plan.stops:
        line = [[plan.start[1], plan.start[0]]] + [[s.lon, s.lat] for s in plan.route]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "feature": "route",
                    "route_length_m": plan.route_length_m,
                    "route_method": plan.route_method,
                    "significant_data": plan.significant_data,
                    "window": plan.window.to_dict(),
                    "explanation_sv": plan.explanation_sv,
                    "explanation_en": plan.explanation_en,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
