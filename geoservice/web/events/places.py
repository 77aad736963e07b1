"""Named places for the event form and walk routes: the gazetteer when present, else areas."""

from __future__ import annotations

from dataclasses import dataclass

from geoservice.store.areas import current_layer


@dataclass(frozen=True)
class NamedPlace:
    """A place a reporter can pick by name, with a point for it (EPSG:4326)."""

    name: str
    lon: float
    lat: float


def named_places() -> list[NamedPlace]:
    """The places to choose from, sorted by name.

    Until the gazetteer (core.places.gazetteer) is in the tree, the areas of the layer in
    force stand in, each at a point inside it.
    """
    layer = current_layer()
    places = []
    for area_id, name in layer.choices():
        point = layer.area_point(area_id)
        if point is not None:
            places.append(NamedPlace(name, point[0], point[1]))
    return sorted(places, key=lambda p: p.name.casefold())


def find_named_place(name: str) -> tuple[float, float, str] | None:
    """``(lon, lat, name)`` of the place written ``name`` (case and spacing ignored), or None."""
    wanted = " ".join(name.split()).casefold()
    for place in named_places():
        if place.name.casefold() == wanted:
            return place.lon, place.lat, place.name
    return None


def nearest_place_name(lon: float, lat: float) -> str:
    """What a reader calls the place of a point: its area's name until the gazetteer is in."""
    layer = current_layer()
    return layer.name(layer.locate(lon, lat)) or "–"
