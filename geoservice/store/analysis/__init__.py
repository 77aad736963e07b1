"""Hotspot inputs counted by the database: voices per cell and kind, and the study area."""

from geoservice.store.analysis.voices import (
    month_versions,
    study_area_cells_since,
    utc_month_spans,
    voice_counts,
    voice_table,
    voice_table_by_month,
    voices_per_cell,
)

__all__ = [
    "month_versions",
    "study_area_cells_since",
    "utc_month_spans",
    "voice_counts",
    "voice_table",
    "voice_table_by_month",
    "voices_per_cell",
]
