"""Safety walks from plan to published protocol, a repeat walk, and the list of measures."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from geoservice.core.typography import LOCAL_ZONE
from geoservice.store.db import session_scope
from geoservice.store.walks.models import Walk, WalkObservation
from tests.conftest import csrf_token_from

ROUTE = [[12.4500, 58.7000], [12.4535, 58.7005], [12.4560, 58.7020]]


def today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def camera_photo() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Anna Andersson"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (58.0, 42.0, 1.8)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 20)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def plan_walk(client, **fields) -> int:
    token = csrf_token_from(client, "/personal/vandringar/ny")
    data = {
        "csrf_token": token,
        "title": "Kvällsvandring Centrum",
        "walk_on": (today() - timedelta(days=40)).isoformat(),
        "route": json.dumps(ROUTE),
        "route_places": "Torget\nStationen",
        "participants": "Polisen\nKommunen\nMellerudsbostäder\nBoende i området (4 personer)",
    } | fields
    response = client.post("/personal/vandringar/ny", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def observe(client, walk_id: int, *, photo: bytes | None = None, **fields):
    token = csrf_token_from(client, f"/personal/vandringar/{walk_id}")
    data = {"csrf_token": token, "lat": "58.7005", "lon": "12.4535", "category": "lighting"}
    data |= {"note": "Trasig lampa vid gångtunneln"} | fields
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "IMG_0042.jpg", "image/jpeg")
    return client.post(
        f"/personal/vandringar/{walk_id}/iakttagelse", data=data, content_type="multipart/form-data"
    )


def act(client, observation_id: int, walk_id: int, **fields):
    token = csrf_token_from(client, f"/personal/vandringar/{walk_id}/protokoll")
    return client.post(
        f"/personal/vandringar/iakttagelse/{observation_id}/atgard",
        data={"csrf_token": token} | fields,
    )


def publish(client, walk_id: int):
    token = csrf_token_from(client, f"/personal/vandringar/{walk_id}/protokoll")
    return client.post(
        f"/personal/vandringar/{walk_id}/publicera", data={"csrf_token": token, "published": "1"}
    )


def observation_ids(app, walk_id: int) -> list[int]:
    with session_scope(app) as session:
        return list(
            session.scalars(
                select(WalkObservation.id)
                .where(WalkObservation.walk_id == walk_id)
                .order_by(WalkObservation.id)
            )
        )


def test_a_walk_from_plan_to_published_protocol(app, client, login):
    login("municipality")
    walk_id = plan_walk(client)
    assert observe(client, walk_id, photo=camera_photo()).status_code == 303
    assert (
        observe(
            client,
            walk_id,
            category="overgrown",
            note="Buskar skymmer",
            lat="58.7020",
            lon="12.4560",
        ).status_code
        == 303
    )
    assert (
        observe(
            client, walk_id, category="gathering", note="", lat="58.7000", lon="12.4500"
        ).status_code
        == 303
    )
    first, second, third = observation_ids(app, walk_id)

    # The stored photo, read back from the database, carries no metadata at all.
    with session_scope(app) as session:
        stored = session.get(WalkObservation, first).photo
    assert b"Exif" not in stored and b"Anna" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and "exif" not in image.info
    assert client.get(f"/personal/vandringar/foto/{first}").data == stored

    assert (
        act(
            client,
            first,
            walk_id,
            action="Byta armatur i gångtunneln",
            owner="municipality",
            deadline=(today() - timedelta(days=10)).isoformat(),
            status="done",
        ).status_code
        == 303
    )
    assert (
        act(
            client,
            second,
            walk_id,
            action="Klippa buskarna",
            owner="housing",
            owner_name="Mellerudsbostäder",
            deadline=(today() + timedelta(days=30)).isoformat(),
            status="in_progress",
        ).status_code
        == 303
    )
    assert (
        act(
            client,
            third,
            walk_id,
            status="not_feasible",
            reason="Privat mark; fastighetsägaren är kontaktad",
        ).status_code
        == 303
    )
    with session_scope(app) as session:
        assert session.get(WalkObservation, first).done_on == today()

    page = client.get(f"/personal/vandringar/{walk_id}/protokoll").get_data(as_text=True)
    assert "Byta armatur i gångtunneln" in page and "Privat mark" in page
    pdf = client.get(f"/personal/vandringar/{walk_id}/protokoll.pdf")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()
    )
    assert "Protokoll från trygghetsvandring: Kvällsvandring Centrum" in text
    assert "Bostadsbolaget (Mellerudsbostäder)" in text and "Inte genomförbart: Privat" in text
    assert "Polisen, Kommunen, Mellerudsbostäder" in text

    assert client.get(f"/trygghetsvandringar/{walk_id}").status_code == 404  # not yet published
    assert publish(client, walk_id).status_code == 303
    public = client.get(f"/trygghetsvandringar/{walk_id}")
    body = public.get_data(as_text=True)
    assert public.status_code == 200
    assert "Byta armatur i gångtunneln" in body and "Klippa buskarna" in body
    assert "Inte genomförbart:" in body and "Privat mark" in body
    assert "1 av 3 åtgärder är klara" in body
    # No note, no photo, no recorder's account name.
    assert "Trasig lampa" not in body and "Buskar skymmer" not in body
    assert "/foto/" not in body and "municipality-user" not in body
    assert "Kvällsvandring Centrum" in client.get("/trygghetsvandringar/").get_data(as_text=True)


def test_a_repeat_walk_shows_what_was_done_since_the_first(app, client, login):
    login("police")
    first_walk = plan_walk(client)
    observe(client, first_walk)
    observe(client, first_walk, category="vandalism", note="Klotter på transformatorstation")
    lamp, graffiti = observation_ids(app, first_walk)
    act(
        client,
        lamp,
        first_walk,
        action="Ny lampa",
        owner="municipality",
        deadline=today().isoformat(),
        status="done",
    )
    act(
        client,
        graffiti,
        first_walk,
        action="Sanera",
        owner="other",
        owner_name="Vattenfall",
        deadline=today().isoformat(),
        status="open",
    )
    publish(client, first_walk)
    form = client.get(f"/personal/vandringar/ny?upprepa={first_walk}").get_data(as_text=True)
    assert "Uppföljning: Kvällsvandring Centrum" in form and "12.4535" in form
    repeat = plan_walk(
        client, title="Uppföljning centrum", walk_on=today().isoformat(), repeat_of=str(first_walk)
    )
    recording = client.get(f"/personal/vandringar/{repeat}").get_data(as_text=True)
    assert "Vad blev gjort sedan Kvällsvandring Centrum" in recording and "Klar" in recording
    assert (
        observe(client, repeat, follows=str(graffiti), note="Klottret finns kvar").status_code
        == 303
    )
    # An observation of some other walk cannot be followed up from here.
    other = plan_walk(client, title="Annan")
    observe(client, other)
    (foreign,) = observation_ids(app, other)
    assert observe(client, repeat, follows=str(foreign)).status_code == 422
    publish(client, repeat)
    page = client.get(f"/trygghetsvandringar/{repeat}").get_data(as_text=True)
    assert "Vad blev gjort sedan den första vandringen" in page
    assert "1 av 2 åtgärder från den första vandringen är klara" in page and "Vattenfall" in page
    assert f"/trygghetsvandringar/{repeat}" in client.get(
        f"/trygghetsvandringar/{first_walk}"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Fältet måste fyllas i"),
        ({"participants": "Anna Svensson 070-123 45 67"}, "inte personuppgifter"),
        ({"route": "[[18.06, 59.33], [18.07, 59.34]]"}, "går utanför Melleruds kommun"),
        ({"route": "<script>", "route_places": ""}, "Rutten kunde inte läsas"),
        ({"route": "", "route_places": ""}, "Rita rutten på kartan"),
        ({"walk_on": "igår"}, "ÅÅÅÅ-MM-DD"),
    ],
)
def test_a_bad_plan_is_explained_and_not_stored(app, client, login, fields, message):
    login("municipality")
    token = csrf_token_from(client, "/personal/vandringar/ny")
    data = {"csrf_token": token, "title": "T", "walk_on": "2026-10-01", "route_places": "Torget"}
    response = client.post("/personal/vandringar/ny", data=data | fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Walk)) == 0


@pytest.mark.parametrize(
    ("photo", "fields", "message"),
    [
        (b"GIF89a not really", {}, "inte en bild"),
        (None, {"lat": "", "lon": ""}, "Markera platsen"),
        (None, {"lat": "59.33", "lon": "18.06"}, "utanför Melleruds kommun"),
        (None, {"category": "ufo"}, "Välj ett av alternativen"),
        (None, {"note": "a\u202eb"}, "osynliga"),
    ],
)
def test_a_bad_observation_is_explained_and_not_stored(app, client, login, photo, fields, message):
    login("municipality")
    walk_id = plan_walk(client)
    response = observe(client, walk_id, photo=photo, **fields)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert observation_ids(app, walk_id) == []


# The test client spools the 13 MB body to a temporary file that the refused request never
# reads; it is collected here rather than in the next test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_photo_larger_than_the_limit_is_refused_with_413(app, client, login):
    import gc

    login("municipality")
    walk_id = plan_walk(client)
    response = observe(client, walk_id, photo=b"\xff\xd8" + b"0" * (13 * 1024 * 1024))
    assert response.status_code == 413
    assert observation_ids(app, walk_id) == []
    del response
    gc.collect()


def test_an_action_without_owner_is_explained_next_to_its_observation(app, client, login):
    login("municipality")
    walk_id = plan_walk(client)
    observe(client, walk_id)
    (obs,) = observation_ids(app, walk_id)
    response = act(client, obs, walk_id, action="Ny lampa", status="open")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Välj vem som ansvarar" in page
    assert "Ange när det ska vara klart" in page and "Ny lampa" in page


def test_bra_reads_the_measures_but_cannot_plan_walks(app, client, login):
    login("bra")
    assert client.get("/personal/vandringar/").status_code == 403
    assert client.get("/personal/atgarder").status_code == 200


def test_the_measures_list_joins_walk_actions_and_activities_with_figures(app, client, login):
    from tests.web.events.helpers import add_concerns, add_events

    login("municipality")
    walk_on = today() - timedelta(days=40)
    walk_id = plan_walk(client, walk_on=walk_on.isoformat())
    observe(client, walk_id)
    (obs,) = observation_ids(app, walk_id)
    act(
        client,
        obs,
        walk_id,
        action="Byta armatur",
        owner="municipality",
        deadline=(today() - timedelta(days=5)).isoformat(),
        status="in_progress",
    )
    # Around the spot: 3 reports in the 40 days before the walk, 1 after; one far away.
    moment = datetime.combine(
        walk_on - timedelta(days=10), datetime.min.time(), LOCAL_ZONE
    ).replace(hour=12)
    add_concerns(app, moment, 2)
    add_events(app, moment, 1)
    add_events(app, moment + timedelta(days=20), 1)
    add_concerns(app, moment, 5, lonlat=(12.30, 58.80))
    token = csrf_token_from(client, "/personal/lofte")
    client.post(
        "/personal/lofte",
        data={
            "csrf_token": token,
            "year": str(today().year),
            "title": "Löfte",
            "parties": "Polisen och kommunen",
            "focus_areas": "Trygghet",
        },
    )
    page = client.get("/personal/atgarder").get_data(as_text=True)
    assert "Byta armatur" in page and "försenad" in page
    assert "Inom 200 m: 3 rapporter de 40 dagarna före" in page and "1 efter" in page
    only_open = client.get("/personal/atgarder", query_string={"visa": "open"}).get_data(
        as_text=True
    )
    assert "Byta armatur" in only_open
