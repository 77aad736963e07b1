"""Hotspot inputs counted by the database: voices per cell and kind, and the study area."""

from geoservice.store.analysis.voices import study_area_cells_since, voice_counts, voice_table

__all__ = ["study_area_cells_since", "voice_counts", "voice_table"]
