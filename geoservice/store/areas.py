"""The area layer in force: the shipped default, or the active imported one.

Each worker keeps the layers it has built (prepared index, GeoJSON) by id; one indexed
read per request tells it which layer is active, so an import or a rollback done by any
process takes effect everywhere at the next request. Submissions skip that read: they are
checked against the layer the worker last saw in force, and the writing transaction
confirms it (:func:`geoservice.store.reports.store_report`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from flask import Flask, current_app, g
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from geoservice.core.places.assign import AreaIndex
from geoservice.core.places.boundaries import (
    DEFAULT_AREAS_FILE,
    DEFAULT_OUTLINE_FILE,
    load_areas,
    load_outline,
)
from geoservice.core.places.display import simplify_for_display
from geoservice.resources import boundaries_dir
from geoservice.store.db import get_session
from geoservice.store.models import AreaLayerRecord

_EXTENSION = "geoservice.areas"


@dataclass
class AreaLayer:
    """Areas (EPSG:4326), the municipality outline, and a prepared point → area index.

    ``exact_areas`` is the layer as imported (assignment, exports); ``areas`` the same
    areas simplified for display (:mod:`geoservice.core.places.display`).
    """

    areas: gpd.GeoDataFrame
    outline: gpd.GeoDataFrame
    approximate: bool
    source: str
    layer_id: int | None = None
    provenance: dict | None = None
    index: AreaIndex = field(init=False)

    def __post_init__(self) -> None:
        # Concerns are assigned, and whole-area concerns placed, with the exact geometry;
        # ``areas`` (what pages draw and analyses clip to) is lightened for display.
        self.exact_areas = self.areas
        self.index = AreaIndex(self.exact_areas)
        self.areas = simplify_for_display(self.exact_areas)
        points = self.exact_areas.to_crs(3006).representative_point().to_crs(4326)
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
        return self.index.assign_one(lon, lat)

    def in_municipality(self, lon: float, lat: float) -> bool:
        """True inside the municipality's outline (in an area or in a gap between areas)."""
        if "_outline_shape" not in self.__dict__:
            self._outline_shape = self.outline.geometry.union_all()
            shapely.prepare(self._outline_shape)
        return bool(shapely.contains_xy(self._outline_shape, lon, lat))

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


def layer_from_record(record: AreaLayerRecord) -> AreaLayer:
    """Build an imported layer from its stored GeoJSON."""
    areas = gpd.GeoDataFrame.from_features(json.loads(record.geojson)["features"], crs=4326)
    areas = areas[["id", "name", "population", "geometry"]]
    areas["id"] = areas["id"].astype(str)
    return AreaLayer(
        areas=areas,
        outline=shipped_layer().outline,
        approximate=False,
        source=f"layer-{record.id}:{record.source}",
        layer_id=record.id,
        provenance=json.loads(record.provenance),
    )


def active_record(session: Session) -> AreaLayerRecord | None:
    """The active imported layer's row, or None while the shipped default is in force."""
    return session.scalar(select(AreaLayerRecord).where(AreaLayerRecord.active.is_(True)))


# Built once: this runs on every request and inside every submission's transaction.
ACTIVE_LAYER_ID = select(AreaLayerRecord.__table__.c.id).where(
    AreaLayerRecord.__table__.c.active.is_(True)
)


def active_layer_id(connection: Connection) -> int | None:
    """The id of the active imported layer, None while the shipped default is in force."""
    return connection.execute(ACTIVE_LAYER_ID).scalar()


def layer_for(app: Flask, session: Session) -> AreaLayer:
    """The layer in force, built once per worker and layer id."""
    return seen_in_force(app, session, active_layer_id(session.connection()))


def seen_in_force(app: Flask, session: Session, layer_id: int | None) -> AreaLayer:
    """Note that layer ``layer_id`` was just read to be in force; return it, built."""
    layer = layer_by_id(app, session, layer_id)
    app.extensions[_EXTENSION]["last_seen"] = layer
    return layer


def layer_by_id(app: Flask, session: Session, layer_id: int | None) -> AreaLayer:
    """The stored layer ``layer_id`` (None: the shipped one), built once per worker."""
    if layer_id is None:
        return shipped_layer()
    built = app.extensions[_EXTENSION]["built"]
    if layer_id not in built:
        built[layer_id] = layer_from_record(session.get(AreaLayerRecord, layer_id))
    return built[layer_id]


def last_seen_layer(app: Flask, session: Session) -> AreaLayer:
    """The layer this worker last saw in force, read once when it has seen none yet."""
    layer = app.extensions[_EXTENSION]["last_seen"]
    return layer if layer is not None else layer_for(app, session)


def init_app(app: Flask) -> None:
    """Load the shipped layer once; a broken file stops the start with the loader's message."""
    shipped_layer()
    # Layers built by id, and the one last seen in force.
    app.extensions[_EXTENSION] = {"built": {}, "last_seen": None}


def current_layer() -> AreaLayer:
    """The area layer of this request."""
    if "area_layer" not in g:
        g.area_layer = layer_for(current_app._get_current_object(), get_session())
    return g.area_layer
