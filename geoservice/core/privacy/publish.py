"""The publication of one period, and public figures for a filter read from it.

Protecting every filtered table on its own would let two responses disagree about which
cells they hide, and a hidden cell of one could then be recovered from the other. So the
public site protects one table per publication period (a calendar month, see
:mod:`geoservice.core.privacy.periods`): areas × categories and areas × time bands
(:func:`publish_period`), and every public output reads its figures from that table: a
cell hidden there is hidden in every view, and no output adds a sum the table lacks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from geoservice.core.analysis.aggregate import aggregate_area_counts
from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.suppression import public_area_payload

PERIOD_ROW_COLUMNS = ("area_id", "category", "time_of_day", "voice")
"""Columns of the concerns :func:`publish_period` counts."""


def publish_period(rows: pd.DataFrame, areas: pd.DataFrame, k: int) -> dict[str, Any]:
    """Protect the whole table of one publication period.

    Parameters
    ----------
    rows : pandas.DataFrame
        One row per published concern of the period (active, about an unsafe place, in
        an area): :data:`PERIOD_ROW_COLUMNS`. ``voice`` identifies who spoke: the
        client key of the day (SPEC §6), or the concern's own id when it has none.
    areas : pandas.DataFrame
        Areas with ``id``, ``name`` and ``population``.
    k : int
        Smallest number of voices (and of concerns) that may be published.

    Returns
    -------
    dict
        As :func:`geoservice.core.privacy.suppression.public_area_payload`; a cell is
        small when it holds fewer than ``k`` distinct voices.

    Raises
    ------
    ValueError
        If a column is missing.
    """
    missing = [c for c in PERIOD_ROW_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"'rows' is missing column(s): {', '.join(missing)}")
    area_ids = areas["id"].tolist()
    frame = rows.loc[rows["area_id"].isin(area_ids), list(PERIOD_ROW_COLUMNS)].copy()
    frame["time_of_day"] = frame["time_of_day"].fillna("unknown")
    groups = frame.groupby(["area_id", "category", "time_of_day"]).size().rename("n").reset_index()
    groups["period"] = "current"
    table = aggregate_area_counts(groups, areas)
    voices = {
        "total": int(frame["voice"].nunique()),
        "areas": frame.groupby("area_id")["voice"]
        .nunique()
        .reindex(area_ids, fill_value=0)
        .to_numpy(dtype=np.int64),
        "category_mix": _voice_table(frame, "category", CATEGORY_CODES, area_ids),
        "time_band_mix": _voice_table(frame, "time_of_day", TIME_BANDS, area_ids),
    }
    return public_area_payload(table, k, voices=voices)


def _voice_table(frame: pd.DataFrame, column: str, codes, area_ids) -> np.ndarray:
    counted = frame.groupby(["area_id", column])["voice"].nunique()
    wide = counted.unstack(column, fill_value=0) if len(counted) else pd.DataFrame()
    wide = wide.reindex(index=area_ids, columns=list(codes), fill_value=0)
    return wide.to_numpy(dtype=np.int64)


def filtered_public_areas(
    payload: dict[str, Any],
    *,
    category: str | None = None,
    time_of_day: str | None = None,
) -> dict[str, Any]:
    """Per-area public figures for a category or a time band (or neither).

    Parameters
    ----------
    payload : dict
        Output of :func:`geoservice.core.privacy.suppression.public_area_payload` for the period.
    category, time_of_day : str, optional
        At most one of them; the figures become that cell of the area's mix.

    Returns
    -------
    dict
        ``{"k", "total", "areas": [{id, name, population, count, rate_per_1000,
        suppressed, category_mix, time_band_mix}]}``; with a filter the mixes are None
        (a filtered mix would be a cross-tabulation the protected table does not hold).

    Raises
    ------
    ValueError
        When both filters are given or a code is unknown.
    """
    if category is not None and time_of_day is not None:
        raise ValueError("give a category or a time band, not both")
    if category is not None and category not in CATEGORY_CODES:
        raise ValueError(f"unknown category {category!r}")
    if time_of_day is not None and time_of_day not in TIME_BANDS:
        raise ValueError(f"unknown time band {time_of_day!r}")
    if category is None and time_of_day is None:
        return {"k": payload["k"], "total": payload["total"], "areas": payload["areas"]}

    mix_key, code = (
        ("category_mix", category) if category is not None else ("time_band_mix", time_of_day)
    )
    areas = []
    for area in payload["areas"]:
        count = area[mix_key][code]
        population = area["population"]
        rate = (
            round(count / population * 1000, 2)
            if count is not None and population not in (None, 0)
            else None
        )
        areas.append(
            {
                "id": area["id"],
                "name": area["name"],
                "population": population,
                "count": count,
                "rate_per_1000": rate,
                "suppressed": count is None,
                "category_mix": None,
                "time_band_mix": None,
            }
        )
    counts = [a["count"] for a in areas]
    # Any hidden cell makes the total a key to the hidden sum: publish it only when none is.
    total = None if any(c is None for c in counts) else sum(counts)
    return {"k": payload["k"], "total": total, "areas": areas}


def published_sum(
    publications: Sequence[Mapping[str, Any]],
    area_ids: Collection[str],
    categories: Collection[str] | None = None,
) -> int | None:
    """A sum of published cells over months, areas and categories, or None.

    A public figure that adds up cells (the before/after follow-up of an activity) is
    published only when every cell it adds is published itself: then it is a sum anyone
    could make from the monthly tables and tells nothing new. One hidden cell makes it
    None, for otherwise it would be a new equation to solve the hidden cell from.

    Parameters
    ----------
    publications : sequence of mapping
        Protected tables of whole months (:func:`publish_period`).
    area_ids : collection of str
        The areas to add up.
    categories : collection of str, optional
        The categories to add up (their cells of each area's mix); the area counts when
        None.
    """
    wanted = set(area_ids)
    total = 0
    for publication in publications:
        by_id = {area["id"]: area for area in publication["areas"]}
        if not wanted <= set(by_id):
            return None
        for area_id in wanted:
            area = by_id[area_id]
            cells = (
                [area["count"]]
                if not categories
                else [(area["category_mix"] or {}).get(code) for code in categories]
            )
            if any(cell is None for cell in cells):
                return None
            total += sum(cells)
    return total
