"""A resident's trust (issue 15): an honest receipt, a code only they hold, one concern per
intent, safe places with their own reasons, and a "where exactly?" only staff read."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from geoservice.core.typography import format_day
from geoservice.store.db import session_scope
from geoservice.store.models import AuditEvent, Report
from geoservice.store.reports import (
    RECEIPT_LOOKUP_FLOOR_S,
    find_by_receipt,
    receipt_digest,
    receipt_for_key,
)
from geoservice.web.log_redaction import ReceiptRedaction, redact_receipts
from tests.conftest import csrf_token_from

SECRET_TEXT = "Mörk tunnel bakom Konsum, ring 070-123 45 67"
SECRET_NOTE = "Bakom Konsum vid lastkajen"


def tokens(client, path: str = "/") -> dict[str, str]:
    page = client.get(path).get_data(as_text=True)
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("csrf_token", "idempotency_key")
    }


def form(client, **fields) -> dict[str, str]:
    return (
        tokens(client)
        | {
            "lat": "58.7005",
            "lon": "12.4535",
            "kind": "unsafe",
            "category": "lighting",
            "time_of_day": "evening",
            "weekend": "weekend",
            "role": "resident",
            "age_band": "30_49",
            "description": SECRET_TEXT,
            "suggestion": "Bättre belysning",
            "place_note": SECRET_NOTE,
        }
        | fields
    )


def receipt_of(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return re.search(r"/kvitto/([A-Z0-9-]+)\?new=1", response.headers["Location"]).group(1)


def stored(db_session) -> list[Report]:
    db_session.rollback()
    return list(db_session.scalars(select(Report)))


# --- 2. The receipt code is the resident's alone ---------------------------------------


def test_only_a_keyed_hash_of_the_code_is_stored(client, app, db_session):
    code = receipt_of(client.post("/", data=form(client)))
    (row,) = stored(db_session)
    assert row.receipt_hash == receipt_digest(app.config["SECRET_KEY"], code)
    everything = " ".join(str(getattr(row, c.key)) for c in Report.__table__.columns)
    assert code not in everything and code.replace("-", "") not in everything
    # Keyed: the same code under another key gives another hash.
    assert receipt_digest("another-key", code) != row.receipt_hash


def test_staff_never_see_the_code_but_an_internal_number(client, app, db_session, login):
    code = receipt_of(client.post("/", data=form(client)))
    (row,) = stored(db_session)
    login("police")
    page = client.get(f"/personal/synpunkt/{row.id}").get_data(as_text=True)
    assert f"Synpunkt {row.reference}" in page and row.reference.startswith("S-")
    queue = client.get("/personal/moderering").get_data(as_text=True)
    exports = [
        client.get("/personal/export/synpunkter.csv").get_data(as_text=True),
        client.get("/personal/export/synpunkter.geojson").get_data(as_text=True),
        client.get("/api/v1/reports").get_data(as_text=True),
    ]
    login("admin", "admin-reader")
    audit_page = client.get("/personal/logg").get_data(as_text=True)
    with session_scope(app) as session:
        audit_rows = " ".join(
            f"{e.action} {e.target} {e.filter}" for e in session.scalars(select(AuditEvent))
        )
    for text in (page, queue, *exports, audit_page, audit_rows):
        assert code not in text and code.replace("-", "") not in text
    assert row.reference in exports[0]  # the CSV names it by its number


def test_lookup_and_erasure_forgive_typing_slips(client, db_session):
    code = receipt_of(client.post("/", data=form(client)))
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    found = client.post("/kvitto", data={"kod": typed, "csrf_token": csrf_token_from(client)})
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/kvitto/{code}")
    assert client.get(f"/api/v1/reports/{typed.replace(' ', '')}").get_json()["receipt"] == code
    assert client.delete(f"/api/v1/reports/{typed.replace(' ', '-')}").status_code == 204
    assert stored(db_session) == []


def test_a_lookup_takes_as_long_whether_the_code_exists_or_not(app, client):
    code = receipt_of(client.post("/", data=form(client)))
    secret = app.config["SECRET_KEY"]
    timings: dict[str, list[float]] = {"hit": [], "miss": [], "malformed": []}
    with session_scope(app) as session:
        for _ in range(5):
            for name, typed in (("hit", code), ("miss", "AAAA-BBBB-CCCC"), ("malformed", "x!")):
                started = time.perf_counter()
                found = find_by_receipt(session, typed, secret=secret)
                timings[name].append(time.perf_counter() - started)
                assert (found is not None) == (name == "hit")
    medians = {name: sorted(values)[2] for name, values in timings.items()}
    assert all(m >= RECEIPT_LOOKUP_FLOOR_S for m in medians.values()), medians
    assert max(medians.values()) - min(medians.values()) < 0.015, medians


def test_guessing_is_rate_limited_across_pages_and_api_but_a_real_code_is_not(tmp_path):
    from geoservice import create_app
    from geoservice.store import schema
    from geoservice.store.db import engine_for

    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "limited"),
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": True,
            "RECEIPT_RATE_LIMIT": "3 per minute",
            "TILE_URL": "",
        }
    )
    schema.upgrade(engine_for(app))
    client = app.test_client()
    code = receipt_of(client.post("/", data=form(client)))
    for _ in range(5):  # a working code never counts
        assert client.get(f"/kvitto/{code}").status_code == 200
    assert client.get("/kvitto/AAAA-BBBB-CCC1").status_code == 404
    assert client.get("/api/v1/reports/AAAA-BBBB-CCC2").status_code == 404
    assert client.get("/kvitto", query_string={"kod": "AAAA-BBBB-CCC3"}).status_code == 404
    refused = client.get("/kvitto/AAAA-BBBB-CCC4")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert client.delete("/api/v1/reports/AAAA-BBBB-CCC5").status_code == 429
    engine_for(app).dispose()


def test_receipt_pages_are_not_cached_and_send_no_referrer(client):
    code = receipt_of(client.post("/", data=form(client)))
    for response in (client.get(f"/kvitto/{code}"), client.get(f"/api/v1/reports/{code}")):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_log_line_shows_a_receipt_code(caplog):
    code = "7KQ2-M9XD-4RTP"
    lines = [
        f'GET /kvitto/{code}?new=1 HTTP/1.1" 200',
        f"DELETE /api/v1/reports/{code.lower()} HTTP/1.1",
        f"POST /kvitto/{code}/radera",
        f"GET /kvitto?kod={code.replace('-', '+')}&lang=en",
        f'"http://example.se/kvitto/{code}" referrer',
    ]
    for line in lines:
        redacted = redact_receipts(line)
        assert code.lower() not in redacted.lower() and "[kod]" in redacted, redacted
    logger = logging.getLogger("werkzeug.i15-test")
    logger.addFilter(ReceiptRedaction())
    with caplog.at_level(logging.INFO, logger="werkzeug.i15-test"):
        logger.info('"%s" %s', f"GET /kvitto/{code} HTTP/1.1", 200)
    assert code not in caplog.text and "/kvitto/[kod]" in caplog.text


def test_the_gunicorn_access_log_shows_no_code():
    gunicorn = pytest.importorskip("gunicorn.glogging")
    from geoservice.web.log_redaction import GunicornLogger

    assert issubclass(GunicornLogger, gunicorn.Logger)

    class Response:
        status, sent, headers = "200 OK", 10, []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/kvitto/7KQ2-M9XD-4RTP",
        "PATH_INFO": "/kvitto/7KQ2-M9XD-4RTP",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "http://x/kvitto/7KQ2-M9XD-4RTP",
    }
    logger = GunicornLogger.__new__(GunicornLogger)
    atoms = logger.atoms(Response(), [], environ, timedelta(seconds=0))
    assert "7KQ2" not in " ".join(str(v) for v in atoms.values())


# --- 3. One concern per intent ------------------------------------------------------------


def test_the_same_form_sent_again_returns_the_first_receipt(client, app, db_session):
    data = form(client)
    first = receipt_of(client.post("/", data=data))
    again = receipt_of(client.post("/", data=data))
    assert first == again == receipt_for_key(app.config["SECRET_KEY"], data["idempotency_key"])
    assert len(stored(db_session)) == 1


def test_the_same_key_with_other_answers_says_so_and_offers_a_new_key(client, db_session):
    data = form(client)
    receipt_of(client.post("/", data=data))
    changed = client.post("/", data=data | {"category": "drugs"})
    assert changed.status_code == 409
    page = changed.get_data(as_text=True)
    assert "skickades redan med andra svar" in page
    new_key = re.search(r'name="idempotency_key" value="([^"]*)"', page).group(1)
    assert new_key and new_key != data["idempotency_key"]
    assert len(stored(db_session)) == 1


def test_the_api_replay_returns_the_same_code(client, db_session):
    body = {
        "lat": 58.7005,
        "lon": 12.4535,
        "category": "drugs",
        "time_of_day": "night",
        "idempotency_key": "api-replay-0001",
    }
    first = client.post("/api/v1/reports", json=body).get_json()
    again = client.post("/api/v1/reports", json=body).get_json()
    assert first == again and first["receipt"]
    assert len(stored(db_session)) == 1


# --- 5. Safe places with their own reasons ----------------------------------------------


def test_a_safe_place_takes_a_reason_of_its_own_list(client, db_session):
    receipt_of(client.post("/", data=form(client, kind="safe", category="safe_people")))
    (row,) = stored(db_session)
    assert (row.kind, row.category) == ("safe", "safe_people")
    wrong = client.post("/", data=form(client, kind="safe", category="drugs"))
    assert wrong.status_code == 422
    assert "För en trygg plats: välj varför den känns trygg." in wrong.get_data(as_text=True)
    reverse = client.post("/api/v1/reports", json={
        "lat": 58.7005, "lon": 12.4535, "category": "safe_lighting", "time_of_day": "day",
    })  # fmt: skip
    assert reverse.status_code == 422
    assert (
        reverse.get_json()["errors"]["category"] == "For an unsafe place, choose what it is about."
    )


def test_the_form_offers_both_lists_apart_for_browsers_without_javascript(client):
    page = client.get("/").get_data(as_text=True)
    unsafe, safe = re.findall(r'<optgroup label="[^"]+" data-kind="(\w+)">', page)
    assert (unsafe, safe) == ("unsafe", "safe")
    assert "Folk i rörelse" in page and "Bra belysning" in page


def test_public_figures_and_staff_analyses_count_safe_places_apart(client, app, login):
    for _ in range(6):
        receipt_of(client.post("/", data=form(client, kind="safe", category="safe_kept")))
    receipt_of(client.post("/", data=form(client)))
    areas = client.get("/api/v1/areas").get_json()
    total = areas["total"]
    assert total is None or total <= 1  # the six safe places are no unsafe concerns
    login("police")
    for kind in ("", "unsafe", "safe"):
        query = {"kind": kind} if kind else {}
        response = client.get("/personal/export/omraden.csv", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        holm = next(line for line in response.get_data(as_text=True).splitlines() if "Holm" in line)
        assert holm.split(",")[3] == {"": "1", "unsafe": "1", "safe": "6"}[kind]
    assert client.get("/personal/hotspots", query_string={"kind": ""}).status_code == 200


# --- 6. "Where exactly?" -------------------------------------------------------------------


def test_where_exactly_is_stored_as_staff_only_text_and_masked_in_exports(
    client, db_session, login
):
    note = "Vid lastkajen, ring 070-123 45 67"
    receipt_of(
        client.post("/", data=form(client, lat="", lon="", area_id="bolstad", place_note=note))
    )
    (row,) = stored(db_session)
    assert (row.precision, row.place_note) == ("area", note)
    for route in ("/karta", "/api/v1/areas", "/"):
        assert "lastkajen" not in client.get(route).get_data(as_text=True)
    login("municipality")
    assert note in client.get(f"/personal/synpunkt/{row.id}").get_data(as_text=True)
    export = client.get("/personal/export/synpunkter.csv").get_data(as_text=True)
    assert "Vid lastkajen, ring [telefonnummer dolt]" in export and "070-123" not in export
    api = client.get("/api/v1/reports").get_json()
    assert (
        api["features"][0]["properties"]["place_note"] == "Vid lastkajen, ring [telefonnummer dolt]"
    )


def test_where_exactly_has_a_limit_named_by_its_field(client, db_session):
    response = client.post("/", data=form(client, place_note="x" * 201))
    assert response.status_code == 422
    assert 'href="#place_note"' in response.get_data(as_text=True)
    assert "Högst 200 tecken." in response.get_data(as_text=True)
    assert stored(db_session) == []


def test_without_javascript_the_page_says_what_it_can_do(client):
    page = client.get("/").get_data(as_text=True)
    noscript = re.search(r"<noscript><p[^>]*>(.*?)</p></noscript>", page, re.S).group(1)
    assert "Välj området i listan" in noscript and "Var exakt?" in noscript
    # The map's instructions are for scripted browsers only.
    assert re.search(r'<p class="hint map-hint js-only" id="map-hint" hidden>', page)


def test_purge_erases_where_exactly_with_the_other_texts(app, client, db_session):
    from geoservice.core.privacy.retention import RetentionRules
    from geoservice.store import retention

    receipt_of(client.post("/", data=form(client)))
    real_now = retention.utcnow
    retention.utcnow = lambda: real_now() + timedelta(days=400)
    try:
        with session_scope(app) as session:
            retention.purge(session, RetentionRules(text_days=365), dry_run=False)
    finally:
        retention.utcnow = real_now
    (row,) = stored(db_session)
    assert (row.description, row.suggestion, row.place_note) == (None, None, None)


# --- 1. The honest receipt ------------------------------------------------------------------


def test_the_receipt_lists_every_stored_field_with_its_value(client):
    code = receipt_of(client.post("/", data=form(client)))
    page = client.get(f"/kvitto/{code}?new=1").get_data(as_text=True)
    values = dict(re.findall(r'<dd id="stored-([a-z_]+)"[^>]*>(.*?)</dd>', page, re.S))
    assert set(values) >= {
        "created_at", "area", "place", "kind", "category", "time_of_day", "weekend",
        "description", "suggestion", "place_note", "role", "age_band", "client_key",
    }  # fmt: skip
    assert values["weekend"] == "Helg" and values["role"] == "Bor i kommunen"
    assert values["age_band"] == "30–49" and values["place_note"] == SECRET_NOTE
    assert values["place"].startswith("En punkt på kartan: 58,70050, 12,45350")
    assert values["category"] == "Dålig belysning, mörka platser"
    assert "Ingen annan kan se synpunkten som en enskild punkt" not in page


def test_the_receipt_says_who_sees_what(client):
    code = receipt_of(client.post("/", data=form(client)))
    page = client.get(f"/kvitto/{code}").get_data(as_text=True)
    who = re.search(r'<ul class="who-sees".*?</ul>', page, re.S).group(0)
    assert "Allmänheten" in who and "Aldrig punkten" in who
    assert "polisen och Melleruds kommun" in who and "den exakta punkten, texterna" in who
    assert "(BRÅ)" in who and "zoner och teman" in who
    assert "Kvittokoden" in who


def test_the_receipt_gives_the_retention_rules_in_force_as_dates(app, client, db_session):
    app.config.update(RETENTION_TEXT_DAYS=30, RETENTION_POINT_DAYS=60, RETENTION_DELETE_DAYS=90)
    code = receipt_of(client.post("/", data=form(client)))
    (row,) = stored(db_session)
    page = client.get(f"/kvitto/{code}").get_data(as_text=True)
    rules = re.search(r'<ul id="retention">(.*?)</ul>', page, re.S).group(1)
    for days in (30, 60, 90):
        # The page gives the day in Stockholm time (past 23:00 UTC in winter: the next day).
        when = format_day(row.created_at + timedelta(days=days))
        assert f"{days} dagar" in rules and when in rules
    app.config.update(RETENTION_TEXT_DAYS=0, RETENTION_POINT_DAYS=0, RETENTION_DELETE_DAYS=0)
    kept = client.get(f"/kvitto/{code}").get_data(as_text=True)
    assert "Texterna sparas tills du raderar synpunkten." in kept


def test_the_receipt_walk_shows_the_holder_only_their_own_concern(client, db_session):
    """The privacy walk of public routes, extended to the receipt routes."""
    mine = receipt_of(client.post("/", data=form(client, description="Min egen text")))
    receipt_of(client.post("/", data=form(client)))  # someone else's, with SECRET_TEXT
    others = [r for r in stored(db_session) if r.description == SECRET_TEXT]
    for route in (f"/kvitto/{mine}", f"/api/v1/reports/{mine}"):
        text = client.get(route).get_data(as_text=True)
        assert "Min egen text" in text
        assert SECRET_TEXT not in text and others[0].reference not in text
    for wrong in ("AAAA-BBBB-CCCC", "not-a-code", "%00", "A" * 300):
        for route in (f"/kvitto/{wrong}", f"/api/v1/reports/{wrong}"):
            response = client.get(route)
            assert response.status_code == 404, route
            text = response.get_data(as_text=True)
            assert SECRET_TEXT not in text and "Min egen text" not in text and "58.70" not in text


def test_a_replay_of_a_concern_stored_before_codes_came_from_keys_says_so(client, app, db_session):
    """Its code was random then: the replay cannot show it, and says where it was shown."""
    from sqlalchemy import update

    data = form(client)
    receipt_of(client.post("/", data=data))
    with session_scope(app) as session:
        legacy = receipt_digest(app.config["SECRET_KEY"], "AAAA-BBBB-CCCC")
        session.execute(update(Report).values(receipt_hash=legacy))
    again = client.post("/", data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith("/kvitto?sparad=1")
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Synpunkten var redan sparad" in page
    assert len(stored(db_session)) == 1


# --- 7. The public map reads right --------------------------------------------------------


def test_legend_classes_follow_on_without_overlapping(app):
    from geoservice.maps.choropleth import class_breaks, colour_for
    from geoservice.web.public import _legend_labels

    with app.test_request_context("/karta"):
        counts = class_breaks([149, 35, None], resolution=1)
        assert _legend_labels(counts, 0) == ["0–40", "41–80", "81–120", "121–160", "161–200"]
        assert colour_for(40, counts) != colour_for(41, counts)
        rates = class_breaks([6.6, 2.1], resolution=0.1)
        assert _legend_labels(rates, 1) == ["0,0–1,4", "1,5–2,8", "2,9–4,2", "4,3–5,6", "5,7–7,0"]


def test_a_hidden_total_reads_as_at_least_the_shown_areas(app):
    from geoservice.web.public import _municipality_row

    areas = [
        {"population": 1204, "count": 149},
        {"population": 2190, "count": None},
        {"population": 1000, "count": 0},
    ]
    with app.test_request_context("/karta"):
        hidden = _municipality_row({"total": None, "areas": areas})
        shown = _municipality_row({"total": 153, "areas": areas})
    assert hidden["count"] == "minst 149" and hidden["rate"] == "minst 33,9"
    assert "räknas fram" in hidden["hidden"]
    assert (shown["count"], shown["rate"], shown["population"]) == ("153", "34,8", "4\u00a0394")
    assert shown["hidden"] == ""
