"""The citizen promise: staff edit promises and activities; the public reads /lofte."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import Activity, FollowUpNote, Promise, Report
from tests.conftest import csrf_token_from

TODAY = datetime.now(UTC).date()


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token_from(client, "/personal/lofte")} | data)


def make_promise(client, **fields) -> int:
    data = {
        "year": "2026",
        "title": "Medborgarlöfte 2026",
        "focus_areas": "Drogproblematik, Trygga stråk",
        "parties": "Polisen och Melleruds kommun",
        "published": "1",
    } | fields
    response = post(client, "/personal/lofte", data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def make_activity(client, promise_id, **fields) -> int:
    from werkzeug.datastructures import MultiDict

    data = MultiDict(
        [
            ("csrf_token", csrf_token_from(client, "/personal/lofte")),
            ("title", "Kvällspatruller vid stationen"),
            ("responsible", "police"),
            ("status", "ongoing"),
            ("area_ids", "mellerud-holm"),
            ("categories", "drugs"),
            ("start_on", (TODAY - timedelta(days=30)).isoformat()),
        ]
    )
    for key, value in fields.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    response = client.post(f"/personal/lofte/{promise_id}/aktiviteter", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def add_concerns(app, n, days_ago, category="drugs", area="mellerud-holm"):
    with session_scope(app) as session:
        for _ in range(n):
            session.add(
                Report(
                    lat=58.7,
                    lon=12.45,
                    category=category,
                    time_of_day="night",
                    area_id=area,
                    created_at=datetime.now(UTC) - timedelta(days=days_ago),
                )
            )
        bump_version(session)


def test_staff_create_a_promise_and_an_activity_with_before_after(app, client, login):
    login("municipality")
    promise_id = make_promise(client)
    add_concerns(app, 20, days_ago=45)
    add_concerns(app, 8, days_ago=10)
    activity_id = make_activity(client, promise_id)
    page = client.get(f"/personal/aktivitet/{activity_id}").get_data(as_text=True)
    assert 'id="followup"' in page
    assert "<td>20</td><td>8</td>" in page.replace("\n", "").replace(" ", "")
    assert "slumpen" in page or "säkerhet" in page


def test_invalid_forms_name_each_field_and_store_nothing(app, client, login):
    login("police")
    response = post(client, "/personal/lofte", {"year": "19", "title": "", "parties": ""})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "year" in text and "title" in text and "parties" in text
    promise_id = make_promise(client)
    from werkzeug.datastructures import MultiDict

    bad = MultiDict(
        [
            ("csrf_token", csrf_token_from(client, "/personal/lofte")),
            ("title", "x"),
            ("responsible", "mayor"),
            ("area_ids", "atlantis"),
            ("start_on", "2026-05-01"),
            ("end_on", "2026-04-01"),
        ]
    )
    response = client.post(f"/personal/lofte/{promise_id}/aktiviteter", data=bad)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    for field in ("responsible", "area_ids", "end_on"):
        assert field in text
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Activity)) == 0
        assert session.scalar(select(func.count()).select_from(Promise)) == 1


def test_follow_up_notes_are_dated_and_signed(app, client, login):
    name = login("police")
    activity_id = make_activity(client, make_promise(client))
    response = post(client, f"/personal/aktivitet/{activity_id}", {"note": "Tre kvällar i maj."})
    assert response.status_code == 303
    with session_scope(app) as session:
        note = session.scalar(select(FollowUpNote))
        assert (note.text, note.author, note.noted_on) == (
            "Tre kvällar i maj.",
            name,
            note.noted_on,
        )


def test_bra_reads_the_plan_but_cannot_edit_it(client, login, make_user):
    login("police", "kommunpolis")
    promise_id = make_promise(client)
    client.post("/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/")})
    login("bra")
    assert client.get(f"/personal/lofte/{promise_id}").status_code == 200
    assert post(client, "/personal/lofte", {"year": "2026"}).status_code == 403
    page = client.get(f"/personal/lofte/{promise_id}").get_data(as_text=True)
    assert "Ny aktivitet" not in page


def test_public_page_shows_published_promises_with_suppressed_figures(app, client, login):
    login("police")
    published = make_promise(client, title="Publicerat löfte")
    make_promise(client, title="Hemligt utkast", published="")
    add_concerns(app, 3, days_ago=45)  # fewer than k before the start
    add_concerns(app, 9, days_ago=10)
    make_activity(client, published)
    client.post("/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/")})
    page = client.get("/lofte").get_data(as_text=True)
    assert "Publicerat löfte" in page and "Hemligt utkast" not in page
    assert "Kvällspatruller vid stationen" in page
    # 3 before the start is below k: neither it nor a ratio that would reveal it is shown.
    assert " 3 " not in page and "−67" not in page and "-67" not in page
    assert 'id="said-did-table"' in page


def test_demo_seed_adds_the_example_promises_and_remove_takes_them_away(app, runner, client):
    assert runner.invoke(args=["seed-demo", "--count", "200"]).exit_code == 0
    page = client.get("/lofte").get_data(as_text=True)
    assert "Medborgarlöfte 2019" in page and "Drogproblematik" in page
    assert "påhittat exempel" in page
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Promise)) == 2
    removed = runner.invoke(args=["seed-demo", "--remove"])
    assert "2 example promises" in removed.output
    with session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(Activity)) == 0


def test_form_messages_name_the_field_as_the_form_does_and_say_what_to_write(client, login):
    login("police")
    response = post(
        client,
        "/personal/lofte",
        {"year": "19", "title": "", "parties": "", "signed_on": "i våras"},
    )
    text = response.get_data(as_text=True)
    assert "År: skriv ett år mellan 2000 och 2100, t.ex. 2026." in text
    assert "Rubrik: skriv en rubrik för löftet." in text
    assert "Undertecknat: skriv ett datum som 2026-11-30 (år-månad-dag)." in text
    assert "YYYY" not in text and "required" not in text
    promise_id = make_promise(client)
    from werkzeug.datastructures import MultiDict

    bad = MultiDict(
        [
            ("csrf_token", csrf_token_from(client, "/personal/lofte")),
            ("title", "x"),
            ("responsible", "mayor"),
            ("start_on", "2026-05-01"),
            ("end_on", "2026-04-01"),
        ]
    )
    text = client.post(f"/personal/lofte/{promise_id}/aktiviteter", data=bad).get_data(as_text=True)
    assert "Ansvarig: välj Polisen, Kommunen eller båda." in text
    assert "Områden: kryssa i ett eller flera områden." in text
    assert "Slut: välj en dag samma som eller efter starten." in text


def test_date_fields_are_native_with_a_default_start(client, login):
    login("police")
    promise_id = make_promise(client)
    page = client.get(f"/personal/lofte/{promise_id}").get_data(as_text=True)
    assert 'type="date" id="a-start_on"' in page
    from geoservice.core.typography import LOCAL_ZONE

    today = datetime.now(LOCAL_ZONE).date().isoformat()
    assert re.search(rf'id="a-start_on"[^>]*value="{today}"', page)
    assert 'type="date" id="p-signed_on"' in page and "ÅÅÅÅ" not in page


def test_a_date_typed_by_hand_is_read(app, client, login):
    login("police")
    promise_id = make_promise(client, signed_on="30/11/2026")
    with session_scope(app) as session:
        assert session.get(Promise, promise_id).signed_on.isoformat() == "2026-11-30"


def _add_in(app, n: int, year: int, month: int, **fields) -> None:
    with session_scope(app) as session:
        for i in range(n):
            values = {
                "lat": 58.7,
                "lon": 12.45,
                "category": "drugs",
                "time_of_day": "night",
                "area_id": "mellerud-holm",
                "created_at": datetime(year, month, 1 + i % 27, 12, tzinfo=UTC),
            } | fields
            session.add(Report(**values))
        bump_version(session)


def _followup(page: str, activity_id: int) -> dict[str, str]:
    import re

    span = re.search(rf'<span class="followup" id="followup-{activity_id}"([^>]*)>', page)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', span.group(1)))


def test_public_follow_up_counts_whole_published_months(app, client, login):
    _add_in(app, 8, 2025, 1)
    _add_in(app, 6, 2025, 2)
    _add_in(app, 12, 2025, 3)
    login("police")
    promise = make_promise(client)
    on_the_first = make_activity(
        client, promise, start_on="2025-02-01", end_on="2025-03-31", categories=[]
    )
    a_day_later = make_activity(
        client, promise, start_on="2025-02-02", end_on="2025-03-31", categories=[]
    )
    client.post("/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/")})
    page = client.get("/lofte").get_data(as_text=True)
    first, later = _followup(page, on_the_first), _followup(page, a_day_later)
    # Feb–Mar after against Dec–Jan before; a day later: March against January.
    assert (first["before"], first["after"]) == ("8", "18")
    assert (first["before-start"], first["after-end"]) == ("2024-12-01", "2025-04-01")
    assert (later["before"], later["after"]) == ("8", "12")
    assert (later["before-start"], later["after-start"]) == ("2025-01-01", "2025-03-01")
    assert "före: januari 2025; efter: mars 2025" in page
    assert 'id="followup-note"' in page


def test_public_follow_up_is_withheld_when_a_month_hides_its_cell(app, client, login):
    _add_in(app, 8, 2025, 1)
    _add_in(app, 3, 2025, 2)  # below k in February
    login("police")
    promise = make_promise(client)
    activity = make_activity(
        client, promise, start_on="2025-02-01", end_on="2025-02-28", categories=[]
    )
    client.post("/personal/logga-ut", data={"csrf_token": csrf_token_from(client, "/personal/")})
    page = client.get("/lofte").get_data(as_text=True)
    assert _followup(page, activity) == {}
    assert "Inga siffror visas" in page and ">3<" not in page and " 3 " not in page
