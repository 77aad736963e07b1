"""Partners: created with their organisation, report events by form and API, see only their own."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from geoservice.core.typography import LOCAL_ZONE
from geoservice.store.db import session_scope
from geoservice.store.events.models import EventReport, PartnerAccount
from geoservice.store.models import User
from tests.conftest import STAFF_PASSWORD, csrf_token_from

TOWN = {"lat": 58.7005, "lon": 12.4535}


def yesterday_evening() -> str:
    return (
        (datetime.now(LOCAL_ZONE) - timedelta(days=1))
        .replace(hour=22, minute=15)
        .strftime("%Y-%m-%dT%H:%M")
    )


def count_events(app) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(EventReport))


def token_for(runner, make_user, role="partner", name="vaktmastare", organisation=None) -> str:
    make_user(role, name, organisation)
    return runner.invoke(args=["create-token", name]).output.strip()


# --- the partner account ---------------------------------------------------------------------


def test_an_admin_creates_a_partner_with_its_organisation(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "vaktis",
            "--role",
            "partner",
            "--organisation",
            " Mellerudsbostäder ",
        ],
        input=STAFF_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "partner account 'vaktis' of 'Mellerudsbostäder'" in result.output
    with session_scope(app) as session:
        user = session.scalar(select(User).where(User.name == "vaktis"))
        assert session.get(PartnerAccount, user.id).organisation == "Mellerudsbostäder"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "partner"], "needs its organisation"),
        (["--role", "partner", "--organisation", "x" * 121], "1-120 printable"),
        (["--role", "partner", "--organisation", "Bolag\x07"], "printable"),
        (["--role", "police", "--organisation", "Polisen"], "only a partner account"),
    ],
)
def test_a_partner_without_a_proper_organisation_is_refused(app, runner, args, message):
    result = runner.invoke(args=["create-user", "x", *args], input=STAFF_PASSWORD + "\n")
    assert result.exit_code != 0 and message in result.output
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_a_partner_lands_on_the_event_form_and_sees_nothing_of_the_staff_pages(client, login):
    login("partner")
    home = client.get("/personal/")
    assert home.status_code == 303 and home.headers["Location"].endswith("/personal/handelse")
    for path in (
        "/personal/moderering",
        "/personal/hotspots",
        "/personal/rapport",
        "/personal/lagesbild/vecka",
        "/personal/prioritering",
        "/personal/vandringar/",
        "/personal/atgarder",
        "/api/v1/reports",
    ):
        assert client.get(path).status_code == 403, path
    page = client.get("/personal/handelse").get_data(as_text=True)
    assert "Mellerudsbostäder" in page and "Klotter" in page
    assert (
        client.post(
            "/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/handelse")}
        ).status_code
        == 303
    )


# --- the form ----------------------------------------------------------------------------------


def form_event(index=0, **fields):
    day = (datetime.now(LOCAL_ZONE) - timedelta(days=1)).date().isoformat()
    values = {"lat": "58.7005", "lon": "12.4535", "date": day, "time": "23:10", "seriousness": "2"}
    values |= fields
    data = {f"e{index}-{k}": v for k, v in values.items() if k != "types"}
    data[f"e{index}-types"] = fields.get("types", ["graffiti"])
    return data


def post_form(client, *events, count=None, **extra):
    token = csrf_token_from(client, "/personal/handelse")
    key = re.search(
        r'name="key" value="([^"]+)"', client.get("/personal/handelse").get_data(as_text=True)
    ).group(1)
    data = {"csrf_token": token, "key": key, "count": str(count or len(events))} | extra
    for event in events:
        data |= event
    return client.post("/personal/handelse", data=data), data


def test_last_nights_graffiti_in_one_go(app, client, login):
    login("partner")
    response, data = post_form(client, form_event(description="Klotter på gavel, hus 4"))
    assert response.status_code == 303 and "sparade=1" in response.headers["Location"]
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tack! Händelsen är sparad." in listing and "Klotter på gavel, hus 4" in listing
    # The same form sent again (a double tap) stores nothing new.
    assert client.post("/personal/handelse", data=data).status_code == 303
    assert count_events(app) == 1
    with session_scope(app) as session:
        row = session.scalar(select(EventReport))
        assert (row.organisation, row.types, row.area_id) == (
            "Mellerudsbostäder",
            "graffiti",
            "mellerud-holm",
        )
        assert row.channel == "form" and row.occurred_to is None


def test_several_events_at_once_and_the_add_button(app, client, login):
    login("partner")
    more, _data = post_form(client, form_event(), add="1")
    page = more.get_data(as_text=True)
    assert more.status_code == 200 and 'id="e1-event"' in page and 'name="count" value="2"' in page
    response, _data = post_form(
        client,
        form_event(0),
        form_event(1, types=["littering", "unsafe_place"], lat="", lon="", place="Bolstad"),
    )
    assert response.status_code == 303 and "sparade=2" in response.headers["Location"]
    with session_scope(app) as session:
        rows = session.scalars(select(EventReport).order_by(EventReport.types)).all()
        assert {r.batch_id for r in rows} and len({r.batch_id for r in rows}) == 1
        assert rows[1].types == "littering,unsafe_place" and rows[1].place_name == "Bolstad"


def test_a_bad_event_keeps_everything_typed_and_stores_nothing(app, client, login):
    login("partner")
    response, _data = post_form(
        client,
        form_event(0, description="<script>alert(1)</script>"),
        form_event(
            1, lat="59.33", lon="18.06", types=["bogus"], seriousness="9", date="2099-01-01"
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and count_events(app) == 0
    assert "utanför Melleruds kommun" in page and "Okänd typ av händelse" in page
    assert "Tiden ligger i framtiden" in page and "1, 2 eller 3" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert 'id="e1-types-error"' in page and 'aria-invalid="true"' in page


# --- the API -----------------------------------------------------------------------------------


def api_post(client, token, body, **kwargs):
    return client.post(
        "/api/v1/events",
        data=body if isinstance(body, (bytes, str)) else json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        **kwargs,
    )


def test_the_api_stores_one_or_several_events_for_the_tokens_organisation(
    app, client, runner, make_user
):
    token = token_for(runner, make_user, organisation="Securitas Mellerud")
    one = api_post(
        client,
        token,
        TOWN | {"occurred_at": yesterday_evening(), "types": ["fire"], "seriousness": 3},
    )
    assert one.status_code == 201, one.get_json()
    body = one.get_json()
    assert body["organisation"] == "Securitas Mellerud"
    assert body["events"][0]["area"] == {"id": "mellerud-holm", "name": "Mellerud/Holm"}
    many = {
        "events": [
            TOWN
            | {
                "occurred_from": "2026-11-28T22:00",
                "occurred_to": "2026-11-29T02:00",
                "types": ["disorderly_group"],
                "seriousness": 1,
                "idempotency_key": "sys-0001-a",
            },
            TOWN
            | {
                "occurred_at": yesterday_evening(),
                "types": ["graffiti"],
                "seriousness": 2,
                "idempotency_key": "sys-0001-b",
            },
        ]
    }
    first = api_post(client, token, many)
    again = api_post(client, token, many)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert count_events(app) == 3
    changed = json.loads(json.dumps(many))
    changed["events"][1]["seriousness"] = 3
    assert api_post(client, token, changed).status_code == 409
    assert count_events(app) == 3


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (
            {
                "lat": "58.7",
                "lon": 12.45,
                "occurred_at": "2026-11-29T10:00",
                "types": ["fire"],
                "seriousness": 1,
            },
            422,
            "events[0].lat",
        ),
        ({"events": "all of them"}, 422, "events"),
        ({"events": [], "extra": 1}, 422, "extra"),
        ({"events": []}, 422, "events"),
        ({"events": [1, 2]}, 422, "events[0].event"),
        (TOWN | {"types": ["fire"], "seriousness": 1}, 422, "events[0].occurred_at"),
        (b"[1, 2]", 400, "body"),
        (b'{"lat": 1, "lat": 2}', 400, "lat"),
        (b"{" * 50, 400, "body"),
        (b"\xff\xfe", 400, "body"),
    ],
)
def test_the_api_refuses_bad_bodies_naming_the_field(
    app, client, runner, make_user, body, status, field
):
    token = token_for(runner, make_user)
    response = api_post(client, token, body)
    assert response.status_code == status, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors or any(k.startswith(field) for k in errors), errors
    assert count_events(app) == 0


def test_the_api_answers_413_415_401_and_403(app, client, runner, make_user):
    token = token_for(runner, make_user)
    huge = {
        "events": [TOWN | {"description": "x" * 1000, "types": ["fire"], "seriousness": 1}] * 80
    }
    assert api_post(client, token, huge).status_code == 413
    plain = client.post("/api/v1/events", data="x", headers={"Authorization": f"Bearer {token}"})
    assert plain.status_code == 415
    assert client.post("/api/v1/events", json={}).status_code == 401
    bra = token_for(runner, make_user, role="bra", name="radsledamot")
    assert api_post(client, bra, TOWN).status_code == 403
    assert count_events(app) == 0


# --- who sees which reports --------------------------------------------------------------------


def test_a_partner_sees_only_their_own_organisations_reports(app, client, login, runner, make_user):
    other = token_for(runner, make_user, name="skolan", organisation="Rådaskolan")
    assert (
        api_post(
            client,
            other,
            TOWN
            | {
                "occurred_at": yesterday_evening(),
                "types": ["fire"],
                "seriousness": 1,
                "description": "Skolans egen rapport",
            },
        ).status_code
        == 201
    )
    colleague = token_for(runner, make_user, name="kollega", organisation="Mellerudsbostäder")
    assert (
        api_post(
            client,
            colleague,
            TOWN
            | {
                "occurred_at": yesterday_evening(),
                "types": ["graffiti"],
                "seriousness": 1,
                "description": "Kollegans rapport",
            },
        ).status_code
        == 201
    )
    login("partner")
    page = client.get("/personal/handelser").get_data(as_text=True)
    assert "Kollegans rapport" in page and "Skolans egen rapport" not in page
    assert "Rådaskolan" not in page


def test_a_coordinator_sees_every_organisation(app, client, login, runner, make_user):
    other = token_for(runner, make_user, name="skolan", organisation="Rådaskolan")
    api_post(
        client,
        other,
        TOWN
        | {
            "occurred_at": yesterday_evening(),
            "types": ["fire"],
            "seriousness": 1,
            "description": "Skolans egen rapport",
        },
    )
    login("municipality")
    page = client.get("/personal/handelser").get_data(as_text=True)
    assert "Skolans egen rapport" in page and "Rådaskolan" in page
