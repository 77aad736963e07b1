"""Apply the retention rules in one transaction (``geoservice purge``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from geoservice.core.analysis.hexgrid import DEFAULT_H3_RESOLUTION, cell_centres, cells_for_points
from geoservice.core.privacy.retention import RetentionRules, cutoff
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.models import AuditEvent, Report


def utcnow() -> datetime:
    """The clock the purge reads (tests freeze it)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class PurgeResult:
    """How many rows each rule touched (or would touch, in a dry run)."""

    texts_erased: int
    points_coarsened: int
    concerns_deleted: int
    audit_events_deleted: int
    dry_run: bool


def purge(session: Session, rules: RetentionRules, *, dry_run: bool) -> PurgeResult:
    """Apply ``rules`` to every stored concern and the audit log, all or nothing."""
    now = utcnow()
    text_limit = cutoff(now, rules.text_days)
    point_limit = cutoff(now, rules.point_days)
    delete_limit = cutoff(now, rules.delete_days)
    audit_limit = cutoff(now, rules.audit_days)
    begin_write(session)
    has_text = or_(
        Report.description.is_not(None),
        Report.suggestion.is_not(None),
        Report.place_note.is_not(None),
        Report.internal_note.is_not(None),
    )

    def count(*conditions) -> int:
        return session.scalar(select(func.count()).select_from(Report).where(*conditions))

    deleted = count(Report.created_at < delete_limit) if delete_limit else 0
    texts = count(Report.created_at < text_limit, has_text) if text_limit else 0
    points = (
        count(Report.created_at < point_limit, Report.precision == "point") if point_limit else 0
    )
    audits = (
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.at < audit_limit)
        )
        if audit_limit
        else 0
    )
    if dry_run:
        session.rollback()
        return PurgeResult(texts, points, deleted, audits, dry_run=True)
    if delete_limit:
        session.execute(delete(Report).where(Report.created_at < delete_limit))
    if text_limit:
        session.execute(
            update(Report)
            .where(Report.created_at < text_limit, has_text)
            .values(description=None, suggestion=None, place_note=None, internal_note=None)
        )
    if point_limit:
        rows = session.execute(
            select(Report.id, Report.lat, Report.lon).where(
                Report.created_at < point_limit, Report.precision == "point"
            )
        ).all()
        if rows:
            ids = [r.id for r in rows]
            lat = np.array([r.lat for r in rows])
            lon = np.array([r.lon for r in rows])
            centre_lat, centre_lon = cell_centres(cells_for_points(lat, lon, DEFAULT_H3_RESOLUTION))
            session.execute(
                update(Report),
                [
                    {"id": i, "lat": float(a), "lon": float(o), "precision": "cell"}
                    for i, a, o in zip(ids, centre_lat, centre_lon, strict=True)
                ],
            )
    if audit_limit:
        session.execute(delete(AuditEvent).where(AuditEvent.at < audit_limit))
    bump_version(session)
    session.commit()
    return PurgeResult(texts, points, deleted, audits, dry_run=False)
