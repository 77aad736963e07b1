"""Storing a concern: once per idempotency key, and only under the layer it was checked against."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from geoservice.core.intake.validation import validate_report
from geoservice.store import boundary_layers
from geoservice.store.aggregates import data_version
from geoservice.store.areas import shipped_layer
from geoservice.store.db import begin_write, engine_for, session_scope
from geoservice.store.models import AreaLayerRecord, Report
from geoservice.store.reports import (
    _ROW_COLUMNS,
    IdempotencyConflict,
    LayerChanged,
    new_receipt,
    normalise_receipt,
    report_row,
    store_report,
)

SECRET = "store-test-secret"
TOWN = {"lat": 58.7005, "lon": 12.4535, "category": "drugs", "time_of_day": "night"}


def draft(**fields):
    layer = shipped_layer()
    return validate_report(
        TOWN | fields, locate=layer.locate, area_point=layer.area_point, from_form=False
    )


def imported_layer(*, active: bool) -> AreaLayerRecord:
    """An imported layer's row (its areas do not matter to storing)."""
    return AreaLayerRecord(
        source="official.gpkg",
        provenance="{}",
        geojson='{"type": "FeatureCollection", "features": []}',
        area_count=0,
        imported_by="test",
        active=active,
    )


def stored_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Report))


def test_a_replay_returns_the_first_row_and_another_body_is_refused(app):
    with session_scope(app) as session:
        first = store_report(
            session,
            draft(idempotency_key="store-test-0001"),
            client=None,
            source="api",
            secret=SECRET,
        )
        again = store_report(
            session,
            draft(idempotency_key="store-test-0001"),
            client=None,
            source="api",
            secret=SECRET,
        )
        assert first.created and not again.created and again.report == first.report
        version = data_version(session)
        with pytest.raises(IdempotencyConflict):
            store_report(
                session,
                draft(idempotency_key="store-test-0001", category="theft"),
                client=None,
                source="api",
                secret=SECRET,
            )
        assert stored_count(session) == 1
        assert data_version(session) == version


def test_a_concern_checked_against_a_layer_no_longer_in_force_is_not_stored(app):
    with session_scope(app) as session:
        store_report(session, draft(), client=None, source="api", secret=SECRET, layer_id=None)
        version = data_version(session)
        session.add(imported_layer(active=True))
        session.commit()
        in_force = session.scalar(select(AreaLayerRecord.id))
        with pytest.raises(LayerChanged) as changed:
            store_report(session, draft(), client=None, source="api", secret=SECRET, layer_id=None)
        assert changed.value.layer_id == in_force
        assert stored_count(session) == 1
        assert data_version(session) == version
        assert store_report(
            session, draft(), client=None, source="api", secret=SECRET, layer_id=in_force
        )
        assert stored_count(session) == 2


def test_receipts_are_twelve_characters_of_the_unambiguous_alphabet_and_do_not_repeat():
    receipts = [new_receipt() for _ in range(3000)]
    assert len(set(receipts)) == len(receipts)
    group = "[0-9A-HJKMNP-TV-Z]{4}"
    assert all(re.fullmatch(f"{group}-{group}-{group}", r) for r in receipts)
    # Every character of the alphabet turns up in every position: all 60 bits are used.
    for position in range(14):
        if position % 5 != 4:
            assert len({r[position] for r in receipts}) == 32
    assert all(normalise_receipt(r.lower().replace("-", " ")) == r for r in receipts[:100])


def test_the_insert_writes_every_field_of_the_new_row():
    row = report_row(draft(), created_at=datetime.now(UTC), client=None, source="api")
    assert set(row) == set(_ROW_COLUMNS)


def test_a_submission_waiting_for_a_layer_change_sees_the_new_layer(app):
    """The layer change holds inserts back; the insert that waited finds the new layer."""
    engine = engine_for(app)
    with session_scope(app) as session:
        session.add(imported_layer(active=False))
    outcome: list = []

    def submit() -> None:
        with session_scope(app) as session:
            try:
                outcome.append(
                    store_report(
                        session, draft(), client=None, source="api", secret=SECRET, layer_id=None
                    )
                )
            except LayerChanged as exc:
                outcome.append(exc)

    with session_scope(app) as changer:
        begin_write(changer)
        boundary_layers._hold_submissions(changer)
        changer.execute(update(AreaLayerRecord).values(active=True))
        submitter = threading.Thread(target=submit)
        submitter.start()
        submitter.join(0.5)
        assert submitter.is_alive()  # held back until the change commits
    submitter.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], LayerChanged)
    with session_scope(app) as session:
        assert stored_count(session) == 0
    engine.dispose()


def test_the_fingerprint_leaves_out_what_the_layer_derives():
    from dataclasses import replace

    from geoservice.store.reports import _fingerprint

    draft = validate_report(
        TOWN, locate=shipped_layer().locate, area_point=shipped_layer().area_point, from_form=False
    )
    # A point's area comes from the layer; a whole area's point does too.
    assert _fingerprint(draft) == _fingerprint(replace(draft, area_id="1461R002"))
    assert _fingerprint(draft) != _fingerprint(replace(draft, lat=draft.lat + 0.01))
    whole = replace(draft, precision="area")
    assert _fingerprint(whole) == _fingerprint(replace(whole, lat=58.6, lon=12.5))
    assert _fingerprint(whole) != _fingerprint(replace(whole, area_id="other"))
