"""A month's protected table is computed once, stored, and served as stored from then on.

Recomputing the figures of a month that is over after an erasure, a moderation or a late
import would publish a second version; the two versions subtract to what changed, and
that can be one concern in a hidden cell. Statistical offices publish a period once; so
does this service. What is kept is the protected table only (no row, no id, no point),
which is anonymous: a concern erased later is gone from the database, and its month's
published count stays as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geoservice.store.db import begin_write
from geoservice.store.models import Publication


def first_publication(
    session: Session,
    *,
    period: str,
    layer_source: str,
    k: int,
    with_demo: bool,
    compute: Callable[[], dict],
) -> dict:
    """The stored table of ``period``, or ``compute()`` stored as it when there is none.

    The key also holds the area layer, k and whether demo data are stored: a new layer,
    another k, or removing the demo data makes a publication of its own (docs/privacy.md
    names what a reader can compare across those).
    """
    key = (
        Publication.period == period,
        Publication.layer_source == layer_source[:255],
        Publication.k == k,
        Publication.with_demo.is_(with_demo),
    )
    stored = session.scalar(select(Publication.payload).where(*key))
    if stored is not None:
        return json.loads(stored)
    payload = compute()
    begin_write(session)
    try:
        # Another worker may have published the month meanwhile: the first one stays.
        stored = session.scalar(select(Publication.payload).where(*key))
        if stored is None:
            session.add(
                Publication(
                    period=period,
                    layer_source=layer_source[:255],
                    k=k,
                    with_demo=with_demo,
                    payload=json.dumps(payload, ensure_ascii=False),
                )
            )
            session.commit()
            return payload
        session.commit()
    except IntegrityError:
        session.rollback()
        stored = session.scalar(select(Publication.payload).where(*key))
    return json.loads(stored)
