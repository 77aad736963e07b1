"""Staff statistics for a filter: hotspots and zones, density, area counts, band × week table.

:func:`hotspot_answer` is the one place hotspot cells and zones are computed for the web:
the hotspot page, ``GET /api/v1/hotspots``, the hotspot exports and the patrol plan all go
through it (counted by the database, :mod:`geoservice.store.analysis`), so they show the
same cells, zones and counts for the same filter.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from flask import current_app

from geoservice.core.analysis.aggregate import active_reports, aggregate_areas, band_week_table
from geoservice.core.analysis.density import DensitySurface, quartic_kde
from geoservice.core.analysis.hexgrid import DEFAULT_H3_RESOLUTION, cells_for_points
from geoservice.core.analysis.hotspots import (
    HotspotResult,
    hotspots_from_counts,
    one_voice_per_place,
)
from geoservice.core.analysis.study_area import study_area_around
from geoservice.core.analysis.zones import HotZone, hot_zones
from geoservice.core.places.gazetteer import Gazetteer
from geoservice.store.analysis import (
    study_area_cells_since,
    voice_counts,
    voice_table_by_month,
    voices_per_cell,
)
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_frame
from geoservice.store.places.gazetteer import current_gazetteer
from geoservice.web.cache import cached
from geoservice.web.staff_filter import StaffFilter

DEFAULT_RADIUS_M = 250
RADIUS_RANGE = (100, 1000)
STUDY_AREA_YEARS = 3
"""The study area is every cell that held a concern in the last three years (and two rings)."""
STUDY_AREA_STALE_SECONDS = 600


@dataclass(frozen=True)
class HotspotAnswer:
    """Hotspot cells and zones for one filter, and what they were computed from."""

    result: HotspotResult
    zones: list[HotZone]
    table: pd.DataFrame  # voices per hot cell, category, band and week part
    previous: StaffFilter  # the previous period of equal length
    gazetteer: Gazetteer
    k: int

    def zone_of_cell(self) -> dict[str, HotZone]:
        """H3 cell (string) to its zone."""
        return {cell: zone for zone in self.zones for cell in zone.cells}


@dataclass(frozen=True)
class Analysis:
    """Everything the staff hotspot page shows for one filter."""

    frame: pd.DataFrame  # active concerns in the filter (no free text)
    voices: pd.DataFrame  # point concerns after one voice per place
    hotspots: HotspotResult
    zones: list[HotZone]
    answer: HotspotAnswer
    density: DensitySurface
    areas: pd.DataFrame
    band_week: pd.DataFrame


def previous_period(staff_filter: StaffFilter) -> StaffFilter:
    """The period of equal length that ends the day before ``staff_filter`` starts."""
    days = (staff_filter.end - staff_filter.start).days + 1
    end = staff_filter.start - timedelta(days=1)
    return dataclasses.replace(staff_filter, start=end - timedelta(days=days - 1), end=end)


def study_area(since: datetime | None = None) -> np.ndarray:
    """Cells that held a concern since ``since`` (default: three years ago), and two rings."""
    floor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    floor -= timedelta(days=365 * STUDY_AREA_YEARS)
    since = min(since, floor) if since is not None else floor

    def compute() -> np.ndarray:
        return study_area_around(study_area_cells_since(get_session(), since))

    # Three years of cells barely move with one more concern: recompute at most every
    # STUDY_AREA_STALE_SECONDS while concerns keep arriving (a new cell joins within that).
    return cached("study_area", since.date(), compute, max_stale=STUDY_AREA_STALE_SECONDS)


def _reuse_month(key, version: int, compute):
    """A month's voice table, kept while that month's change counter stands still."""
    return cached("voice_month", key, compute, version=("month", version))


def hotspot_answer(staff_filter: StaffFilter, *, include_cold: bool = False) -> HotspotAnswer:
    """Hotspot cells and named zones for a filter (reused while no concern changed)."""

    def compute() -> HotspotAnswer:
        session = get_session()
        k = int(current_app.config["K_ANONYMITY"])
        # One count by the database: the voice table of every cell gives both the voices
        # per cell for the statistic and the hot cells' detail (categories, time profile).
        every_cell = voice_table_by_month(session, staff_filter, _reuse_month)
        cells, counts = voice_counts(every_cell)
        result = hotspots_from_counts(
            cells,
            counts,
            study_area(staff_filter.start_utc),
            include_cold=include_cold,
            min_voices=k,
        )
        previous = previous_period(staff_filter)
        gazetteer = current_gazetteer(session)
        zones = []
        # The detail (categories, time profile) is kept for the hot cells only.
        hot_cells = result.cells[result.hot]
        table = every_cell.loc[np.isin(every_cell["cell"].to_numpy(np.uint64), hot_cells)]
        table = table.reset_index(drop=True)
        if result.n_hot:
            prev_cells, prev_counts = voices_per_cell(session, previous, cells=hot_cells)
            zones = hot_zones(result, table, previous=(prev_cells, prev_counts), places=gazetteer)
        return HotspotAnswer(result, zones, table, previous, gazetteer, k)

    return cached("hotspot_answer", (staff_filter, include_cold), compute)


def analyse(staff_filter: StaffFilter, *, include_cold: bool, radius: int) -> Analysis:
    """Compute (or reuse while no concern changed) the statistics for a filter."""

    def compute() -> Analysis:
        layer = current_layer()
        session = get_session()
        # Safe and unsafe places are never mixed in one analysis: "both kinds" means the
        # unsafe ones here (a safe place is no hotspot of unsafety).
        kind = staff_filter.kind or "unsafe"
        frame = active_reports(staff_frame(session, staff_filter))
        frame = frame.loc[frame["kind"] == kind]
        earlier = active_reports(staff_frame(session, previous_period(staff_filter)))
        earlier = earlier.loc[earlier["kind"] == kind]
        points = frame.loc[frame["precision"] == "point"]
        cells = cells_for_points(
            points["lat"].to_numpy(), points["lon"].to_numpy(), DEFAULT_H3_RESOLUTION
        )
        voices = one_voice_per_place(points, cells)
        answer = hotspot_answer(staff_filter, include_cold=include_cold)
        minx, miny, maxx, maxy = layer.outline.to_crs(3006).total_bounds
        density = quartic_kde(
            voices["lon"].to_numpy(),
            voices["lat"].to_numpy(),
            radius=radius,
            bounds=(minx, miny, maxx, maxy),
        )
        both = pd.concat([frame, earlier], ignore_index=True) if len(earlier) else frame
        return Analysis(
            frame=frame,
            voices=voices,
            hotspots=answer.result,
            zones=answer.zones,
            answer=answer,
            density=density,
            areas=aggregate_areas(
                both, layer.areas, staff_filter.start_utc, staff_filter.end_utc, kind=kind
            ),
            band_week=band_week_table(frame),
        )

    return cached("analysis", (staff_filter, include_cold, radius), compute)


def _hidden(value: int | None, below: int) -> int | None:
    """A count a role may not see (1 to k−1) becomes None; 0 and k or more stay."""
    if value is None or not below:
        return value
    return None if 0 < value < below else value


def cell_records(answer: HotspotAnswer, *, hide_below: int = 0) -> list[dict]:
    """Hotspot cells as records: the result's fields plus the zone's id and name.

    ``hide_below`` (the bra role: *k*) turns counts from 1 to k−1 into None and sets
    ``count_hidden``; hot cells and zones stay visible (SPEC §3: hex level, no small counts).
    """
    zone_of = answer.zone_of_cell()
    out = []
    for record in answer.result.records():
        zone = zone_of.get(record["cell"])
        record["zone"] = zone.id if zone else None
        record["place"] = zone.name_sv if zone else None
        record["place_en"] = zone.name_en if zone else None
        if hide_below:
            record["count_hidden"] = _hidden(record["count"], hide_below) is None
            record["count"] = _hidden(record["count"], hide_below)
            record["nearby"] = _hidden(record["nearby"], hide_below)
        out.append(record)
    return out


def zone_records(answer: HotspotAnswer, *, hide_below: int = 0) -> list[dict]:
    """Zones as JSON-ready dicts; ``hide_below`` hides category and time counts of 1 to k−1."""
    out = []
    for zone in answer.zones:
        record = zone.to_dict()
        if hide_below:
            record["categories"] = {
                c: _hidden(n, hide_below) for c, n in record["categories"].items()
            }
            record["time_profile"] = {
                b: {p: _hidden(n, hide_below) for p, n in parts.items()}
                for b, parts in record["time_profile"].items()
            }
            record["previous_voices"] = _hidden(record["previous_voices"], hide_below)
            if record["previous_voices"] is None:
                record["change"] = None
        out.append(record)
    return out


def hotspot_document(
    answer: HotspotAnswer, staff_filter: StaffFilter, *, hide_below: int = 0
) -> dict:
    """The hotspot answer as GeoJSON: cells as features, zones beside them (API and export)."""
    from shapely.geometry import mapping

    from geoservice.maps.hotspot_map import hex_features

    document = hex_features(cell_records(answer, hide_below=hide_below))
    zones = zone_records(answer, hide_below=hide_below)
    result = answer.result
    document.update(
        zones={
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": record["id"],
                    "geometry": mapping(zone.geometry),
                    "properties": record,
                }
                for zone, record in zip(answer.zones, zones, strict=True)
            ],
        },
        filter=staff_filter.as_query(),
        previous_period={
            "from": answer.previous.start.isoformat(),
            "to": answer.previous.end.isoformat(),
        },
        significant=result.significant,
        explanation=result.explanation_en,
        explanation_sv=result.explanation_sv,
        n_reports=result.n_reports,
        n_hot_cells=result.n_hot,
        n_zones=len(answer.zones),
        k=answer.k,
        counts_hidden_below=hide_below or None,
    )
    return document
