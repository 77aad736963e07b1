"""Replace the area layer, re-assigning every concern in the same transaction; roll back."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from geoservice.core.places.boundary_import import BoundaryImport
from geoservice.store.aggregates import bump_version
from geoservice.store.areas import AreaLayer, layer_from_record, shipped_layer
from geoservice.store.db import begin_write
from geoservice.store.models import AreaLayerActivation, AreaLayerRecord, Report
from geoservice.store.promises import AreaRemap, apply_area_remaps, layer_key, plan_area_remaps

CHUNK = 5000


@dataclass(frozen=True)
class LayerChange:
    """What an import or rollback did."""

    layer_id: int | None
    source: str
    reassigned: int
    outside: int
    changed_area: int
    remaps: tuple[AreaRemap, ...] = ()


def _reassign(session: Session, layer: AreaLayer) -> tuple[int, int, int]:
    """Give every concern the area of the new layer holding its point.

    Only the concerns whose area changes are written: submissions wait while this runs,
    and most concerns keep their area when boundaries are redrawn.
    """
    rows = session.execute(select(Report.id, Report.lon, Report.lat, Report.area_id)).all()
    if not rows:
        return 0, 0, 0
    found = layer.index.assign(
        np.array([r.lon for r in rows], dtype=float), np.array([r.lat for r in rows], dtype=float)
    )
    new = [None if f is None else str(f) for f in found]
    # One statement per area and chunk of ids rather than one per concern: a layer has a
    # handful of areas, and a million single-row updates take tens of seconds.
    moved: dict[str | None, list[str]] = defaultdict(list)
    for row, area in zip(rows, new, strict=True):
        if row.area_id != area:
            moved[area].append(row.id)
    for area, ids in moved.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            session.execute(update(Report).where(Report.id.in_(chunk)).values(area_id=area))
    return len(rows), sum(n is None for n in new), sum(len(ids) for ids in moved.values())


def _provenance(imported: BoundaryImport, imported_by: str | None) -> dict:
    coverage = imported.coverage
    return {
        "file": str(imported.source),
        "layer": imported.layer,
        "source_crs": imported.source_crs,
        "fields_used": imported.fields_used,
        "repaired_geometries": imported.repaired,
        "uncovered_share": None if coverage is None else coverage.uncovered_share,
        "clipped": list(imported.clipped),
        "dropped": list(imported.dropped),
        "imported_by": imported_by,
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def import_layer(
    session: Session, imported: BoundaryImport, *, imported_by: str | None
) -> LayerChange:
    """Make ``imported`` the active layer and re-assign every concern, all or nothing.

    The previous layer stays stored (inactive), so :func:`rollback_layer` restores it.
    """
    areas = imported.areas.copy()
    areas["population"] = [None if pd.isna(p) else int(p) for p in areas["population"]]
    record = AreaLayerRecord(
        source=imported.source.name if hasattr(imported.source, "name") else str(imported.source),
        provenance=json.dumps(_provenance(imported, imported_by), ensure_ascii=False),
        geojson=areas.to_json(ensure_ascii=False),
        area_count=len(areas),
        imported_by=imported_by,
        active=True,
    )
    begin_write(session)
    _hold_submissions(session)
    try:
        before = session.scalar(select(AreaLayerRecord).where(AreaLayerRecord.active.is_(True)))
        old = shipped_layer() if before is None else layer_from_record(before)
        session.execute(update(AreaLayerRecord).values(active=False))
        session.add(record)
        session.flush()
        layer = layer_from_record(record)
        total, outside, changed = _reassign(session, layer)
        remaps = _carry_references(
            session, old, layer, before_id=None if before is None else before.id, after_id=record.id
        )
        session.add(AreaLayerActivation(layer_id=record.id, action="import", by=imported_by))
        bump_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return LayerChange(record.id, record.source, total, outside, changed, tuple(remaps))


def _carry_references(
    session: Session, old: AreaLayer, new: AreaLayer, *, before_id: int | None, after_id: int | None
) -> list[AreaRemap]:
    """Carry every activity's areas from ``old`` to ``new`` in the same transaction."""
    old_key, new_key = layer_key(before_id), layer_key(after_id)
    remaps = plan_area_remaps(session, old.exact_areas, new.exact_areas, new_key=new_key)
    apply_area_remaps(
        session, remaps, old_key=old_key, new_key=new_key, when=datetime.now(UTC).date().isoformat()
    )
    return remaps


def preview_references(session: Session, imported_areas) -> list[AreaRemap]:
    """What importing ``imported_areas`` would do to the activities' areas (a dry run)."""
    before = session.scalar(select(AreaLayerRecord).where(AreaLayerRecord.active.is_(True)))
    old = shipped_layer() if before is None else layer_from_record(before)
    return plan_area_remaps(session, old.exact_areas, imported_areas, new_key=None)


def _hold_submissions(session: Session) -> None:
    """PostgreSQL: no concern is inserted while the layer changes and concerns move.

    A submission confirms the layer after its insert (``store_report``), so one that waited
    here sees the new layer and is checked again; SQLite's write lock does this anyway.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE"))


def _stack(session: Session) -> list[AreaLayerActivation]:
    """The imports not undone, oldest first: the last one is the layer in force."""
    return list(
        session.scalars(
            select(AreaLayerActivation)
            .where(AreaLayerActivation.action == "import")
            .where(AreaLayerActivation.undone_at.is_(None))
            .order_by(AreaLayerActivation.id)
        )
    )


def rollback_layer(session: Session, *, by: str | None = None) -> LayerChange:
    """Return to the layer that was in force before the active one, by activation history.

    The import that brought the active layer in is marked undone, so a second rollback
    goes one step further back and never brings back a layer already rolled back; the
    shipped default is the bottom of the stack.
    """
    begin_write(session)
    _hold_submissions(session)
    try:
        current = session.scalar(select(AreaLayerRecord).where(AreaLayerRecord.active.is_(True)))
        stack = _stack(session)
        if current is None or not stack:
            raise LookupError("the shipped default layer is in use; there is nothing to roll back")
        now = datetime.now(UTC)
        stack[-1].undone_at = now
        previous_id = stack[-2].layer_id if len(stack) > 1 else None
        previous = None if previous_id is None else session.get(AreaLayerRecord, previous_id)
        current.active = False
        old = layer_from_record(current)
        if previous is not None:
            previous.active = True
            layer = layer_from_record(previous)
        else:
            layer = shipped_layer()
        session.add(AreaLayerActivation(layer_id=previous_id, action="rollback", by=by, at=now))
        session.flush()
        total, outside, changed = _reassign(session, layer)
        remaps = _carry_references(session, old, layer, before_id=current.id, after_id=previous_id)
        bump_version(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return LayerChange(previous_id, layer.source, total, outside, changed, tuple(remaps))


def activation_history(session: Session) -> list[AreaLayerActivation]:
    """Every change of the layer in force, newest first."""
    return list(
        session.scalars(select(AreaLayerActivation).order_by(AreaLayerActivation.id.desc()))
    )


def layer_history(session: Session) -> list[AreaLayerRecord]:
    """Every imported layer, newest first."""
    return list(session.scalars(select(AreaLayerRecord).order_by(AreaLayerRecord.id.desc())))
