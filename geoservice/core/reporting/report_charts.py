"""The charts of one *lägesbild*, drawn once for both the page and the PDF."""

from __future__ import annotations

import h3
import numpy as np

from geoservice.core.categories import category_by_code
from geoservice.core.reporting.charts import (
    Chart,
    band_week_chart,
    category_chart,
    map_chart,
    trend_chart,
)
from geoservice.core.reporting.period_report import BAND_LABELS, PeriodReport

__all__ = ["WEEK_PART_LABELS", "report_charts", "zone_cells"]

WEEK_PART_LABELS: dict[str, tuple[str, str]] = {
    "weekday": ("Vardag", "Weekday"),
    "weekend": ("Helg", "Weekend"),
    "unknown": ("Ej angivet", "Not given"),
}
"""Columns of the time-band × week-part table, in Swedish and English."""


def zone_cells(report: PeriodReport, zones) -> list[tuple[str, np.ndarray]]:
    """Each listed zone's name and cells, in the report's order (``zones``: ZoneInput)."""
    by_id = {z.zone_id: z for z in zones}
    return [
        (str(row.name), np.asarray(by_id[row.zone_id].cells, dtype=np.uint64))
        for row in report.zones.itertuples(index=False)
        if row.zone_id in by_id
    ]


def report_charts(
    report: PeriodReport, areas, *, lang: str = "sv", places=None, zones=()
) -> dict[str, Chart]:
    """Draw the report's charts.

    Parameters
    ----------
    report : PeriodReport
    areas : geopandas.GeoDataFrame
        The areas the report was built on.
    lang : {"sv", "en"}
    places : geopandas.GeoDataFrame, optional
        Named places (``name``, points) for the maps.
    zones : sequence of ZoneInput, optional
        The zones the report followed; without them the maps show the hot cells.

    Returns
    -------
    dict of str to Chart
        ``trend``, ``categories``, ``band-week``, ``map`` and, when there are zones or hot
        cells, ``map-zones``.
    """
    i = 0 if lang != "en" else 1
    series = report.series
    top = report.categories.sort_values("count", ascending=False, kind="stable").head(3)
    lines = {
        label: series.by_category[code].tolist()
        for code, label, count in zip(top["code"], top["label"], top["count"], strict=True)
        if count
    }
    charts = {
        "trend": trend_chart(
            list(series.months),
            series.total.tolist(),
            lang=lang,
            partial=series.partial,
            lines=lines,
        ),
        "categories": category_chart(
            [
                category_by_code(c).label_en if lang == "en" else category_by_code(c).label_sv
                for c in report.categories["code"]
            ],
            report.categories["count"].tolist(),
            report.year.categories["earlier"].tolist(),
            lang=lang,
            now_label="Perioden" if lang != "en" else "The period",
            earlier_label="Samma period året före" if lang != "en" else "A year before",
        ),
        "band-week": band_week_chart(
            report.band_week,
            row_labels=[BAND_LABELS[b][i] for b in report.band_week.index],
            column_labels=[WEEK_PART_LABELS[c][i] for c in report.band_week.columns],
            lang=lang,
        ),
    }
    shapes = zone_cells(report, zones)
    if not shapes and len(report.hotspots.cells):
        cells = np.array([h3.str_to_int(c) for c in report.hotspots.cells["cell"]], np.uint64)
        shapes = [
            (str(n or ""), np.array([c], np.uint64))
            for n, c in zip(report.hotspots.cells["area_name"], cells, strict=True)
        ]
    charts["map"] = map_chart(areas, zones=shapes, places=places, lang=lang)
    if shapes:
        charts["map-zones"] = map_chart(
            areas, zones=shapes, places=places, lang=lang, focus_on_zones=True
        )
    return charts
