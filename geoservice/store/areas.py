"""The area layer in force, loaded once per app and handed out as a GeoDataFrame."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from flask import Flask, current_app

from geoservice.core.assign import AreaIndex
from geoservice.core.boundaries import (
    DEFAULT_AREAS_FILE,
    DEFAULT_OUTLINE_FILE,
    load_areas,
    load_outline,
)
from geoservice.resources import boundaries_dir

_EXTENSION = "geoservice.areas"


@dataclass
class AreaLayer:
    """Areas (EPSG:4326), the municipality outline, and a prepared point → area index."""

    areas: gpd.GeoDataFrame
    outline: gpd.GeoDataFrame
    approximate: bool
    source: str
    index: AreaIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = AreaIndex(self.areas)
        points = self.areas.to_crs(3006).representative_point().to_crs(4326)
        self._points = {
            area_id: (float(p.x), float(p.y))
            for area_id, p in zip(self.areas["id"], points, strict=True)
        }
        self._names = dict(zip(self.areas["id"], self.areas["name"], strict=True))

    @functools.cached_property
    def _geometry_json(self) -> dict[str, str]:
        # Six decimals (~0.1 m) is finer than the boundaries themselves.
        return {
            area_id: shapely.to_geojson(shapely.set_precision(geometry, 1e-6))
            for area_id, geometry in zip(self.areas["id"], self.areas.geometry, strict=True)
        }

    def geometry_json(self) -> dict[str, str]:
        """Each area's geometry as a GeoJSON string, by id, in layer order."""
        return self._geometry_json

    def locate(self, lon: float, lat: float) -> str | None:
        """Return the id of the area holding the point, or None outside the municipality."""
        found = self.index.assign(np.array([lon]), np.array([lat]))[0]
        return None if found is None else str(found)

    def area_point(self, area_id: str) -> tuple[float, float] | None:
        """A point inside the area, stored for concerns given as a whole area."""
        return self._points.get(area_id)

    def name(self, area_id: str | None) -> str | None:
        """The area's display name."""
        return self._names.get(area_id) if area_id else None

    def choices(self) -> list[tuple[str, str]]:
        """(id, name) pairs sorted by name, for the no-JavaScript area list."""
        return sorted(self._names.items(), key=lambda item: item[1])


@functools.cache
def shipped_layer() -> AreaLayer:
    """The default layer: Mellerud's electoral districts, approximated (see data/boundaries)."""
    folder = boundaries_dir()
    return AreaLayer(
        areas=load_areas(folder / DEFAULT_AREAS_FILE),
        outline=load_outline(folder / DEFAULT_OUTLINE_FILE),
        approximate=True,
        source=DEFAULT_AREAS_FILE,
    )


def init_app(app: Flask) -> None:
    """Load the area layer once; a broken file stops the start with the loader's message."""
    app.extensions[_EXTENSION] = shipped_layer()


def current_layer() -> AreaLayer:
    """The area layer of the running app."""
    return current_app.extensions[_EXTENSION]
