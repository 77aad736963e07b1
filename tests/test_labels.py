"""One label per code, in the page's language; audit events as sentences."""

from __future__ import annotations

import json
from types import SimpleNamespace

from geoservice import labels
from geoservice.core.categories import KINDS, STATUSES, TIME_BANDS
from geoservice.store.accounts import ROLES


def test_every_code_has_a_label(app):
    with app.test_request_context("/"):
        assert set(labels.status_labels()) == set(STATUSES)
        assert set(labels.kind_labels()) == set(KINDS)
        assert set(labels.band_labels()) == set(TIME_BANDS)
        assert set(ROLES) <= set(labels.role_labels())


def test_an_unknown_code_is_made_readable_not_dropped(app):
    with app.test_request_context("/"):
        assert labels.code_label({"new": "Ny"}, "new") == "Ny"
        assert labels.code_label({}, "token_created") == "token created"
        assert labels.code_label({}, None) == "–"
        assert labels.audit_place("partner.events") == "på en personalsida"
        assert labels.audit_place("user:anna") == "för kontot anna"
        assert labels.audit_place("token:7") == "för API-nyckel nr 7"


def test_no_page_of_the_app_is_named_by_its_code_in_the_log(app):
    """A denial can name any endpoint; a new page without a label still reads as words."""
    with app.test_request_context("/"):
        for rule in app.url_map.iter_rules():
            place = labels.audit_place(rule.endpoint)
            last = rule.endpoint.rsplit(".", 1)[-1]
            assert "_" not in place and "." not in place, (rule.endpoint, place)
            assert last not in place.split(), (rule.endpoint, place)


def _event(**fields):
    base = {"user_name": "anna", "role": "police", "action": "view_free_text", "target": None}
    base |= {"filter": None, "rows": None}
    return SimpleNamespace(**(base | fields))


def test_audit_sentences_in_swedish_and_english(app):
    event = _event(
        target="staff.report_page:0b7c",
        rows=1,
        filter=json.dumps({"layer": ["hotspots", "points"], "weekend": "true"}),
    )
    with app.test_request_context("/"):
        assert labels.audit_sentence(event) == (
            "Polis anna visade fritext för 1 synpunkt på en synpunkts sida, "
            "filter: helg, hotspots, exakta platser."
        )
        big = _event(rows=1204, target="staff.queue")
        assert "visade fritexter för 1\u00a0204 synpunkter i modereringskön." in (
            labels.audit_sentence(big)
        )
    with app.test_request_context("/?lang=en"):
        sentence = labels.audit_sentence(event)
        assert sentence.startswith("Police anna viewed the free text of 1 concern")
        assert "weekend, hotspots, exact places" in sentence


def test_a_stored_filter_that_is_not_json_is_shown_as_stored(app):
    with app.test_request_context("/"):
        assert labels.audit_filter_text("not json") == "not json"
        assert labels.audit_filter_text(None) == ""
