"""Patrol plan exports: GPX 1.1 for a GPS unit or phone, GeoJSON for maps (SPEC §6).

Both take a :class:`~geoservice.core.patrol.plan.PatrolPlan` and list the stops in visiting
order, in WGS 84 (EPSG:4326).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from geoservice.core.patrol.plan import PatrolPlan, PatrolStop

__all__ = ["GPX_NAMESPACE", "to_geojson", "to_gpx"]

GPX_NAMESPACE = "http://www.topografix.com/GPX/1/1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_CREATOR = "Trygghetskartan Mellerud (geoservice)"


def _headline(stop: PatrolStop, lang: str) -> str:
    """The waypoint's name: the place, and its whole count in the window."""
    unit = "i fönstret" if lang == "sv" else "in the window"
    return f"{stop.place(lang) or stop.cell} ({stop.count} {unit})"


def to_gpx(plan: PatrolPlan, name: str = "Patrullplan", *, lang: str = "sv") -> str:
    """Return the plan as a GPX 1.1 document for a GPS unit or phone.

    Parameters
    ----------
    plan : PatrolPlan
    name : str, default "Patrullplan"
        Name of the document and the route.
    lang : {"sv", "en"}, default "sv"
        Language of the names and descriptions.

    Returns
    -------
    str
        GPX 1.1 (namespace :data:`GPX_NAMESPACE`), coordinates in WGS 84: one waypoint
        per stop in visiting order, named ``"1. hotspot 99 %, narkotika"`` (visiting
        number, then what) with the reason as ``desc``, and one ``rte`` whose route
        points are the stops in visiting order. The start point is not a route point.
    """
    if not isinstance(plan, PatrolPlan):
        raise ValueError(f"'plan' should be a PatrolPlan, got {type(plan)}")
    if lang not in ("sv", "en"):
        raise ValueError(f"'lang' should be 'sv' or 'en', got {lang!r}")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrib) -> ET.Element:
        child = ET.SubElement(parent, tag, attrib)
        if text is not None:
            child.text = text
        return child

    # The namespace is declared on the root and the tags are left unqualified: the
    # serialised document is the same as with qualified tags, without registering a
    # default namespace in ElementTree's process-wide table (its ``default_namespace``
    # option rejects unqualified attributes such as ``lat``).
    root = ET.Element(
        "gpx",
        {
            "xmlns": GPX_NAMESPACE,
            "xmlns:xsi": _XSI,
            "version": "1.1",
            "creator": _CREATOR,
            "xsi:schemaLocation": f"{GPX_NAMESPACE} {GPX_NAMESPACE}/gpx.xsd",
        },
    )
    meta = sub(root, "metadata")
    sub(meta, "name", name)
    sub(meta, "desc", plan.explanation_sv if lang == "sv" else plan.explanation_en)
    points = []
    for number, stop in enumerate(plan.route, 1):
        label = f"{number}. {_headline(stop, lang)}"
        desc = stop.why_sv if lang == "sv" else stop.why_en
        points.append((stop, label, desc))
        wpt = sub(root, "wpt", lat=f"{stop.lat:.6f}", lon=f"{stop.lon:.6f}")
        sub(wpt, "name", label)
        sub(wpt, "desc", desc)
        sub(wpt, "type", stop.hotspot_class)
    rte = sub(root, "rte")
    sub(rte, "name", name)
    sub(rte, "desc", f"{plan.route_length_m:.0f} m")
    for stop, label, _ in points:
        rtept = sub(rte, "rtept", lat=f"{stop.lat:.6f}", lon=f"{stop.lon:.6f}")
        sub(rtept, "name", label)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def to_geojson(plan: PatrolPlan) -> dict[str, Any]:
    """Return the plan as a GeoJSON FeatureCollection (RFC 7946, WGS 84 lon/lat).

    Parameters
    ----------
    plan : PatrolPlan

    Returns
    -------
    dict
        One ``Point`` feature per stop in visiting order, with the stop's fields and
        ``visit`` (1-based visiting number) as properties, then one ``LineString``
        feature for the route from the start through the stops in visiting order, with
        ``route_length_m``, ``route_method`` and the window. Without stops the route
        feature is left out.
    """
    if not isinstance(plan, PatrolPlan):
        raise ValueError(f"'plan' should be a PatrolPlan, got {type(plan)}")
    features: list[dict[str, Any]] = []
    for number, stop in enumerate(plan.route, 1):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                "properties": {"feature": "stop", "visit": number, **stop.to_dict()},
            }
        )
    if plan.stops:
        line = [[plan.start[1], plan.start[0]]] + [[s.lon, s.lat] for s in plan.route]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "feature": "route",
                    "route_length_m": plan.route_length_m,
                    "route_method": plan.route_method,
                    "significant_data": plan.significant_data,
                    "window": plan.window.to_dict(),
                    "explanation_sv": plan.explanation_sv,
                    "explanation_en": plan.explanation_en,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
