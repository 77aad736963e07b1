"""Named places for the event form and walk routes, and naming a point: the gazetteer."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from geoservice.i18n import page_language
from geoservice.store.areas import current_layer
from geoservice.store.db import get_session
from geoservice.store.places.gazetteer import current_gazetteer


@dataclass(frozen=True)
class NamedPlace:
    """A place a reporter can pick by name, with a point for it (EPSG:4326)."""

    name: str
    lon: float
    lat: float


def named_places() -> list[NamedPlace]:
    """The gazetteer's places inside the municipality, one per name, sorted by name.

    A street or an area is given by a point on or inside it (its representative point).
    """
    places = current_gazetteer(get_session()).places
    layer = current_layer()
    seen: dict[str, NamedPlace] = {}
    for name, geometry in zip(places["name"], places.geometry, strict=True):
        point = shapely.Point(geometry.coords[0]) if geometry.geom_type == "Point" else None
        point = point or geometry.representative_point()
        key = str(name).casefold()
        if key not in seen and layer.locate(point.x, point.y) is not None:
            seen[key] = NamedPlace(str(name), float(point.x), float(point.y))
    return sorted(seen.values(), key=lambda p: p.name.casefold())


def find_named_place(name: str) -> tuple[float, float, str] | None:
    """``(lon, lat, name)`` of the place written ``name`` (case and spacing ignored), or None."""
    wanted = " ".join(name.split()).casefold()
    for place in named_places():
        if place.name.casefold() == wanted:
            return place.lon, place.lat, place.name
    return None


def nearest_place_name(lon: float, lat: float) -> str:
    """What a reader calls the place of a point: 'vid Resecentrum', 'Storgatan, norra delen'."""
    return current_gazetteer(get_session()).label(shapely.Point(lon, lat), page_language())
