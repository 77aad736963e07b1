"""The audit log keeps every filter value, reads as sentences, filters and exports as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from geoservice.store.accounts import audit_filter, record_event
from geoservice.store.db import session_scope
from geoservice.store.models import AuditEvent


def test_repeated_filters_are_kept_whole():
    args = MultiDict(
        [("layer", "hotspots"), ("layer", "density"), ("layer", "points"), ("category", "drugs")]
    )
    assert json.loads(audit_filter(args)) == {
        "category": "drugs",
        "layer": ["hotspots", "density", "points"],
    }
    assert json.loads(audit_filter({"category": "drugs"})) == {"category": "drugs"}
    assert audit_filter(MultiDict([("description", "free text")])) is None


def test_a_staff_page_with_several_layers_is_logged_whole(app, client, login):
    login("police", "kommunpolis")
    client.get("/personal/hotspots?layer=hotspots&layer=density&layer=points")
    with session_scope(app) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "view_points"))
    assert json.loads(event.filter)["layer"] == ["hotspots", "density", "points"]


def _event(app, *, at, user, role, action, target=None, filter_json=None, rows=None):
    with session_scope(app) as session:
        record_event(
            session,
            action=action,
            user_name=user,
            role=role,
            target=target,
            filter_json=filter_json,
            rows=rows,
        )
        event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        event.at = at
        session.commit()


def _seed(app):
    _event(
        app,
        at=datetime(2026, 11, 20, 21, 30, tzinfo=UTC),
        user="anna.polis",
        role="police",
        action="view_free_text",
        target="staff.queue",
        filter_json=json.dumps({"category": "drugs", "time_of_day": "night"}),
        rows=12,
    )
    _event(
        app,
        at=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        user="bertil.kommun",
        role="municipality",
        action="export_points",
        target="exports.concerns:csv",
        rows=40,
    )
    _event(
        app,
        at=datetime(2026, 11, 26, 23, 30, tzinfo=UTC),  # 00:30 on the 27th in Stockholm
        user="anna.polis",
        role="police",
        action="login",
        target="auth.login",
    )


def test_the_log_reads_as_sentences_in_local_time(app, client, login):
    _seed(app)
    login("admin", "admin")
    page = client.get("/personal/logg").get_data(as_text=True)
    assert (
        "Polis anna.polis visade fritexter för 12 synpunkter i modereringskön, "
        "filter: narkotika, natt." in page
    )
    assert "Kommun bertil.kommun exporterade 40 synpunkter som CSV-fil." in page
    assert "2026-11-27 00:30" in page and "2026-11-20 22:30" in page
    assert "<code>view_free_text</code>" in page  # the raw record, folded


def test_the_log_filters_by_person_action_and_local_day(app, client, login):
    _seed(app)
    login("admin", "admin")
    page = client.get("/personal/logg?user=anna.polis").get_data(as_text=True)
    assert "anna.polis visade" in page and "bertil.kommun exporterade" not in page
    page = client.get("/personal/logg?action=export_points&action=login").get_data(as_text=True)
    assert "bertil.kommun exporterade" in page and "anna.polis loggade in" in page
    assert "anna.polis visade" not in page
    # The 27th in Stockholm holds the login at 23:30 UTC on the 26th, and nothing else.
    page = client.get("/personal/logg?from=2026-11-27&to=2026-11-27").get_data(as_text=True)
    assert "anna.polis loggade in" in page and "exporterade 40" not in page
    assert "1 händelser." in page


def test_a_bad_audit_filter_is_explained(app, client, login):
    login("admin", "admin")
    response = client.get("/personal/logg?from=2026-13-01&to=2026-01-01")
    assert response.status_code == 422
    assert "Från: skriv ett datum som 2026-11-30 (år-månad-dag)." in response.get_data(as_text=True)
    response = client.get("/personal/logg?from=2026-02-01&to=2026-01-01")
    assert "Till och med: välj en dag som inte ligger före Från-dagen." in response.get_data(
        as_text=True
    )
    # Year 1 once overflowed the conversion to UTC (a 500 found by the route walk).
    for query in ("from=0001-01-01", "to=9999-12-31"):
        response = client.get(f"/personal/logg?{query}")
        assert response.status_code == 422
        assert "välj ett datum mellan 2000-01-01 och 2100-12-31" in response.get_data(as_text=True)
        assert client.get(f"/personal/logg.csv?{query}").status_code == 422


def test_csv_export_holds_the_filtered_log_and_is_itself_audited(app, client, login):
    _seed(app)
    login("admin", "admin")
    response = client.get("/personal/logg.csv?user=anna.polis")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "granskningslogg-" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["user_name"] for r in rows} == {"anna.polis"}
    by_action = {r["action"]: r for r in rows}
    assert by_action["view_free_text"]["at_utc"] == "2026-11-20T21:30:00+00:00"
    assert by_action["view_free_text"]["at_local"] == "2026-11-20 22:30"
    assert by_action["view_free_text"]["rows"] == "12"
    assert json.loads(by_action["view_free_text"]["filter"]) == {
        "category": "drugs",
        "time_of_day": "night",
    }
    assert by_action["view_free_text"]["description"].startswith("Polis anna.polis visade")
    with session_scope(app) as session:
        export = session.scalar(select(AuditEvent).where(AuditEvent.action == "export_audit"))
    assert export.user_name == "admin" and export.rows == 2
    assert json.loads(export.filter) == {"user": "anna.polis"}
    page = client.get("/personal/logg").get_data(as_text=True)
    assert (
        "Administratör admin exporterade 2 rader ur granskningsloggen, filter: person anna.polis."
        in page
    )


def test_only_the_admin_reads_or_exports_the_log(client, login):
    login("police")
    assert client.get("/personal/logg").status_code == 403
    assert client.get("/personal/logg.csv").status_code == 403


def test_a_viewed_concern_is_one_tap_from_its_log_line(app, client, login):
    _event(
        app,
        at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        user="anna.polis",
        role="police",
        action="view_free_text",
        target="staff.report_page:1f2e",
        rows=1,
    )
    login("admin", "admin")
    page = client.get("/personal/logg").get_data(as_text=True)
    assert "Polis anna.polis visade fritext för 1 synpunkt på en synpunkts sida." in page
    assert 'href="/personal/synpunkt/1f2e" class="audit-concern"' in page
    assert "staff.report_page:1f2e</code>" in page  # the raw record keeps the target
