"""CSV and GeoJSON exports of a period report (SPEC §2: "exportable as CSV and GeoJSON").

CSV texts are safe to open in a spreadsheet: a text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with a single quote, so that it is
shown as text and never run as a formula (CSV injection). Numbers are written as numbers
(a negative change stays ``-3``). Area names come from imported boundary files and
category labels from configuration, so no text is trusted.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

import h3
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from geoservice.core.analysis.hexgrid import cell_boundaries
from geoservice.core.reporting.period_report import BAND_LABELS, PeriodReport

__all__ = [
    "CSV_TABLES",
    "FORMULA_PREFIXES",
    "areas_geojson",
    "csv_safe",
    "hotspots_geojson",
    "tables_as_csv",
]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

CSV_TABLES: tuple[str, ...] = ("areas", "categories", "time_bands", "band_week", "accuracy")
"""Names of the CSV texts :func:`tables_as_csv` returns."""

AREA_FIELDS: tuple[str, ...] = (
    "area_id",
    "name",
    "population",
    "count",
    "rate_per_1000",
    "previous_count",
    "change",
    "change_pct",
)


def csv_safe(value: Any) -> Any:
    """Return ``value`` fit for a CSV cell: text cannot start a formula, None is empty.

    Parameters
    ----------
    value : Any
        A cell value.

    Returns
    -------
    Any
        ``""`` for None or NaN; a Python number for a number; text starting with one of
        :data:`FORMULA_PREFIXES` with ``'`` put in front; other text as it is.
    """
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return out.getvalue()


def _frame_csv(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    return _csv(columns, frame[list(columns)].itertuples(index=False, name=None))


def tables_as_csv(report: PeriodReport) -> dict[str, str]:
    """Return the report's tables as CSV texts.

    Parameters
    ----------
    report : PeriodReport

    Returns
    -------
    dict of str to str
        Keys :data:`CSV_TABLES`; comma-separated, ``\\r\\n`` line ends, a header row of
        column codes, decimal points, empty cells for missing values. ``band_week`` has
        one row per time band with its label and the weekday, weekend and unknown
        counts; ``accuracy`` is empty but for its header when there was nothing to judge.
    """
    if not isinstance(report, PeriodReport):
        raise ValueError(f"'report' should be a PeriodReport, got {type(report)}")
    share_columns = ("code", "label", "count", "share", "previous")
    band_week = report.band_week
    lang_index = 0 if report.lang == "sv" else 1
    accuracy_columns = (
        "method",
        "coverage",
        "cells",
        "area_share",
        "hits",
        "concerns",
        "hit_rate",
        "pai",
        "pei",
    )
    accuracy = (
        _frame_csv(report.accuracy.table, accuracy_columns)
        if report.accuracy is not None
        else _csv(accuracy_columns, [])
    )
    return {
        "areas": _frame_csv(report.areas, AREA_FIELDS),
        "categories": _frame_csv(report.categories, share_columns),
        "time_bands": _frame_csv(report.time_bands, share_columns),
        "band_week": _csv(
            ("time_band", "label", *band_week.columns),
            (
                (band, BAND_LABELS[band][lang_index], *row)
                for band, row in zip(band_week.index, band_week.to_numpy().tolist(), strict=True)
            ),
        ),
        "accuracy": accuracy,
    }


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return str(value)


def _period(report: PeriodReport) -> dict[str, str]:
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "previous_start": report.previous_start.isoformat(),
        "previous_end": report.previous_end.isoformat(),
    }


def areas_geojson(report: PeriodReport, areas) -> dict[str, Any]:
    """Return the per-area figures as a GeoJSON FeatureCollection.

    Parameters
    ----------
    report : PeriodReport
    areas : geopandas.GeoDataFrame
        The areas the report was built on; reprojected to EPSG:4326 when in another CRS.

    Returns
    -------
    dict
        ``type``, ``features`` (one per area of the report, geometry from ``areas`` by
        ``id``, properties the columns of ``report.areas``), ``period`` (ISO dates) and
        ``demo``. Every value is a plain JSON type.
    """
    if not isinstance(report, PeriodReport):
        raise ValueError(f"'report' should be a PeriodReport, got {type(report)}")
    if areas.crs is not None and areas.crs.to_epsg() != 4326:
        areas = areas.to_crs("EPSG:4326")
    geometry = dict(zip(areas["id"].tolist(), areas.geometry.to_numpy(), strict=True))
    features = []
    for record in report.areas[list(AREA_FIELDS)].to_dict("records"):
        geom = geometry.get(record["area_id"])
        features.append(
            {
                "type": "Feature",
                "id": _json_value(record["area_id"]),
                "geometry": None if geom is None else mapping(geom),
                "properties": {key: _json_value(v) for key, v in record.items()},
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "period": _period(report),
        "demo": report.demo,
    }


def hotspots_geojson(report: PeriodReport) -> dict[str, Any]:
    """Return the report's listed hex cells as a GeoJSON FeatureCollection.

    Parameters
    ----------
    report : PeriodReport

    Returns
    -------
    dict
        ``type``, ``features`` (one hexagon per listed cell, EPSG:4326, properties
        ``cell``, ``count`` (None when below ``k``), ``gi_z``, ``hotspot_class`` and
        ``area_name``), ``significant``, ``explanation`` (in the report's language),
        ``k``, ``period`` and ``demo``.
    """
    if not isinstance(report, PeriodReport):
        raise ValueError(f"'report' should be a PeriodReport, got {type(report)}")
    cells = report.hotspots.cells
    ids = np.array([h3.str_to_int(c) for c in cells["cell"]], dtype=np.uint64)
    polygons = cell_boundaries(ids) if ids.size else []
    keys = ("cell", "count", "gi_z", "hotspot_class", "area_name", "place")
    features = [
        {
            "type": "Feature",
            "geometry": mapping(polygon),
            "properties": {key: _json_value(record[key]) for key in keys},
        }
        for polygon, record in zip(polygons, cells.to_dict("records"), strict=True)
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "significant": report.hotspots.significant,
        "explanation": report.hotspots.explanation(report.lang),
        "k": report.k,
        "period": _period(report),
        "demo": report.demo,
    }
