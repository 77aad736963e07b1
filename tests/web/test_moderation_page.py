"""The moderation queue and a concern's page as a moderator reads them: words, local time, map,
possible duplicates, shortcuts, and messages that name the field."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from geoservice.store.aggregates import bump_version
from geoservice.store.db import session_scope
from geoservice.store.models import ModerationEvent, Report
from tests.conftest import csrf_token_from

# A point in the town of Mellerud; 0.00027° of latitude is about 30 m.
LAT, LON = 58.70123, 12.45432


def add_report(app, *, lat=LAT, lon=LON, at=None, category="drugs", **fields) -> str:
    with session_scope(app) as session:
        report = Report(
            lat=lat,
            lon=lon,
            category=category,
            time_of_day=fields.pop("time_of_day", "night"),
            weekend=fields.pop("weekend", True),
            area_id=fields.pop("area_id", "mellerud-holm"),
            created_at=at or datetime.now(UTC) - timedelta(days=1),
            **fields,
        )
        session.add(report)
        bump_version(session)
        session.flush()
        return report.id


def test_a_concern_reads_in_words_and_local_summer_time(app, client, login):
    report_id = add_report(
        app, at=datetime(2026, 7, 1, 18, 54, tzinfo=UTC), role="visitor", age_band="65_plus"
    )
    login("police")
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    # 18:54 UTC is 20:54 in Stockholm in July (summer time).
    assert "2026-07-01 20:54" in page and "UTC" not in page
    assert "Natt (22–06), helg" in page
    for code in (">night<", ">visitor<", ">65_plus<", ">web<", ">point<"):
        assert code not in page, code
    assert "Besökare" in page and "65 eller äldre" in page and "Webbformuläret" in page


def test_history_speaks_of_statuses_by_name(app, client, login):
    report_id = add_report(app)
    login("police")
    token = csrf_token_from(client, f"/personal/synpunkt/{report_id}")
    client.post(
        f"/personal/synpunkt/{report_id}",
        data={"csrf_token": token, "status": "confirmed", "category": "theft", "note": "x"},
    )
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "Ny" in history and "Bekräftad" in history and "Inbrott, stöld" in history
    assert "Intern anteckning" in history
    assert ">confirmed<" not in history and ">new<" not in history and ">note<" not in history


def test_the_page_has_a_local_map_of_the_point(app, client, login):
    report_id = add_report(app)
    login("municipality")
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    assert 'id="concern-map"' in page and "folium-map" in page
    assert f"[{LAT}, {LON}]" in page  # the marker sits on the concern's point
    assert "cdn" not in page.lower() and "unpkg" not in page
    assert "/vendor/leaflet/leaflet.js" in page


def test_a_whole_area_concern_shows_its_area(app, client, login):
    report_id = add_report(app, precision="area")
    login("municipality")
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    assert "Hela området (ingen punkt markerad)" in page
    assert "mellerud-holm" in page  # the area's outline is drawn on the map


def test_neighbours_within_50_m_and_30_days_are_possible_duplicates(app, client, login):
    now = datetime.now(UTC)
    report_id = add_report(app, at=now - timedelta(days=1))
    near = add_report(app, lat=LAT + 0.00027, at=now - timedelta(days=10), category="theft")
    far = add_report(app, lat=LAT + 0.0009, at=now - timedelta(days=2))  # about 100 m
    old = add_report(app, lat=LAT + 0.0001, at=now - timedelta(days=45))
    login("police")
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    listed = page[page.index('id="neighbours"') : page.index('id="moderate-heading"')]
    assert f"/personal/synpunkt/{near}" in listed
    assert "30 m bort" in listed and "Inbrott, stöld" in listed
    assert f"/personal/synpunkt/{far}" not in listed
    assert f"/personal/synpunkt/{old}" not in listed

    # One click marks this concern a duplicate, saying of which.
    form = re.search(r'<form method="post"[^>]*>(.*?)</form>', listed, re.S).group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["status"] == "duplicate"
    response = client.post(f"/personal/synpunkt/{report_id}", data=fields)
    assert response.status_code == 303
    with session_scope(app) as session:
        assert session.get(Report, report_id).status == "duplicate"
        event = session.scalar(select(ModerationEvent))
        assert event.to_value == "duplicate" and event.reason.startswith("Dubblett av synpunkten")


def test_no_neighbours_says_so(app, client, login):
    report_id = add_report(app)
    login("police")
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    assert "Inga synpunkter i närheten." in page


def test_status_shortcuts_are_documented_and_bound(app, client, login):
    report_id = add_report(app)
    login("police")
    page = client.get(f"/personal/synpunkt/{report_id}").get_data(as_text=True)
    assert "Kortkommandon" in page
    for key, label in (("B", "Bekräftad"), ("H", "Hanterad"), ("D", "Dubblett"), ("S", "Skräp")):
        assert f"<kbd>{key}</kbd> {label}" in page
    keys = re.search(r"data-status-keys='([^']+)'", page).group(1)
    assert '"b": "confirmed"' in keys
    assert "js/moderation.js" in page


def test_a_refused_change_names_the_field_in_the_page_language(app, client, login):
    report_id = add_report(app)
    login("police")
    url = f"/personal/synpunkt/{report_id}"
    response = client.post(
        url,
        data={"csrf_token": csrf_token_from(client, url), "status": "deleted", "reason": "x" * 201},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Status: välj en status i listan." in text
    assert "Motivering: skriv högst 200 tecken." in text
    assert "unknown status" not in text
    client.get(url + "?lang=en")
    response = client.post(
        url, data={"csrf_token": csrf_token_from(client, url), "status": "deleted"}
    )
    assert "Status: choose a status from the list." in response.get_data(as_text=True)


def test_queue_filters_fold_away_and_read_in_words(app, client, login):
    add_report(app)
    login("police")
    page = client.get("/personal/moderering?category=drugs&time_of_day=night").get_data(
        as_text=True
    )
    panel = re.search(r'<details class="fold" id="queue-filters"([^>]*)>', page).group(1)
    assert "open" not in panel
    assert "narkotika, natt" in page  # the folded panel says what is chosen
    assert 'type="date"' in page and "ÅÅÅÅ" not in page
    assert re.search(r">\d{4}-\d\d-\d\d \d\d:\d\d</a>", page)  # local time of the concern


def test_queue_accepts_typed_dates_and_explains_a_bad_one(app, client, login):
    add_report(app)
    login("police")
    today = datetime.now(UTC).date()
    typed = (today - timedelta(days=3)).strftime("%d/%m/%Y")
    response = client.get(f"/personal/moderering?from={typed}")
    assert response.status_code == 200
    assert "1 synpunkter matchar" in response.get_data(as_text=True)
    response = client.get("/personal/moderering?from=igår")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Från: skriv ett datum som 2026-11-30 (år-månad-dag)." in text
    assert re.search(r'<details class="fold" id="queue-filters" open>', text)
    assert "&#39;from&#39;" not in text and "YYYY" not in text


def test_a_repeated_filter_is_refused_not_cut(app, client, login):
    login("police")
    response = client.get("/personal/moderering?category=drugs&category=theft")
    assert response.status_code == 422
    assert "Kategori: välj ett värde, inte flera." in response.get_data(as_text=True)


def test_after_saving_the_next_new_concern_is_one_tap_away(app, client, login):
    first = add_report(app, at=datetime.now(UTC) - timedelta(days=2))
    second = add_report(app, at=datetime.now(UTC) - timedelta(days=1), lat=LAT + 0.01)
    login("police")
    url = f"/personal/synpunkt/{second}"
    client.post(url, data={"csrf_token": csrf_token_from(client, url), "status": "confirmed"})
    page = client.get(url + "?saved=1").get_data(as_text=True)
    assert f'href="/personal/synpunkt/{first}" id="next-new"' in page
