"""Patrol plan: where to go in a time window, and in which order (SPEC §6 "Patrol plan").

:func:`plan_patrol` works in four steps:

1. **Window** — each concern is weighted by the share of its possible hours the
   :class:`~geoservice.core.analysis.timewindow.TimeWindow` covers (aoristic weighting, see
   :mod:`geoservice.core.analysis.timewindow`); concerns with weight 0 are dropped, then one voice
   per place is applied (:func:`~geoservice.core.analysis.hotspots.one_voice_per_place`) and the
   weights are summed per H3 cell inside the study area.
2. **Candidates** — Getis-Ord Gi* with FDR classes (:mod:`geoservice.core.analysis.hotspots`) on
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
   Nearest neighbour from the start, then 2-opt (:func:`~geoservice.core.patrol.routing.two_opt`).
   For up to :data:`EXACT_MAX_STOPS` stops the exact shortest path
   (:func:`~geoservice.core.patrol.routing.shortest_open_path`, Held–Karp) is used instead: on
   200 random cases of 4–7 points 2-opt alone found the optimum in 165
   (``tests/core/patrol/test_plan.py``), and the exact search costs milliseconds.

Straight-line metres understate the walk or drive; they rank routes, not timetables.
The routing itself lives in :mod:`geoservice.core.patrol.routing`, the GPX and GeoJSON exports
in :mod:`geoservice.core.patrol.export`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import h3
import h3.api.numpy_int as h3n
import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

from geoservice.core.analysis.aggregate import active_reports
from geoservice.core.analysis.hexgrid import (
    DEFAULT_H3_RESOLUTION,
    cell_centres,
    cells_for_points,
    count_by_cell,
)
from geoservice.core.analysis.hotspots import (
    MIN_CELLS,
    MIN_REPORTS,
    NEIGHBOUR_RINGS,
    getis_ord_gi_star,
    hotspot_classes,
    one_voice_per_place,
    ring_neighbours,
)
from geoservice.core.analysis.study_area import study_area_cells
from geoservice.core.analysis.timewindow import TimeWindow, band_of_hour, window_weights
from geoservice.core.categories import CATEGORIES
from geoservice.core.patrol.routing import (
    nearest_neighbour_order,
    route_length,
    shortest_open_path,
    two_opt,
)

__all__ = [
    "EXACT_MAX_STOPS",
    "MAX_STOPS",
    "TOWN_CENTRE",
    "PatrolPlan",
    "PatrolStop",
    "plan_patrol",
]

TOWN_CENTRE: tuple[float, float] = (58.7005, 12.4535)
"""Default start (lat, lon), Mellerud town centre (project estimate, see ``core/demo.py``)."""

MAX_STOPS: int = 50
"""Most stops a plan may ask for."""

EXACT_MAX_STOPS: int = 10
"""Up to this many stops the route is the exact shortest open path (Held–Karp)."""

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
_BANDS = ("day", "evening", "night", "unknown")
_BAND_SV = {"day": "dag", "evening": "kväll", "night": "natt", "unknown": "okänd tid"}
_BAND_EN = {"day": "by day", "evening": "in the evening", "night": "at night"}
_LABELS = {c.code: (c.label_sv, c.label_en) for c in CATEGORIES}
_CONFIDENCE = {"hot_99": "99", "hot_95": "95", "hot_90": "90"}


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
        Study area (see :func:`~geoservice.core.analysis.study_area.study_area_cells`); pass the
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
