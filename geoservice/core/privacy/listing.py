"""Which concerns a public request listing (Open311) may show, so that it counts nothing new.

An entry of the listing shows its area, category, status and publication month. Counting
entries therefore gives a count for every combination of those fields; the listing is
safe only if every such count is one the publication already shows, or one of at least
*k* voices. So a concern is listed only with its whole group, and a group, the concerns
of one area, category and month, only when:

1. its count is published (not hidden) in that month's protected table
   (:func:`geoservice.core.privacy.publish.publish_period`), so the listing adds no
   equation that a hidden cell is part of; the group holds exactly the concerns the
   table counted;
2. each public status within it (open, closed) holds none or at least *k* distinct
   voices, and at least *k* concerns: a status split is the one field the table lacks;
3. none of its concerns is synthetic demo data (demo data is never listed, and leaving
   part of a group out would make the listing's count differ from the table's).

The place an entry shows is a fixed point of its area, not of the concern: a location
that depended on where concerns lie (or how many there are) would let planted concerns
pull a neighbour's entry towards their own spot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["LISTING_COLUMNS", "listable_groups"]

LISTING_COLUMNS = ("area_id", "category", "public_status", "voice", "is_demo")
"""Columns :func:`listable_groups` reads, one row per concern of the month."""


def listable_groups(
    rows: pd.DataFrame, publication: Mapping[str, Any], k: int
) -> set[tuple[str, str]]:
    """The (area, category) groups of one month whose concerns may be listed.

    Parameters
    ----------
    rows : pandas.DataFrame
        The month's concerns counted by the publication: :data:`LISTING_COLUMNS`.
    publication : mapping
        That month's protected table (``areas`` with ``category_mix``).
    k : int
        Smallest number of voices a listed combination must hold.

    Returns
    -------
    set of (str, str)
        The groups to list in full; every other concern of the month stays unlisted.
    """
    missing = [c for c in LISTING_COLUMNS if c not in rows.columns]
    if missing:
        raise ValueError(f"'rows' is missing column(s): {', '.join(missing)}")
    published: dict[tuple[str, str], int] = {}
    for area in publication["areas"]:
        for code, value in (area.get("category_mix") or {}).items():
            if value:  # None is hidden; 0 has nothing to list
                published[(area["id"], code)] = int(value)
    listed = set()
    for (area_id, code), group in rows.groupby(["area_id", "category"]):
        key = (area_id, code)
        if published.get(key) != len(group) or group["is_demo"].astype(bool).any():
            continue
        by_status = group.groupby("public_status")["voice"].agg(["size", "nunique"])
        if ((by_status["size"] < k) | (by_status["nunique"] < k)).any():
            continue
        listed.add(key)
    return listed
