"""Events as a source of their own in the analyses; the weekly lägesbild and tertial pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from geoservice.core.events.situation import last_whole_week
from geoservice.core.typography import LOCAL_ZONE
from geoservice.store.analysis import voice_counts, voice_table
from geoservice.store.db import session_scope
from geoservice.store.moderation import staff_frame
from geoservice.web.staff_filter import parse_staff_filter
from tests.conftest import csrf_token_from
from tests.web.events.helpers import add_concerns, add_events


def recent(days: int = 3) -> datetime:
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0)


@pytest.mark.parametrize(("source", "expected"), [("residents", 4), ("partners", 3), ("both", 7)])
def test_the_source_filter_reads_residents_partners_or_both(app, source, expected):
    add_concerns(app, recent(), 4)
    add_events(app, recent(), 3)
    with app.test_request_context(), session_scope(app) as session:
        f = parse_staff_filter({"source": source})
        frame = staff_frame(session, f)
        assert len(frame) == expected
        assert set(frame["source"]) <= {"web", "partner"}
        # The database's voice counts (hotspot API) read the same source: each event's
        # reporter is one voice per cell and day, each concern's client another.
        _cells, counts = voice_counts(voice_table(session, f))
        assert counts.sum() == {"residents": 4, "partners": 1, "both": 5}[source]


def test_a_category_filter_means_the_same_for_events(app):
    add_events(app, recent(), 2, types="graffiti")  # counts as vandalism
    add_events(app, recent(), 1, types="drug_dealing")
    with app.test_request_context(), session_scope(app) as session:
        vandalism = staff_frame(
            session, parse_staff_filter({"source": "partners", "category": "vandalism"})
        )
        safe = staff_frame(session, parse_staff_filter({"source": "partners", "kind": "safe"}))
    assert len(vandalism) == 2 and set(vandalism["category"]) == {"vandalism"}
    assert safe.empty


def test_a_bad_source_is_refused_with_the_options():
    from geoservice.web.insight import FilterRejected

    with pytest.raises(FilterRejected) as caught:
        parse_staff_filter({"source": "rumours"})
    # The message names the field as the form does and lists the choices in words.
    assert caught.value.errors["source"] == (
        "Källa: välj ett av alternativen i listan "
        "(Invånarnas synpunkter, Händelser från samverkanspartner, Båda)."
    )


def test_the_hotspot_page_and_api_show_events_when_asked(app, client, login):
    add_concerns(app, recent(), 2)
    add_events(app, recent(), 5)
    login("police")
    residents = client.get("/personal/hotspots").get_data(as_text=True)
    both = client.get("/personal/hotspots", query_string={"source": "both"})
    assert both.status_code == 200
    text = both.get_data(as_text=True)
    assert '<option value="both" selected>' in text and "(2 av 2" in residents
    assert "av 7 synpunkter" in text
    api = client.get("/api/v1/hotspots", query_string={"source": "partners"}).get_json()
    assert api["filter"]["source"] == "partners" and api["n_reports"] == 1


def test_the_public_never_sees_events(app, client):
    add_events(app, recent(), 30)
    areas = client.get("/api/v1/areas").get_json()
    assert all(not f["properties"]["count"] for f in areas["features"])


# --- the weekly lägesbild ---------------------------------------------------------------------


def local_day(day, hour=12):
    return datetime.combine(day, datetime.min.time(), LOCAL_ZONE).replace(hour=hour).astimezone(UTC)


def test_the_weekly_page_defaults_to_the_last_whole_week(app, client, login):
    monday = last_whole_week(datetime.now(LOCAL_ZONE).date())
    add_events(app, local_day(monday + timedelta(days=2)), 3, types="graffiti")
    add_concerns(app, local_day(monday + timedelta(days=3)), 2)
    add_events(app, local_day(monday - timedelta(days=10)), 2, types="fire")
    login("bra")
    page = client.get("/personal/lagesbild/vecka")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"vecka {monday.isocalendar()[1]} {monday.isocalendar()[0]}" in text
    assert "EVENT-SECRET-TEXT" not in text and "Mellerudsbostäder (3)" in text
    # 3 events and 2 concerns at the same spot, nothing there before: the spot stands out.
    assert text.count('class="stand-out"') >= 2  # the spot and its area
    assert "0,5" in text  # 2 fire events in four weeks: 0,5 a week
    assert "Skicka med e-post" not in text  # no SMTP configured, and BRÅ may not send


@pytest.mark.parametrize(
    ("week", "message"),
    [("2099-W01", "har inte börjat"), ("vecka 3", "ÅÅÅÅ-Vnn"), ("2026-W60", "ÅÅÅÅ-Vnn")],
)
def test_a_bad_or_future_week_is_explained(client, login, week, message):
    login("municipality")
    response = client.get("/personal/lagesbild/vecka", query_string={"vecka": week})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert (
        client.get("/personal/lagesbild/vecka.pdf", query_string={"vecka": week}).status_code == 422
    )


def test_the_weekly_pdf_holds_both_sources(app, client, login):
    add_events(app, local_day(datetime(2026, 11, 25).date()), 2, types="graffiti")
    add_concerns(app, local_day(datetime(2026, 11, 26).date()), 1)
    login("police")
    response = client.get("/personal/lagesbild/vecka.pdf", query_string={"vecka": "2026-W48"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Lägesbild vecka 48 2026" in text and "2026-11-23 – 2026-11-29" in text
    assert "Klotter" in text and "Händelser från samverkanspartner: 2" in text
    assert "EVENT-SECRET-TEXT" not in text


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) that keeps what it receives; never the internet."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_the_lagesbild_is_emailed_when_smtp_is_configured(app, client, login, smtp_server):
    port, received = smtp_server
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        SMTP_FROM="trygghet@mellerud.example",
        LAGESBILD_RECIPIENTS="bra@mellerud.example, polis@mellerud.example",
    )
    add_events(app, local_day(datetime(2026, 11, 25).date()), 2)
    login("municipality")
    page = client.get("/personal/lagesbild/vecka", query_string={"vecka": "2026-W48"})
    assert 'id="send-weekly"' in page.get_data(as_text=True)
    token = csrf_token_from(client, "/personal/lagesbild/vecka")
    response = client.post(
        "/personal/lagesbild/vecka/skicka", data={"csrf_token": token, "vecka": "2026-11-23"}
    )
    assert response.status_code == 303 and "skickad=1" in response.headers["Location"]
    assert len(received) == 1
    message = received[0]
    assert message["To"] == "bra@mellerud.example, polis@mellerud.example"
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(message["Subject"]))) == "Lägesbild vecka 48 2026"
    (attachment,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert attachment.get_filename() == "lagesbild-2026-11-23.pdf"
    assert attachment.get_payload(decode=True).startswith(b"%PDF")
    assert 'id="mail-sent"' in client.get(response.headers["Location"]).get_data(as_text=True)


def test_without_smtp_sending_is_refused_and_nothing_breaks(app, client, login):
    login("municipality")
    token = csrf_token_from(client, "/personal/lagesbild/vecka")
    response = client.post("/personal/lagesbild/vecka/skicka", data={"csrf_token": token})
    assert response.status_code == 409 and "GEOSERVICE_SMTP_HOST" in response.get_data(as_text=True)


def test_a_refusing_smtp_server_gives_a_message_not_a_crash(app, client, login):
    port = free_port()  # nobody listens on it
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_STARTTLS=False,
        SMTP_FROM="a@b.se",
        LAGESBILD_RECIPIENTS="c@d.se",
    )
    login("municipality")
    token = csrf_token_from(client, "/personal/lagesbild/vecka")
    response = client.post("/personal/lagesbild/vecka/skicka", data={"csrf_token": token})
    assert response.status_code == 303 and "fel=1" in response.headers["Location"]
    assert "kunde inte skickas" in client.get(response.headers["Location"]).get_data(as_text=True)


# --- the tertial ------------------------------------------------------------------------------


def test_the_tertial_page_ranks_areas_per_1000_residents(app, client, login):
    # Tertial 2 of 2026 (May–August): 12 events and 12 concerns in Mellerud/Holm.
    add_events(app, local_day(datetime(2026, 6, 10).date()), 12)
    add_concerns(app, local_day(datetime(2026, 6, 11).date()), 12)
    add_events(app, local_day(datetime(2026, 3, 10).date()), 4)  # tertial 1
    login("bra")
    page = client.get("/personal/prioritering", query_string={"tertial": "2026-2"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    row = text.split('id="tertial-ranking"')[1].split("</tr>")[1]
    # The shipped layer gives Mellerud/Holm 2 672 residents: 24 / 2 672 × 1 000 = 8,98 and
    # 4 / 2 672 × 1 000 = 1,50 the tertial before, so +7,49.
    assert "<td>1</td>" in row and "Mellerud/Holm" in row
    assert "<td>9,0</td>" in row and "+7,5" in row
    bad = client.get("/personal/prioritering", query_string={"tertial": "2026-7"})
    assert bad.status_code == 422 and "ÅÅÅÅ-T" in bad.get_data(as_text=True)


def test_the_period_report_adds_events_when_asked(app, client, login):
    add_concerns(app, recent(5), 3)
    add_events(app, recent(5), 4)
    login("municipality")
    period = {"from": (datetime.now(LOCAL_ZONE) - timedelta(days=30)).date().isoformat()}
    residents = client.get("/personal/rapport/areas.csv", query_string=period)
    both = client.get("/personal/rapport/areas.csv", query_string=period | {"source": "both"})
    assert residents.status_code == both.status_code == 200
    holm = [
        [line for line in r.get_data(as_text=True).splitlines() if "Mellerud/Holm" in line][0]
        for r in (residents, both)
    ]
    # Mellerud/Holm: 3 concerns, and 3 + 4 with the partners' events.
    assert ",3," in holm[0] and ",7," in holm[1], holm
