"""Store and read the gazetteer: imported places replace or extend the shipped starter set.

While the ``named_places`` table is empty the shipped ``data/places`` set is in use.
Every change is one transaction and moves the data version, so cached hotspot pages,
API answers and plans are recomputed with the new names.
"""

from __future__ import annotations

import functools
import json
import threading

import geopandas as gpd
import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from geoservice.core.places.gazetteer import Gazetteer, check_places, load_gazetteer
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.places.models import NamedPlace

MAX_PLACES = 5000


class PlacesError(ValueError):
    """The places cannot be stored; the message says why (nothing was changed)."""


@functools.cache
def shipped_gazetteer() -> Gazetteer:
    """The shipped starter set, read and checked once."""
    return load_gazetteer()


_cache: dict = {}
_lock = threading.Lock()


def stored_place_count(session: Session) -> int:
    """How many imported places are stored (0: the shipped set is in use)."""
    return session.scalar(select(func.count()).select_from(NamedPlace)) or 0


def current_gazetteer(session: Session) -> Gazetteer:
    """The gazetteer in force: the imported places, or the shipped set when none are stored."""
    count, last = session.execute(select(func.count(), func.max(NamedPlace.id))).one()
    if not count:
        return shipped_gazetteer()
    key = (str(session.get_bind().url), count, last)
    with _lock:
        if key in _cache:
            return _cache[key]
    rows = session.scalars(select(NamedPlace).order_by(NamedPlace.id)).all()
    frame = gpd.GeoDataFrame(
        {
            "name": [r.name for r in rows],
            "kind": [r.kind for r in rows],
            "radius_m": [r.radius_m for r in rows],
            "source": [r.source for r in rows],
            "approximate": [r.approximate for r in rows],
        },
        geometry=[shape(json.loads(r.geometry)) for r in rows],
        crs=4326,
    )
    gazetteer = Gazetteer.from_frame(frame)
    with _lock:
        _cache.clear()
        _cache[key] = gazetteer
    return gazetteer


def save_places(
    session: Session, places: gpd.GeoDataFrame, *, mode: str, imported_by: str | None
) -> int:
    """Replace the places in force with ``places``, or extend them; return how many are in force.

    ``mode`` is ``"replace"`` or ``"extend"``. Extending while the shipped set is in use
    stores the shipped set first, so the new places come on top of it. A place whose name
    is already in force is replaced by the new one when extending.

    Raises
    ------
    PlacesError
        On an unknown mode or too many places; nothing is changed.
    """
    if mode not in ("replace", "extend"):
        raise PlacesError(f"unknown mode {mode!r}; expected replace or extend")
    places = check_places(places)
    begin_write(session)
    try:
        if mode == "extend":
            current = current_gazetteer(session).places
            keep = current.loc[~current["name"].isin(set(places["name"]))]
            combined = gpd.GeoDataFrame(gpd.pd.concat([keep, places], ignore_index=True), crs=4326)
        else:
            combined = places
        if len(combined) > MAX_PLACES:
            raise PlacesError(f"at most {MAX_PLACES} places, got {len(combined)}")
        session.execute(delete(NamedPlace))
        for row in combined.itertuples(index=False):
            session.add(
                NamedPlace(
                    name=row.name,
                    kind=row.kind,
                    geometry=json.dumps(mapping(shapely.set_precision(row.geometry, 1e-7))),
                    radius_m=float(row.radius_m),
                    source=row.source,
                    approximate=bool(row.approximate),
                    imported_by=imported_by,
                )
            )
        bump_version(session)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(combined)


def reset_places(session: Session) -> int:
    """Remove the imported places, so the shipped set is in force again; return how many."""
    begin_write(session)
    removed = session.execute(delete(NamedPlace)).rowcount
    bump_version(session)
    session.commit()
    return removed
