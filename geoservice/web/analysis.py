"""Staff statistics for a filter: Gi* hotspots, density, area counts, band × week table."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geoservice.core.analysis.aggregate import active_reports, aggregate_areas, band_week_table
from geoservice.core.analysis.density import DensitySurface, quartic_kde
from geoservice.core.analysis.hexgrid import DEFAULT_H3_RESOLUTION, cells_for_points
from geoservice.core.analysis.hotspots import HotspotResult, compute_hotspots, one_voice_per_place
from geoservice.core.analysis.study_area import load_places, places_mask
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.moderation import staff_frame
from geoservice.web.cache import cached
from geoservice.web.staff_filter import StaffFilter

DEFAULT_RADIUS_M = 250
RADIUS_RANGE = (100, 1000)


@dataclass(frozen=True)
class Analysis:
    """Everything the staff hotspot page and API show for one filter."""

    frame: pd.DataFrame  # active concerns in the filter (no free text)
    voices: pd.DataFrame  # point concerns after one voice per place
    hotspots: HotspotResult
    density: DensitySurface
    areas: pd.DataFrame
    band_week: pd.DataFrame


@functools.cache
def study_area() -> np.ndarray:
    """The hex cells of the town and villages (core/analysis/study_area.py), computed once."""
    return places_mask(load_places())


def analyse(staff_filter: StaffFilter, *, include_cold: bool, radius: int) -> Analysis:
    """Compute (or reuse while no concern changed) the statistics for a filter."""

    def compute() -> Analysis:
        layer = current_layer()
        frame = active_reports(staff_frame(get_session(), staff_filter))
        # Safe and unsafe places are never mixed in one analysis: "both kinds" means the
        # unsafe ones here (a safe place is no hotspot of unsafety).
        kind = staff_filter.kind or "unsafe"
        frame = frame.loc[frame["kind"] == kind]
        points = frame.loc[frame["precision"] == "point"]
        cells = cells_for_points(
            points["lat"].to_numpy(), points["lon"].to_numpy(), DEFAULT_H3_RESOLUTION
        )
        voices = one_voice_per_place(points, cells)
        hotspots = compute_hotspots(frame, mask_cells=study_area(), include_cold=include_cold)
        minx, miny, maxx, maxy = layer.outline.to_crs(3006).total_bounds
        density = quartic_kde(
            voices["lon"].to_numpy(),
            voices["lat"].to_numpy(),
            radius=radius,
            bounds=(minx, miny, maxx, maxy),
        )
        return Analysis(
            frame=frame,
            voices=voices,
            hotspots=hotspots,
            density=density,
            areas=aggregate_areas(
                frame, layer.areas, staff_filter.start_utc, staff_filter.end_utc, kind=kind
            ),
            band_week=band_week_table(frame),
        )

    return cached("analysis", (staff_filter, include_cold, radius), compute)
