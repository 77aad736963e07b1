"""Public figures for one filter, read from the protected whole table of the period.

Protecting every filtered table on its own would let two responses disagree about which
cells they hide, and a hidden cell of one could then be recovered from the other. So the
public site protects one table per period (areas × categories and areas × time bands,
:func:`geoservice.core.privacy.suppression.public_area_payload`) and every filter reads its figures
from that table: a cell hidden there is hidden in every view.
"""

from __future__ import annotations

from typing import Any

from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS


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
