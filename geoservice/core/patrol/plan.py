"""Patrol plan: which places to visit in a time window, and in which order (SPEC §6).

:func:`plan_patrol` works over a rolling look-back (the caller passes the concerns of, by
default, the last 12 months) in five steps:

1. **Window** — each concern gets its aoristic weight for the
   :class:`~geoservice.core.analysis.timewindow.TimeWindow` (the share of its possible hours
   the window covers, :mod:`geoservice.core.analysis.timewindow`). A concern is **in the
   window** when that weight is above 0 and its time is known (a band other than
   ``unknown``, or an exact hour). One voice per place
   (:func:`~geoservice.core.analysis.hotspots.one_voice_per_place`) applies throughout.
   Every count a stop shows is a whole number of voices; the aoristic sum stays available
   as ``weighted`` in the detail.
2. **Zones** — hotspots (:func:`~geoservice.core.analysis.hotspots.hotspots_from_counts`:
   local-background test, FDR, at least *k* voices) on the in-window voices per H3 cell
   inside the study area; neighbouring hot cells merge into zones
   (:func:`~geoservice.core.analysis.zones.hot_zones`), each named from the gazetteer.
   Zones come first, strongest first.
3. **Places by count** — when too few zones are significant (or the data are too thin to
   test: fewer than 30 cells or 60 voices), the cells with most in-window voices follow,
   greedily, two stops never neighbours (a chosen cell takes its six ring-1 neighbours and
   the cells of every chosen zone out), each named from the gazetteer.
4. **Reasons** — every stop says in whole counts what it rests on, e.g. "vid Resecentrum:
   het zon (99 %): 9 synpunkter senaste 12 mån, 6 av dem i fönstret, mest narkotika". The
   place name leads, and names are made unique, so no two stops read alike.
5. **Route** — the stops are visited on an open path that starts at ``start`` and does
   not return, over stop centres in SWEREF 99 TM (EPSG:3006), straight-line metres. Up to
   :data:`EXACT_MAX_STOPS` stops the exact shortest path
   (:func:`~geoservice.core.patrol.routing.shortest_open_path`, Held–Karp); beyond that
   nearest neighbour then 2-opt (:func:`~geoservice.core.patrol.routing.two_opt`).

:func:`window_evidence` counts what a window and look-back hold, so the web layer can say
which wider window would have enough data. Straight-line metres understate the walk or
drive; they rank routes, not timetables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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
    cells_for_points,
    count_by_cell,
)
from geoservice.core.analysis.hotspots import (
    MIN_CELLS,
    MIN_REPORTS,
    MIN_VOICES,
    hotspots_from_counts,
    one_voice_per_place,
)
from geoservice.core.analysis.study_area import study_area_cells
from geoservice.core.analysis.timewindow import TimeWindow, band_of_hour, window_weights
from geoservice.core.analysis.zones import hot_zones, voice_table
from geoservice.core.categories import CATEGORIES
from geoservice.core.patrol.routing import (
    nearest_neighbour_order,
    route_length,
    shortest_open_path,
    two_opt,
)
from geoservice.core.places.gazetteer import Gazetteer

__all__ = [
    "DEFAULT_LOOKBACK_MONTHS",
    "EXACT_MAX_STOPS",
    "MAX_STOPS",
    "TOWN_CENTRE",
    "PatrolPlan",
    "PatrolStop",
    "WindowEvidence",
    "plan_patrol",
    "window_evidence",
]

TOWN_CENTRE: tuple[float, float] = (58.7005, 12.4535)
"""Default start (lat, lon), Mellerud town centre (project estimate, see ``core/demo.py``)."""

MAX_STOPS: int = 50
"""Most stops a plan may ask for."""

EXACT_MAX_STOPS: int = 10
"""Up to this many stops the route is the exact shortest open path (Held–Karp)."""

DEFAULT_LOOKBACK_MONTHS: int = 12
"""Planning looks back over a rolling year, as analysts plan."""

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
_BANDS = ("day", "evening", "night", "unknown")
_BAND_SV = {"day": "dagtid", "evening": "kvällstid", "night": "nattetid"}
_BAND_EN = {"day": "by day", "evening": "in the evening", "night": "at night"}
_LABELS = {c.code: (c.label_sv, c.label_en) for c in CATEGORIES}
_CONFIDENCE = {"hot_99": "99", "hot_95": "95", "hot_90": "90"}


@dataclass(frozen=True)
class PatrolStop:
    """One stop of a patrol plan: a hot zone or a named place worth a visit in the window.

    Attributes
    ----------
    rank : int
        1 for the strongest candidate (hot zones first, then places by count).
    kind : str
        ``"zone"`` (a significant hot zone) or ``"place"`` (a cell among those with most
        concerns in the window).
    place_sv, place_en : str
        The stop's name from the gazetteer (unique within the plan).
    cell : str
        H3 index (hex string) of the stop's busiest cell (its zone's detail in ``cells``).
    cells : tuple of str
        Every cell of the stop.
    lat, lon : float
        Centre of the stop, EPSG:4326.
    count : int
        Voices in the window (whole; time known and overlapping the window).
    total : int
        Voices at the stop over the whole look-back, at any time.
    weighted : float
        The aoristic sum of the stop's voices for the window (detail; 1 decimal).
    significant : bool
        Whether the stop is a significant hot zone.
    hotspot_class : str
        ``hot_99``, ``hot_95``, ``hot_90`` or ``not_significant``.
    categories : dict of str to int
        In-window voices per category code, most first.
    time_profile : dict of str to int
        In-window voices per time band (an exact hour counts in its own band).
    why_sv, why_en : str
        Why the place is a stop, in whole counts; no two stops of a plan read alike.
    """

    rank: int
    cell: str
    lat: float
    lon: float
    count: int
    significant: bool
    hotspot_class: str
    categories: dict[str, int]
    time_profile: dict[str, int]
    why_sv: str
    why_en: str
    kind: str = "place"
    place_sv: str = ""
    place_en: str = ""
    cells: tuple[str, ...] = ()
    total: int = 0
    weighted: float = 0.0

    def place(self, lang: str = "sv") -> str:
        return self.place_en if lang == "en" else self.place_sv

    def to_dict(self) -> dict[str, Any]:
        """Return the stop as a JSON-ready dict (API field names of SPEC §8, and more)."""
        return {
            "rank": self.rank,
            "kind": self.kind,
            "place": self.place_sv,
            "place_en": self.place_en,
            "cell": self.cell,
            "cells": list(self.cells),
            "lat": self.lat,
            "lon": self.lon,
            "count": self.count,
            "total": self.total,
            "weighted": self.weighted,
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
    n_concerns : int
        Voices in the window inside the study area (whole).
    n_cells : int
        Cells holding those voices.
    lookback_sv, lookback_en : str
        The look-back in words ("senaste 12 mån").
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
    n_concerns: int = 0
    n_cells: int = 0
    lookback_sv: str = "senaste 12 mån"
    lookback_en: str = "last 12 months"
    n_zones: int = 0
    extra: dict = field(default_factory=dict)

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
            "n_concerns": self.n_concerns,
            "n_cells": self.n_cells,
            "n_zones": self.n_zones,
            "lookback": self.lookback_sv,
            "lookback_en": self.lookback_en,
            "explanation_sv": self.explanation_sv,
            "explanation_en": self.explanation_en,
            "window": self.window.to_dict(),
            "start": {"lat": self.start[0], "lon": self.start[1]},
        }


@dataclass(frozen=True)
class WindowEvidence:
    """What a time window holds: voices and cells in the window, and whether that is enough."""

    n_voices: int
    n_cells: int

    @property
    def enough(self) -> bool:
        return self.n_voices >= MIN_REPORTS and self.n_cells >= MIN_CELLS


def _check_start(start: Any) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in start)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"'start' should be a (lat, lon) pair, got {start!r}") from exc
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        raise ValueError(f"'start' should be a (lat, lon) pair in degrees, got {start!r}")
    return lat, lon


def _short_label(code: str, lang: str) -> str:
    sv, en = _LABELS.get(code, (code, code))
    label = (sv if lang == "sv" else en).split(" (")[0].split(",")[0]
    return label[:1].lower() + label[1:] if lang == "sv" else label.lower()


def _bands(df: pd.DataFrame) -> pd.Series:
    band = df["time_of_day"].astype(object).where(df["time_of_day"].notna(), "unknown")
    if "exact_hour" not in df.columns:
        return band
    hours = pd.to_numeric(df["exact_hour"], errors="coerce")
    given = hours.notna()
    band = band.copy()
    band[given] = [band_of_hour(int(h)) for h in hours[given].tolist()]
    return band


def _prepared(df: pd.DataFrame, window: TimeWindow, mask: np.ndarray, resolution: int):
    """Every voice in the look-back, with its cell, weight, band and whether it is in the window."""
    weights = window_weights(df, window) if len(df) else np.zeros(0)
    frame = df.assign(weight=weights, band=_bands(df) if len(df) else [])
    cells = cells_for_points(frame["lat"], frame["lon"], resolution) if len(frame) else []
    voices = one_voice_per_place(frame, np.asarray(cells, dtype=np.uint64))
    voices = voices.loc[np.isin(voices["cell"].to_numpy(np.uint64), mask)]
    known = voices["band"] != "unknown"
    return voices.assign(in_window=(voices["weight"] > 0) & known)


def window_evidence(
    df: pd.DataFrame,
    window: TimeWindow,
    *,
    mask_cells: npt.ArrayLike,
    resolution: int = DEFAULT_H3_RESOLUTION,
) -> WindowEvidence:
    """How many voices and cells a window holds over the concerns of ``df``."""
    mask = np.unique(np.asarray(mask_cells).astype(np.uint64))
    df = _active(df)
    voices = _prepared(df, window, mask, resolution)
    inside = voices.loc[voices["in_window"]]
    return WindowEvidence(int(len(inside)), int(inside["cell"].nunique()))


def _active(df: pd.DataFrame) -> pd.DataFrame:
    if "status" in df.columns:
        df = active_reports(df)
    if "kind" in df.columns:
        df = df.loc[df["kind"] != "safe"]
    return df


def _unique_names(names: list[tuple[str, str]], centres: list[tuple[float, float]]):
    """Give repeated names a compass part, so every stop reads differently."""
    out = list(names)
    for name in {n for n in names if names.count(n) > 1}:
        idx = [i for i, n in enumerate(names) if n == name]
        lat0 = np.mean([centres[i][0] for i in idx])
        lon0 = np.mean([centres[i][1] for i in idx])
        used: set[str] = set()
        for i in idx:
            dlat = centres[i][0] - lat0
            dlon = (centres[i][1] - lon0) * math.cos(math.radians(lat0))
            if abs(dlat) >= abs(dlon):
                side = ("norra", "northern") if dlat > 0 else ("södra", "southern")
            else:
                side = ("östra", "eastern") if dlon > 0 else ("västra", "western")
            label = (f"{name[0]}, {side[0]} delen", f"{name[1]}, {side[1]} part")
            if label[0] in used:
                label = (f"{label[0]} ({len(used) + 1})", f"{label[1]} ({len(used) + 1})")
            used.add(label[0])
            out[i] = label
    return out


def _why(stop: dict, lookback: tuple[str, str], window: TimeWindow) -> tuple[str, str]:
    cls = stop["hotspot_class"]
    if cls in _CONFIDENCE:
        head_sv, head_en = f"het zon ({_CONFIDENCE[cls]} %)", f"hot zone ({_CONFIDENCE[cls]} %)"
    elif stop["significant_data"]:
        head_sv, head_en = (
            "många synpunkter, ingen säkerställd hotspot",
            ("many concerns, not a significant hotspot"),
        )
    else:
        head_sv, head_en = (
            "flest synpunkter (för lite data för att pröva hotspots)",
            ("most concerns (too little data to test for hotspots)"),
        )
    total, count = stop["total"], stop["count"]
    word_sv = "synpunkt" if total == 1 else "synpunkter"
    word_en = "concern" if total == 1 else "concerns"
    sv = (
        f"{stop['place_sv']}: {head_sv} – {total} {word_sv} {lookback[0]}, {count} av dem i "
        f"fönstret ({window.describe('sv')})"
    )
    en = (
        f"{stop['place_en']}: {head_en} – {total} {word_en} in the {lookback[1]}, {count} of "
        f"them in the window ({window.describe('en')})"
    )
    cats = stop["categories"]
    if cats:
        top = next(iter(cats))
        sv += f", mest {_short_label(top, 'sv')} ({cats[top]})"
        en += f", mostly {_short_label(top, 'en')} ({cats[top]})"
    known = {b: v for b, v in stop["time_profile"].items() if b in _BAND_SV}
    if known:
        band = max(known, key=known.get)
        sv += f", oftast {_BAND_SV[band]}"
        en += f", most often {_BAND_EN[band]}"
    return sv + ".", en + "."


def _profile(rows: pd.DataFrame) -> tuple[dict[str, int], dict[str, int]]:
    cats = rows.groupby("category").size().sort_values(ascending=False, kind="stable")
    bands = rows.groupby("band").size().reindex(list(_BANDS)).fillna(0)
    return (
        {str(k): int(v) for k, v in cats.items() if v > 0},
        {str(k): int(v) for k, v in bands.items() if v > 0},
    )


def _explain(window, lookback, n_voices, n_cells, significant, n_zones, n_stops, wanted, method):
    when_sv, when_en = window.describe("sv"), window.describe("en")
    if n_stops == 0:
        return (
            f"Inga synpunkter i fönstret {when_sv} {lookback[0]}: ingen patrullplan.",
            f"No concerns in the window {when_en} in the {lookback[1]}: no patrol plan.",
        )
    base_sv = (
        f"Underlag: synpunkterna {lookback[0]}. {n_voices} av dem ligger i fönstret "
        f"{when_sv} (känd tid som överlappar fönstret), i {n_cells} rutor; högst en per "
        "person, ruta och dag."
    )
    base_en = (
        f"Based on the concerns of the {lookback[1]}. {n_voices} of them lie in the window "
        f"{when_en} (a known time overlapping the window), in {n_cells} cells; at most one "
        "per person, cell and day."
    )
    if not significant:
        rule_sv = (
            f"För lite data för att säga var det finns statistiskt säkerställda hotspots "
            f"(minst {MIN_REPORTS} synpunkter i minst {MIN_CELLS} rutor behövs): "
            "stoppen är platserna med flest synpunkter."
        )
        rule_en = (
            f"Too little data to say where there are statistically significant hotspots "
            f"(at least {MIN_REPORTS} concerns in at least {MIN_CELLS} cells are needed): "
            "the stops are the places with most concerns."
        )
    elif n_zones:
        rule_sv = f"{n_zones} heta zoner kommer först, sedan platserna med flest synpunkter."
        rule_en = f"{n_zones} hot zones come first, then the places with most concerns."
    else:
        rule_sv = "Ingen het zon i fönstret: stoppen är platserna med flest synpunkter."
        rule_en = "No hot zone in the window: the stops are the places with most concerns."
    short_sv = short_en = ""
    if n_stops < wanted:
        short_sv = f" Bara {n_stops} av {wanted} stopp: fler platser med synpunkter fanns inte."
        short_en = f" Only {n_stops} of {wanted} stops: no more places held concerns."
    if method == "exact":
        route_sv = "är den kortaste i fågelväg genom stoppen"
        route_en = "is the shortest straight-line path through the stops"
    else:
        route_sv = "är en kort väg i fågelväg genom stoppen (närmaste granne, sedan 2-opt)"
        route_en = "is a short straight-line path (nearest neighbour, then 2-opt)"
    return (
        f"{base_sv} {rule_sv} Två grannrutor blir aldrig var sitt stopp. Rutten börjar vid "
        f"startpunkten och {route_sv}.{short_sv}",
        f"{base_en} {rule_en} Two neighbouring cells never become separate stops. The route "
        f"starts at the start point and {route_en}.{short_en}",
    )


def plan_patrol(
    df: pd.DataFrame,
    window: TimeWindow,
    *,
    stops: int = 5,
    start: tuple[float, float] = TOWN_CENTRE,
    mask_cells: npt.ArrayLike | None = None,
    resolution: int = DEFAULT_H3_RESOLUTION,
    places: Gazetteer | None = None,
    min_voices: int = MIN_VOICES,
    lookback: tuple[str, str] = ("senaste 12 mån", "last 12 months"),
) -> PatrolPlan:
    """Plan a patrol: the zones and places most worth visiting in a time window, and a route.

    Parameters
    ----------
    df : pandas.DataFrame
        Concerns of the look-back (default: the last 12 months; already filtered by
        category etc.) with ``lon``, ``lat`` (EPSG:4326), ``created_at`` (tz-aware),
        ``precision``, ``client_key``, ``category``, ``time_of_day`` and optionally
        ``weekend``, ``exact_hour``, ``status`` and ``kind`` (safe places are dropped).
    window : TimeWindow
        When the patrol goes out.
    stops : int, default 5
        How many stops, 1 to :data:`MAX_STOPS`.
    start : (lat, lon), default TOWN_CENTRE
        Where the route starts, EPSG:4326.
    mask_cells : array_like of uint64, optional
        Study area (see :func:`~geoservice.core.analysis.study_area.study_area_cells`); pass the
        mask of all concerns so it is the same for every window. Default: built from
        every row of ``df``, whatever the window.
    resolution : int, default DEFAULT_H3_RESOLUTION
        H3 resolution.
    places : Gazetteer, optional
        Names the stops; without one, stops are called "Zon 1", "Plats 2", ...
    min_voices : int, default MIN_VOICES
        *k* of the evidence rule for hot zones.
    lookback : (str, str)
        The look-back in Swedish and English words, for the reasons.

    Returns
    -------
    PatrolPlan

    Raises
    ------
    ValueError
        On a bad ``window``, ``stops`` or ``start``, a missing column or bad values.
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

    df = _active(df)
    if mask_cells is None:
        mask = study_area_cells(df["lon"], df["lat"], resolution=resolution)
    else:
        mask = np.asarray(mask_cells)
        if mask.size and mask.dtype.kind not in "iu":
            raise ValueError(f"'mask_cells' should hold integer H3 indexes, got {mask.dtype}")
        mask = np.unique(mask.astype(np.uint64).ravel())
        mask = mask[mask != 0]

    voices = _prepared(df, window, mask, resolution)
    inside = voices.loc[voices["in_window"]]
    data_cells, counts = count_by_cell(inside["cell"].to_numpy(np.uint64))
    result = hotspots_from_counts(data_cells, counts, mask, min_voices=min_voices)
    zones = []
    if result.n_hot:
        table = voice_table(inside.assign(weekend=inside.get("weekend")))
        zones = hot_zones(result, table, places=places)

    cell_of_voice = voices["cell"].to_numpy(np.uint64)
    drafts: list[dict] = []
    taken: set[int] = set()
    for zone in zones[:stops]:
        ints = np.array([h3.str_to_int(c) for c in zone.cells], dtype=np.uint64)
        busiest = ints[np.argmax(result.counts[np.searchsorted(result.cells, ints)])]
        drafts.append(
            {
                "kind": "zone",
                "cells": ints,
                "cell": int(busiest),
                "hotspot_class": zone.hotspot_class,
                "place_sv": zone.name_sv,
                "place_en": zone.name_en,
                "lat": zone.lat,
                "lon": zone.lon,
            }
        )
        for c in ints.tolist():
            taken.update(int(n) for n in h3n.grid_disk(int(c), 1))
    if len(drafts) < stops and counts.size:
        order = np.lexsort((data_cells, -counts))
        for idx in order.tolist():
            cell = int(data_cells[idx])
            if cell in taken:
                continue
            lat, lon = h3n.cell_to_latlng(cell)
            number = len(drafts) + 1
            label = (
                (places.label(cell, "sv"), places.label(cell, "en"))
                if places is not None
                else (f"Plats {number}", f"Place {number}")
            )
            drafts.append(
                {
                    "kind": "place",
                    "cells": np.array([cell], dtype=np.uint64),
                    "cell": cell,
                    "hotspot_class": "not_significant",
                    "place_sv": label[0],
                    "place_en": label[1],
                    "lat": round(float(lat), 6),
                    "lon": round(float(lon), 6),
                }
            )
            taken.update(int(n) for n in h3n.grid_disk(cell, 1))
            if len(drafts) == stops:
                break

    names = _unique_names(
        [(d["place_sv"], d["place_en"]) for d in drafts], [(d["lat"], d["lon"]) for d in drafts]
    )
    stop_list = []
    for rank, (d, name) in enumerate(zip(drafts, names, strict=True), start=1):
        mine = np.isin(cell_of_voice, d["cells"])
        rows = voices.loc[mine]
        in_rows = rows.loc[rows["in_window"]]
        cats, bands = _profile(in_rows)
        d.update(
            place_sv=name[0],
            place_en=name[1],
            total=int(len(rows)),
            count=int(len(in_rows)),
            categories=cats,
            time_profile=bands,
            significant_data=result.significant,
        )
        why_sv, why_en = _why(d, lookback, window)
        stop_list.append(
            PatrolStop(
                rank=rank,
                cell=h3.int_to_str(d["cell"]),
                lat=d["lat"],
                lon=d["lon"],
                count=d["count"],
                significant=d["kind"] == "zone",
                hotspot_class=d["hotspot_class"],
                categories=cats,
                time_profile=bands,
                why_sv=why_sv,
                why_en=why_en,
                kind=d["kind"],
                place_sv=name[0],
                place_en=name[1],
                cells=tuple(sorted(h3.int_to_str(int(c)) for c in d["cells"])),
                total=d["total"],
                weighted=round(float(rows["weight"].sum()), 1),
            )
        )

    lat = np.array([s.lat for s in stop_list])
    lon = np.array([s.lon for s in stop_list])
    xy = np.column_stack(_TO_METRIC.transform(lon, lat)) if stop_list else np.zeros((0, 2))
    start_xy = np.array(_TO_METRIC.transform(start[1], start[0]))
    if len(stop_list) <= EXACT_MAX_STOPS:
        order, method = shortest_open_path(xy, start_xy), "exact"
    else:
        order, method = two_opt(xy, nearest_neighbour_order(xy, start_xy), start_xy), "2-opt"
    n_voices, n_cells = int(len(inside)), int(inside["cell"].nunique())
    sv, en = _explain(
        window,
        lookback,
        n_voices,
        n_cells,
        result.significant,
        sum(s.kind == "zone" for s in stop_list),
        len(stop_list),
        stops,
        method,
    )
    return PatrolPlan(
        stops=stop_list,
        order=order,
        route_length_m=round(route_length(xy, order, start_xy)),
        significant_data=result.significant,
        explanation_sv=sv,
        explanation_en=en,
        window=window,
        start=start,
        route_method=method,
        n_concerns=n_voices,
        n_cells=n_cells,
        lookback_sv=lookback[0],
        lookback_en=lookback[1],
        n_zones=len(zones),
    )
