"""Hot zones: neighbouring hot cells merged into named places with whole counts (SPEC §6).

A zone is a group of hotspot cells that touch (H3 grid distance 1, see
:func:`~geoservice.core.analysis.hotspots.hot_components`). Zones are what the staff
hotspot page lists, what ``GET /api/v1/hotspots`` returns beside the cells, what the
period report's hotspot section shows and what the patrol plan visits.

Usage
-----
From concerns in memory::

    from geoservice.core.analysis.hotspots import compute_hotspots, one_voice_per_place
    from geoservice.core.analysis.zones import hot_zones, voice_table

    result = compute_hotspots(df, mask_cells=mask)
    voices = one_voice_per_place(points, cells_for_points(points.lat, points.lon))
    zones = hot_zones(result, voice_table(voices), previous=voice_table(prev_voices),
                      places=gazetteer)
    zones[0].name_sv, zones[0].voices, zones[0].categories, zones[0].time_profile

From counts the database made (``geoservice.store.analysis.voice_table``): pass that table as is;
it has the same columns (:data:`VOICE_COLUMNS`). ``previous`` may also be a pair
``(cells, counts)``. Each :class:`HotZone` has ``to_dict()`` (JSON) and ``to_feature()``
(GeoJSON, EPSG:4326); :func:`zone_features` makes a FeatureCollection and
:func:`zone_rows` the rows of a CSV.

Every number here is a whole count of voices (one voice per client, cell and day);
aoristic weights belong to the patrol plan's detail, not to zones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from geoservice.core.analysis.hexgrid import cell_boundaries, cell_centres
from geoservice.core.analysis.hotspots import HotspotResult
from geoservice.core.places.gazetteer import Gazetteer

__all__ = [
    "BANDS",
    "VOICE_COLUMNS",
    "WEEK_PARTS",
    "HotZone",
    "hot_zones",
    "voice_table",
    "zone_features",
    "zone_rows",
]

VOICE_COLUMNS: tuple[str, ...] = ("cell", "category", "time_of_day", "weekend", "voices")
"""Columns of a voice table: voices per cell, category, time band and weekday/weekend."""

BANDS: tuple[str, ...] = ("day", "evening", "night", "unknown")
WEEK_PARTS: tuple[str, ...] = ("weekday", "weekend", "unknown")
_CLASS_RANK = {"hot_99": 3, "hot_95": 2, "hot_90": 1}


def voice_table(voices: pd.DataFrame) -> pd.DataFrame:
    """Group voices (one row each, with ``cell``) into a voice table.

    Parameters
    ----------
    voices : pandas.DataFrame
        Output of :func:`~geoservice.core.analysis.hotspots.one_voice_per_place`: a
        ``cell`` (uint64), ``category``, ``time_of_day`` and ``weekend`` (bool or None)
        per voice.

    Returns
    -------
    pandas.DataFrame
        :data:`VOICE_COLUMNS`; ``weekend`` as the strings ``weekday``, ``weekend`` or
        ``unknown``; ``voices`` int64.
    """
    missing = [c for c in ("cell", "category", "time_of_day", "weekend") if c not in voices]
    if missing:
        raise ValueError(f"'voices' is missing column(s): {', '.join(missing)}")
    if not len(voices):
        return _empty_table()
    frame = pd.DataFrame(
        {
            "cell": voices["cell"].to_numpy(np.uint64),
            "category": voices["category"].astype(str).to_numpy(),
            "time_of_day": voices["time_of_day"].fillna("unknown").astype(str).to_numpy(),
            "weekend": week_parts(voices["weekend"]),
        }
    )
    grouped = frame.groupby(["cell", "category", "time_of_day", "weekend"], sort=True).size()
    return grouped.rename("voices").reset_index().astype({"cell": np.uint64, "voices": np.int64})


def week_parts(weekend: pd.Series) -> np.ndarray:
    """``True/False/None`` as ``weekend/weekday/unknown``."""
    values = weekend.astype(object).to_numpy()
    out = np.full(values.size, "unknown", dtype=object)
    known = pd.notna(values)
    out[known] = np.where(values[known].astype(bool), "weekend", "weekday")
    return out


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cell": np.zeros(0, dtype=np.uint64),
            "category": np.zeros(0, dtype=object),
            "time_of_day": np.zeros(0, dtype=object),
            "weekend": np.zeros(0, dtype=object),
            "voices": np.zeros(0, dtype=np.int64),
        }
    )


@dataclass(frozen=True)
class HotZone:
    """A hot zone: neighbouring hotspot cells as one named place.

    Attributes
    ----------
    rank : int
        1 for the strongest zone: strongest class first, then most voices, then highest
        Gi* z.
    id : str
        Stable id: ``"zone-"`` and the smallest H3 cell of the zone.
    name_sv, name_en : str
        The place's name from the gazetteer (``"vid Resecentrum"``).
    cells : tuple of str
        H3 cells (hex strings), sorted.
    hotspot_class : str
        Strongest class among the cells (``hot_99``, ``hot_95``, ``hot_90``).
    voices : int
        Voices in the zone's cells (one per client, cell and day).
    nearby : int
        Most voices in any one of its cells' neighbourhoods (the cell and its first ring).
    max_z : float
        Highest Gi* z in the zone.
    categories : dict of str to int
        Voices per category code, most first, zeros left out.
    time_profile : dict of str to dict of str to int
        Voices per time band (``day, evening, night, unknown``) and part of the week
        (``weekday, weekend, unknown``), every key present.
    previous_voices : int or None
        Voices in the same cells in the previous period of equal length (None when not
        given).
    lat, lon : float
        Voice-weighted centre, EPSG:4326.
    geometry : shapely geometry
        Union of the cells' hexagons, EPSG:4326.
    """

    rank: int
    id: str
    name_sv: str
    name_en: str
    cells: tuple[str, ...]
    hotspot_class: str
    voices: int
    nearby: int
    max_z: float
    categories: dict[str, int]
    time_profile: dict[str, dict[str, int]]
    previous_voices: int | None
    lat: float
    lon: float
    geometry: shapely.Geometry = field(repr=False)

    def name(self, lang: str = "sv") -> str:
        return self.name_en if lang == "en" else self.name_sv

    @property
    def change(self) -> int | None:
        """Voices now minus voices in the previous period (None without one)."""
        return None if self.previous_voices is None else self.voices - self.previous_voices

    @property
    def trend(self) -> str | None:
        """``up``, ``down`` or ``same`` against the previous period; None without one."""
        if self.change is None:
            return None
        return "up" if self.change > 0 else "down" if self.change < 0 else "same"

    def top_band(self) -> tuple[str, str] | None:
        """The (band, week part) with most voices among known ones, or None."""
        best, most = None, 0
        for band in BANDS[:3]:
            for part in WEEK_PARTS[:2]:
                if self.time_profile[band][part] > most:
                    best, most = (band, part), self.time_profile[band][part]
        return best

    def to_dict(self) -> dict[str, Any]:
        """The zone as JSON (no geometry; see :meth:`to_feature`)."""
        return {
            "id": self.id,
            "rank": self.rank,
            "name": self.name_sv,
            "name_en": self.name_en,
            "hotspot_class": self.hotspot_class,
            "voices": self.voices,
            "nearby": self.nearby,
            "previous_voices": self.previous_voices,
            "change": self.change,
            "trend": self.trend,
            "categories": dict(self.categories),
            "time_profile": {b: dict(p) for b, p in self.time_profile.items()},
            "cells": list(self.cells),
            "n_cells": len(self.cells),
            "max_z": round(self.max_z, 2) if math.isfinite(self.max_z) else None,
            "lat": self.lat,
            "lon": self.lon,
        }

    def to_feature(self) -> dict[str, Any]:
        """The zone as a GeoJSON Feature (its outline, EPSG:4326)."""
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": mapping(self.geometry),
            "properties": self.to_dict(),
        }


def _previous_counts(previous) -> tuple[np.ndarray, np.ndarray] | None:
    if previous is None:
        return None
    if isinstance(previous, pd.DataFrame):
        if not {"cell", "voices"} <= set(previous.columns):
            raise ValueError("'previous' should have 'cell' and 'voices' columns")
        grouped = previous.groupby("cell")["voices"].sum()
        return grouped.index.to_numpy(np.uint64), grouped.to_numpy(np.int64)
    cells, counts = previous
    return np.asarray(cells).astype(np.uint64), np.asarray(counts).astype(np.int64)


def hot_zones(
    result: HotspotResult,
    table: pd.DataFrame,
    *,
    previous: pd.DataFrame | tuple | None = None,
    places: Gazetteer | None = None,
) -> list[HotZone]:
    """Merge neighbouring hot cells into zones, ranked by strength.

    Parameters
    ----------
    result : HotspotResult
        Hotspot classes with zone numbers
        (:func:`~geoservice.core.analysis.hotspots.hotspots_from_counts`).
    table : pandas.DataFrame
        Voice table of the same filter (:func:`voice_table` or the database's), for the
        categories and the time profile. Its totals per cell should equal
        ``result.counts`` (same filter, same voice rule).
    previous : voice table or (cells, counts), optional
        Voices of the previous period of equal length, for the trend.
    places : Gazetteer, optional
        Names the zones; without it a zone is called "Zon 1", "Zon 2", ...

    Returns
    -------
    list of HotZone
        Strongest first; empty when nothing is hot or no significance was claimed.
    """
    if not isinstance(result, HotspotResult):
        raise ValueError(f"'result' should be a HotspotResult, got {type(result)}")
    missing = [c for c in VOICE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"'table' is missing column(s): {', '.join(missing)}")
    if result.zone is None or not (result.zone >= 0).any():
        return []
    prev = _previous_counts(previous)
    zone_of = result.zone
    z = np.nan_to_num(result.z, nan=0.0)
    tables = table.loc[table["cell"].isin(result.cells[zone_of >= 0])]
    by_cell = dict(tuple(tables.groupby("cell"))) if len(tables) else {}
    drafts = []
    for number in range(int(zone_of.max()) + 1):
        idx = np.flatnonzero(zone_of == number)
        cells = result.cells[idx]
        parts = [by_cell[c] for c in cells.tolist() if c in by_cell]
        rows = pd.concat(parts) if parts else _empty_table()
        cats = rows.groupby("category")["voices"].sum().sort_values(ascending=False, kind="stable")
        profile = {b: dict.fromkeys(WEEK_PARTS, 0) for b in BANDS}
        for (band, part), n in rows.groupby(["time_of_day", "weekend"])["voices"].sum().items():
            profile[band if band in profile else "unknown"][part] += int(n)
        voices = int(result.counts[idx].sum())
        weights = result.counts[idx].astype(float)
        lat, lon = cell_centres(cells)
        if weights.sum() > 0:
            lat_c, lon_c = np.average(lat, weights=weights), np.average(lon, weights=weights)
        else:
            lat_c, lon_c = float(lat.mean()), float(lon.mean())
        previous_voices = None
        if prev is not None:
            previous_voices = int(prev[1][np.isin(prev[0], cells)].sum())
        strongest = max(_CLASS_RANK.get(str(c), 0) for c in result.classes[idx].tolist())
        drafts.append(
            {
                "cells": cells,
                "class_rank": strongest,
                "voices": voices,
                "nearby": int(result.nearby[idx].max()) if result.nearby is not None else 0,
                "max_z": float(z[idx].max()),
                "categories": {str(k): int(v) for k, v in cats.items() if v > 0},
                "time_profile": profile,
                "previous_voices": previous_voices,
                "lat": round(float(lat_c), 6),
                "lon": round(float(lon_c), 6),
            }
        )
    drafts.sort(key=lambda d: (-d["class_rank"], -d["voices"], -d["max_z"], int(d["cells"][0])))
    zones = []
    names = {3: "hot_99", 2: "hot_95", 1: "hot_90"}
    for rank, d in enumerate(drafts, start=1):
        geometry = shapely.union_all(cell_boundaries(d["cells"]))
        if places is not None:
            name_sv, name_en = places.label(geometry, "sv"), places.label(geometry, "en")
        else:
            name_sv, name_en = f"Zon {rank}", f"Zone {rank}"
        cell_ids = tuple(sorted(h3.int_to_str(int(c)) for c in d["cells"]))
        zones.append(
            HotZone(
                rank=rank,
                id="zone-" + h3.int_to_str(int(d["cells"].min())),
                name_sv=name_sv,
                name_en=name_en,
                cells=cell_ids,
                hotspot_class=names[d["class_rank"]],
                voices=d["voices"],
                nearby=d["nearby"],
                max_z=d["max_z"],
                categories=d["categories"],
                time_profile=d["time_profile"],
                previous_voices=d["previous_voices"],
                lat=d["lat"],
                lon=d["lon"],
                geometry=geometry,
            )
        )
    return zones


def zone_features(zones: list[HotZone]) -> dict[str, Any]:
    """Zones as a GeoJSON FeatureCollection (EPSG:4326)."""
    return {"type": "FeatureCollection", "features": [z.to_feature() for z in zones]}


ZONE_CSV_COLUMNS: tuple[str, ...] = (
    "rank",
    "id",
    "name",
    "hotspot_class",
    "voices",
    "previous_voices",
    "change",
    "main_categories",
    "weekday_voices",
    "weekend_voices",
    "night_voices",
    "n_cells",
    "cells",
    "lat",
    "lon",
)
"""Columns of :func:`zone_rows`."""


def zone_rows(zones: list[HotZone], lang: str = "sv") -> list[list[Any]]:
    """One CSV row per zone, in :data:`ZONE_CSV_COLUMNS` order (cells space-separated)."""
    rows = []
    for z in zones:
        by_part = {p: sum(z.time_profile[b][p] for b in BANDS) for p in WEEK_PARTS}
        rows.append(
            [
                z.rank,
                z.id,
                z.name(lang),
                z.hotspot_class,
                z.voices,
                z.previous_voices,
                z.change,
                " ".join(f"{code}:{n}" for code, n in list(z.categories.items())[:3]),
                by_part["weekday"],
                by_part["weekend"],
                sum(z.time_profile["night"].values()),
                len(z.cells),
                " ".join(z.cells),
                z.lat,
                z.lon,
            ]
        )
    return rows
