"""The maps of the printable period report: areas by rate and hex cells (SPEC §2).

Drawn with ``reportlab.graphics`` from the area polygons and the listed hex cells,
reprojected from EPSG:4326 to SWEREF 99 TM (EPSG:3006) so that distances on paper are
true, in greys that print on any office printer. :func:`_maps` returns the flowable
that :mod:`geoservice.core.reporting.pdf_report` places in its "By area" section.
"""

from __future__ import annotations

import h3
import numpy as np
import shapely
from pyproj import Transformer
from reportlab.graphics.shapes import Drawing, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle

from geoservice.core.analysis.hexgrid import cell_boundaries
from geoservice.core.reporting.period_report import PeriodReport

# Helvetica covers Windows-1252 only: known characters outside it become look-alikes,
# the rest ``?`` (see :func:`geoservice.core.reporting.pdf_report.pdf_text`).
_REPLACEMENTS = str.maketrans(
    {
        "\u2212": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u2009": " ",
        "\u202f": " ",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u2192": "->",
        "\u2248": "~",
    }
)
_GREYS = (0.96, 0.84, 0.72, 0.60, 0.48)
_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def _plain(text: object) -> str:
    return str(text).translate(_REPLACEMENTS).encode("cp1252", errors="replace").decode("cp1252")


def _rings(geom) -> list[list[float]]:
    polygons = getattr(geom, "geoms", [geom])
    return [
        np.asarray(p.exterior.coords).ravel().tolist()
        for p in polygons
        if isinstance(p, shapely.Polygon) and not p.is_empty
    ]


def _fit(bounds, width: float, height: float, margin: float = 0.0) -> tuple[float, ...]:
    """Grow metric ``bounds`` by ``margin`` and to the drawing's aspect ratio."""
    minx, miny, maxx, maxy = bounds
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w = max(maxx - minx, (maxy - miny) * width / height) / 2
    half_h = half_w * height / width
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _scale_bar(drawing: Drawing, metres_per_point: float) -> None:
    target = 60 * metres_per_point  # about 2 cm of paper
    length = max(n * 10**e for e in range(1, 6) for n in (1, 2, 5) if n * 10**e <= target)
    bar = length / metres_per_point
    drawing.add(Rect(3, 3, bar + 6, 18, fillColor=colors.white, strokeColor=None))
    drawing.add(Rect(6, 6, bar, 3, fillColor=colors.black, strokeColor=colors.black))
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    drawing.add(String(6, 12, label, fontName="Helvetica", fontSize=6.5))


def _map(report: PeriodReport, areas, width: float, height: float, detail: bool) -> Drawing:
    """Areas in greys by rate and listed hex cells, in EPSG:3006; ``detail`` zooms in."""
    frame = areas if areas.crs is not None else areas.set_crs("EPSG:4326")
    metric = frame.to_crs("EPSG:3006").geometry.to_numpy()
    ids = np.array([h3.str_to_int(c) for c in report.hotspots.cells["cell"]], dtype=np.uint64)
    cells = shapely.transform(
        cell_boundaries(ids) if ids.size else np.empty(0, dtype=object),
        lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])),
    )
    drawing = Drawing(width, height)
    source = cells if detail else metric
    bounds = shapely.total_bounds(source)
    if not np.isfinite(bounds).all() or bounds[2] <= bounds[0] and bounds[3] <= bounds[1]:
        return drawing
    minx, miny, maxx, maxy = _fit(bounds, width, height, 400.0 if detail else 0.0)
    scale = min(width / (maxx - minx), height / (maxy - miny))

    def to_page(geom):
        geom = shapely.clip_by_rect(geom, minx, miny, maxx, maxy)
        geom = shapely.simplify(geom, 0.5 / scale, preserve_topology=True)
        return shapely.transform(geom, lambda xy: (xy - [minx, miny]) * scale)

    rates = dict(zip(report.areas["area_id"], report.areas["rate_per_1000"], strict=True))
    top = max([r for r in rates.values() if r is not None] + [0.0])
    order = np.argsort(-shapely.area(metric)).tolist()  # enclaves drawn over their host
    for i in order:
        rate = rates.get(frame["id"].iloc[i])
        grey = 1.0 if rate is None else _GREYS[min(4, int(rate / top * 5)) if top else 0]
        for points in _rings(to_page(metric[i])):
            fill = colors.Color(grey, grey, grey)
            drawing.add(Polygon(points, fillColor=fill, strokeColor=colors.black, strokeWidth=0.6))
    for poly, cls in zip(cells, report.hotspots.cells["hotspot_class"], strict=True):
        hot = str(cls).startswith("hot")
        for points in _rings(to_page(poly)):
            drawing.add(
                Polygon(
                    points,
                    fillColor=colors.black if hot else None,
                    strokeColor=colors.white if hot and detail else colors.black,
                    strokeWidth=0.3 if hot else 1.0,
                )
            )
    for i in order:
        clipped = to_page(metric[i])
        if clipped is None or clipped.is_empty or clipped.area < 400:
            continue
        spot, name = clipped.representative_point(), _plain(frame["name"].iloc[i])
        half = stringWidth(name, "Helvetica", 6.5) / 2 + 1
        # A white box keeps the name readable over dark areas and hot cells.
        drawing.add(
            Rect(spot.x - half, spot.y - 2, 2 * half, 8.5, fillColor=colors.white, strokeColor=None)
        )
        drawing.add(
            String(spot.x, spot.y, name, fontName="Helvetica", fontSize=6.5, textAnchor="middle")
        )
    _scale_bar(drawing, 1 / scale)
    drawing.add(Rect(0, 0, width, height, fillColor=None, strokeColor=colors.black))
    return drawing


def _maps(report: PeriodReport, areas) -> Flowable:
    """The municipality, and beside it the town around the listed cells when there are any."""
    if not len(report.hotspots.cells):
        return _map(report, areas, 17 * cm, 11 * cm, detail=False)
    pair = [
        [_map(report, areas, 8.4 * cm, 9 * cm, False), _map(report, areas, 8.4 * cm, 9 * cm, True)]
    ]
    grid = Table(pair, colWidths=[8.5 * cm] * 2, hAlign="LEFT")
    grid.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    )
    return grid
