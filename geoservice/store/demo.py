"""Write and remove the synthetic demo concerns (``geoservice seed-demo``)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from flask import Flask
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from geoservice.core.demo import DEMO_SOURCE, synthesize_reports
from geoservice.store.aggregates import bump_version
from geoservice.store.areas import AreaLayer
from geoservice.store.db import begin_write, session_scope
from geoservice.store.models import Report, new_id
from geoservice.store.reports import new_receipt


def add_demo_reports(app: Flask, *, count: int, start: datetime, end: datetime, seed: int) -> int:
    """Generate ``count`` synthetic concerns and store them in one transaction."""
    layer: AreaLayer = app.extensions["geoservice.areas"]
    frame = synthesize_reports(layer.outline, n=count, start=start, end=end, seed=seed)
    area_ids = layer.index.assign(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    rows = []
    for record, area_id in zip(frame.to_dict("records"), area_ids, strict=True):
        if area_id is None:
            continue
        lon, lat = record["lon"], record["lat"]
        if record["precision"] == "area":
            lon, lat = layer.area_point(area_id)
        rows.append(
            {
                "id": new_id(),
                "created_at": record["created_at"].to_pydatetime(),
                "lon": float(lon),
                "lat": float(lat),
                "precision": record["precision"],
                "kind": record["kind"],
                "category": record["category"],
                "time_of_day": record["time_of_day"],
                "weekend": _optional(record["weekend"]),
                "exact_hour": _optional(record["exact_hour"]),
                "description": None,
                "suggestion": _optional(record["suggestion"]),
                "role": _optional(record["role"]),
                "age_band": _optional(record["age_band"]),
                "area_id": str(area_id),
                "status": "new",
                "receipt": new_receipt(),
                "client_key": record["client_key"][:32],
                "source": DEMO_SOURCE,
                "is_demo": True,
            }
        )
    with session_scope(app) as session:
        begin_write(session)
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(Report), rows[chunk : chunk + 5000])
        bump_version(session)
    return len(rows)


def _optional(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def remove_demo_reports(app: Flask) -> int:
    """Delete every demo concern and nothing else; return how many went."""
    with session_scope(app) as session:
        begin_write(session)
        result = session.execute(delete(Report).where(Report.is_demo.is_(True)))
        bump_version(session)
        return result.rowcount


def has_demo_reports(session: Session) -> bool:
    """True while any demo concern is stored (every page then shows a banner)."""
    return session.scalar(select(Report.id).where(Report.is_demo.is_(True)).limit(1)) is not None
