"""Moderation and the audit log as staff use them."""

from __future__ import annotations

import re

from sqlalchemy import select

from geoservice.store.db import session_scope
from geoservice.store.models import AuditEvent, ModerationEvent, Report
from tests.conftest import STAFF_PASSWORD, csrf_token_from

TEXT = "Ring 070-123 45 67, det luktar hasch vid bänken"


def submit(client, **fields) -> str:
    body = {"lat": 58.70123, "lon": 12.45432, "category": "drugs", "time_of_day": "night"}
    body.update(fields)
    return client.post("/api/v1/reports", json=body).get_json()["id"]


def holm_count(client) -> int | None:
    features = client.get("/api/v1/areas").get_json()["features"]
    return next(f["properties"]["count"] for f in features if f["id"] == "mellerud-holm")


def test_queue_lists_new_concerns_first_with_their_text(client, login):
    ids = [submit(client, description=f"text {i}") for i in range(3)]
    login("police")
    page = client.get("/personal/moderering").get_data(as_text=True)
    assert "3 synpunkter matchar" in page
    assert all(f"/personal/synpunkt/{i}" in page for i in ids)
    assert "text 2" in page


def test_marking_spam_takes_a_concern_out_of_every_aggregate(app, client, login, monkeypatch):
    from geoservice.core.privacy.periods import period_of
    from geoservice.web import insight

    # Six people: public figures count distinct voices, not rows.
    ids = [
        client.post(
            "/api/v1/reports",
            json={"lat": 58.70123, "lon": 12.45432, "category": "drugs", "time_of_day": "night"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        ).get_json()["id"]
        for i in range(6)
    ]
    name = login("municipality")
    token = csrf_token_from(client, f"/personal/synpunkt/{ids[0]}")
    response = client.post(
        f"/personal/synpunkt/{ids[0]}",
        data={"csrf_token": token, "status": "spam", "reason": "reklam", "category": "drugs"},
    )
    assert response.status_code == 303
    # This month is published once it is over, without the concern marked spam.
    next_month = period_of(insight.local_today()).next().first_day
    monkeypatch.setattr(insight, "local_today", lambda: next_month)
    assert holm_count(client) == 5
    with session_scope(app) as session:
        event = session.scalar(select(ModerationEvent))
        assert (event.user_name, event.field, event.from_value, event.to_value, event.reason) == (
            name,
            "status",
            "new",
            "spam",
            "reklam",
        )


def test_recategorising_and_the_note_are_recorded_without_the_note_text(app, client, login):
    report_id = submit(client)
    login("police")
    token = csrf_token_from(client, f"/personal/synpunkt/{report_id}")
    client.post(
        f"/personal/synpunkt/{report_id}",
        data={
            "csrf_token": token,
            "status": "new",
            "category": "disorder",
            "note": "Hemlig intern anteckning",
        },
    )
    with session_scope(app) as session:
        report = session.get(Report, report_id)
        assert report.category == "disorder"
        assert report.internal_note == "Hemlig intern anteckning"
        fields = {
            (e.field, e.from_value, e.to_value) for e in session.scalars(select(ModerationEvent))
        }
    assert fields == {("category", "drugs", "disorder"), ("note", None, None)}
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    assert "Ändringarna är sparade" not in page  # only after the redirect with ?saved
    assert "disorder" in page


def test_invalid_moderation_is_refused_and_changes_nothing(app, client, login):
    report_id = submit(client)
    login("police")
    token = csrf_token_from(client, f"/personal/synpunkt/{report_id}")
    response = client.post(
        f"/personal/synpunkt/{report_id}", data={"csrf_token": token, "status": "deleted"}
    )
    assert response.status_code == 422
    with session_scope(app) as session:
        assert session.get(Report, report_id).status == "new"
        assert session.scalar(select(ModerationEvent)) is None


def test_exports_mask_personal_data_and_are_audited(app, client, login):
    submit(client, description=TEXT)
    login("police")
    body = client.get("/api/v1/reports", query_string={"category": "drugs"}).get_json()
    text = body["features"][0]["properties"]["description"]
    assert "070-123 45 67" not in text and "[telefonnummer dolt]" in text
    assert "receipt" not in body["features"][0]["properties"]
    with session_scope(app) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export_points"))
        assert event.rows == 1 and '"category": "drugs"' in event.filter


def test_audit_log_shows_views_logins_and_denials_but_no_secrets(app, client, login, make_user):
    submit(client, description=TEXT)
    login("police", "kommunpolis")
    client.get("/personal/moderering")
    client.get("/api/v1/reports", query_string={"description": "leak?"})
    client.post("/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/")})
    bra = make_user("bra", "radsledamot")
    client.post(
        "/personal/logga-in",
        data={"name": bra, "password": STAFF_PASSWORD, "csrf_token": csrf_token_from(client)},
    )
    assert client.get("/api/v1/reports").status_code == 403
    client.post("/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/")})
    client.post(
        "/personal/logga-in",
        data={"name": STAFF_PASSWORD, "password": "x", "csrf_token": csrf_token_from(client)},
    )
    login("admin", "admin")
    page = client.get("/personal/logg").get_data(as_text=True)
    for action in ("login", "view_free_text", "export_points", "denied", "logout", "login_failed"):
        # The raw record stays available to the admin, folded under each sentence.
        assert f"<code>{action}</code>" in page, action
    for sentence in (
        "Polis kommunpolis loggade in.",
        "Polis kommunpolis visade fritext för 1 synpunkt i modereringskön.",
        "Polis kommunpolis exporterade 1 synpunkt via API:t.",
        "BRÅ (rådsledamot) radsledamot nekades åtkomst via API:t.",
        "Polis kommunpolis loggade ut.",
        "Någon försökte logga in med ett okänt användarnamn eller fel lösenord.",
    ):
        assert sentence in page, sentence
    assert "view_free_text</span>" not in page and "UTC)</th>" not in page
    assert "kommunpolis" in page and "radsledamot" in page
    for secret in (STAFF_PASSWORD, "leak?", "070-123", "58.70123", "12.45432", "hasch"):
        assert secret not in page, secret
    with session_scope(app) as session:
        stored = " ".join(
            f"{e.user_name} {e.target} {e.filter}" for e in session.scalars(select(AuditEvent))
        )
    assert STAFF_PASSWORD not in stored and "leak?" not in stored


def test_staff_home_links_by_role(client, login):
    login("bra")
    page = client.get("/personal/").get_data(as_text=True)
    assert "Moderering" not in page and "Granskningslogg" not in page
    assert "ser inte exakta platser" in page


def test_login_redirects_back_only_to_this_site(client, make_user):
    name = make_user("police")
    data = {"name": name, "password": STAFF_PASSWORD}
    evil = client.post(
        "/personal/logga-in",
        data=data | {"next": "//evil.example/", "csrf_token": csrf_token_from(client)},
    )
    assert evil.headers["Location"].endswith("/personal/")
    page = client.get("/personal/moderering?status=new")
    assert page.status_code == 200
    assert re.search(r"synpunkter matchar", page.get_data(as_text=True))
