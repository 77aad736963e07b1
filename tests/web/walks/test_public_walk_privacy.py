"""The privacy walk of public routes, with partners' events and walks stored.

Every public GET route (the same list as tests/web/test_insight.py walks) and every
published walk page is fetched; none may show a partner's event (its text, its reporter,
its organisation, its exact point), a walk note, a photo, or a staff account's name.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from geoservice.store.db import session_scope
from geoservice.store.walks.models import Walk, WalkObservation
from tests.web.events.helpers import add_events
from tests.web.test_insight import SECRET_TEXT, _public_get_routes, add_reports

EVENT_POINT = (12.45678, 58.70321)
NOTE = "WALK-NOTE-SECRET Kalle bor i huset"


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(out, format="JPEG")
    return out.getvalue()


def store_walks(app) -> list[int]:
    today = datetime.now(UTC).date()
    with session_scope(app) as session:
        first = Walk(
            title="Vandring Centrum",
            walk_on=today - timedelta(days=60),
            route_places="Torget\nStationen",
            participants="Polisen\nKommunen",
            published=True,
            created_by="secret-coordinator",
        )
        hidden = Walk(
            title="Opublicerad vandring",
            walk_on=today,
            route_places="Torget",
            participants="Polisen",
            published=False,
            created_by="secret-coordinator",
        )
        session.add_all([first, hidden])
        session.flush()
        repeat = Walk(
            title="Uppföljning Centrum",
            walk_on=today - timedelta(days=1),
            route_places="Torget",
            participants="Polisen",
            repeat_of=first.id,
            published=True,
            created_by="secret-coordinator",
        )
        session.add(repeat)
        session.flush()
        for walk in (first, hidden, repeat):
            session.add(
                WalkObservation(
                    walk_id=walk.id,
                    lon=12.4535,
                    lat=58.7005,
                    area_id="mellerud-holm",
                    category="lighting",
                    note=NOTE,
                    photo=photo(),
                    action="Byta armatur",
                    owner="municipality",
                    status="open",
                    recorded_by="secret-recorder",
                )
            )
        return [first.id, hidden.id, repeat.id]


def test_no_public_route_shows_an_event_a_note_a_photo_or_a_name(client, app):
    add_reports(app, "mellerud-holm", 6, category="drugs")
    now = datetime.now(UTC) - timedelta(days=2)
    for _ in range(3):
        add_events(
            app,
            now,
            8,
            lonlat=EVENT_POINT,
            description="EVENT-SECRET-TEXT",
            organisation="Hemliga Bolaget AB",
            reporter_name="secret-caretaker",
        )
    first, hidden, repeat = store_walks(app)
    routes = list(_public_get_routes(app)) + [
        f"/trygghetsvandringar/{first}",
        f"/trygghetsvandringar/{repeat}",
    ]
    assert "/trygghetsvandringar/" in routes
    forbidden = (
        SECRET_TEXT,
        "EVENT-SECRET-TEXT",
        "Hemliga Bolaget",
        "secret-caretaker",
        "secret-coordinator",
        "secret-recorder",
        "WALK-NOTE-SECRET",
        "Kalle",
        "/foto/",
        "image/jpeg",
        f"{EVENT_POINT[0]}",
        f"{EVENT_POINT[1]}",
        "Opublicerad vandring",
    )
    for route in routes:
        for query in ({}, {"lang": "en"}):
            response = client.get(route, query_string=query)
            assert response.status_code < 500, route
            text = response.get_data(as_text=True)
            for secret in forbidden:
                assert secret not in text, (route, query, secret)
    # The walk pages do show what the public is meant to see.
    page = client.get(f"/trygghetsvandringar/{repeat}?lang=sv").get_data(as_text=True)
    assert "Byta armatur" in page and "Vad blev gjort sedan den första vandringen" in page
    assert client.get(f"/trygghetsvandringar/{hidden}").status_code == 404
    assert client.get("/trygghetsvandringar/999999").status_code == 404


def test_the_public_area_figures_count_residents_only(client, app):
    add_reports(app, "mellerud-holm", 6, category="drugs")
    add_events(app, datetime.now(UTC) - timedelta(days=2), 40)
    response = client.get("/api/v1/areas").get_json()
    counts = {f["properties"]["id"]: f["properties"]["count"] for f in response["features"]}
    # Event reports are not published, not even as area totals: only the 6 concerns count.
    assert counts["mellerud-holm"] == 6
    with session_scope(app) as session:
        assert session.scalars(select(Walk)).first() is None
