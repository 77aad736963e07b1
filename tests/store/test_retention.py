"""Retention with a frozen clock: texts erased, points coarsened, old rows deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import h3
import pytest
from sqlalchemy import select

import geoservice.store.retention as retention
from geoservice.core.privacy.retention import RetentionRules
from geoservice.store.db import session_scope
from geoservice.store.models import AuditEvent, Report

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)


def add(app, days_old: int, **fields) -> str:
    with session_scope(app) as session:
        report = Report(
            lat=58.7012345,
            lon=12.4543217,
            category="drugs",
            time_of_day="night",
            area_id="mellerud-holm",
            created_at=NOW - timedelta(days=days_old),
            description="Ring 070-1234567",
            suggestion="Mer ljus",
            internal_note="anteckning",
            **fields,
        )
        session.add(report)
        session.add(AuditEvent(at=NOW - timedelta(days=days_old), action="login"))
        session.flush()
        return report.id


def rows(app):
    with session_scope(app) as session:
        return {r.id: r for r in session.scalars(select(Report))}


def test_dry_run_counts_and_changes_nothing(app, frozen, runner):
    add(app, 10)
    old = add(app, 400)
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would erase free text of 1 concerns" in result.output
    assert rows(app)[old].description == "Ring 070-1234567"


def test_rules_apply_by_age(app, frozen, runner):
    fresh = add(app, 10)
    year_old = add(app, 400)
    ancient = add(app, 800)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    stored = rows(app)
    assert stored[fresh].description == "Ring 070-1234567"
    assert stored[fresh].lat == 58.7012345
    assert stored[year_old].description is None and stored[year_old].suggestion is None
    assert stored[year_old].internal_note is None and stored[year_old].lat == 58.7012345
    cell = h3.latlng_to_cell(58.7012345, 12.4543217, 10)
    assert (stored[ancient].lat, stored[ancient].lon) == pytest.approx(h3.cell_to_latlng(cell))
    assert stored[ancient].precision == "cell" and stored[ancient].area_id == "mellerud-holm"
    with session_scope(app) as session:
        assert len(list(session.scalars(select(AuditEvent)))) == 2
    again = runner.invoke(args=["purge"])
    assert "erase free text of 0 concerns" in again.output


def test_delete_rule(app, frozen, monkeypatch):
    add(app, 10)
    add(app, 3000)
    with session_scope(app) as session:
        result = retention.purge(
            session, RetentionRules(text_days=0, point_days=0, delete_days=2000), dry_run=False
        )
    assert result.concerns_deleted == 1 and len(rows(app)) == 1


def test_inconsistent_rules_are_refused(app, runner):
    app.config["RETENTION_DELETE_DAYS"] = 100
    result = runner.invoke(args=["purge"])
    assert result.exit_code != 0 and "delete_days" in result.output
