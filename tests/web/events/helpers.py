"""Test data for partner events and residents' concerns, stored directly."""

from __future__ import annotations

import uuid
from datetime import datetime

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.events.models import EventReport
from geoservice.store.models import Report, cell_of

TOWN = (12.4535, 58.7005)


def add_events(app, when: datetime, n: int = 1, *, lonlat=TOWN, types="graffiti", **fields):
    """Store ``n`` events that happened at ``when`` (aware)."""
    with session_scope(app) as session:
        for _ in range(n):
            values = {
                "id": str(uuid.uuid4()),
                "batch_id": str(uuid.uuid4()),
                "submitted_at": when,
                "organisation": "Mellerudsbostäder",
                "reporter_id": 1,
                "reporter_name": "vaktis",
                "occurred_from": when,
                "lon": lonlat[0],
                "lat": lonlat[1],
                "cell": cell_of(lonlat[1], lonlat[0]),
                "area_id": "mellerud-holm",
                "types": types,
                "seriousness": 2,
                "description": "EVENT-SECRET-TEXT",
                "channel": "form",
            } | fields
            session.add(EventReport(**values))
        bump_version(session)


def add_concerns(app, when: datetime, n: int = 1, *, lonlat=TOWN, **fields):
    """Store ``n`` residents' concerns made at ``when`` (aware)."""
    with session_scope(app) as session:
        for index in range(n):
            values = {
                "lon": lonlat[0],
                "lat": lonlat[1],
                "category": "vandalism",
                "time_of_day": "night",
                "area_id": "mellerud-holm",
                "created_at": when,
                "client_key": f"client-{index}",
            } | fields
            session.add(Report(**values))
        bump_version(session)
