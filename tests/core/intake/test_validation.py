"""The rules every new concern passes, whichever way it arrives."""

from __future__ import annotations

import pytest

from geoservice.core.intake.validation import (
    BodyRejected,
    ReportRejected,
    describe,
    parse_json_object,
    validate_report,
)

INSIDE = (12.45, 58.70)


def locate(lon: float, lat: float) -> str | None:
    """A toy municipality: the box 12.1–12.7 E, 58.5–58.9 N is one area."""
    return "town" if 12.1 <= lon <= 12.7 and 58.5 <= lat <= 58.9 else None


def area_point(area_id: str):
    return (12.45, 58.7) if area_id == "town" else None


def api(**fields):
    body = {"lat": INSIDE[1], "lon": INSIDE[0], "category": "drugs", "time_of_day": "night"}
    body.update(fields)
    return validate_report(body, locate=locate, area_point=area_point, from_form=False)


def form(**fields):
    body = {"lat": "58.7", "lon": "12.45", "category": "drugs", "time_of_day": "night"}
    body.update(fields)
    return validate_report(body, locate=locate, area_point=area_point, from_form=True)


def refused(call, **fields) -> dict[str, str]:
    with pytest.raises(ReportRejected) as info:
        call(**fields)
    return info.value.errors


def test_a_complete_concern_passes_with_defaults():
    draft = api(weekend=True, description="  Mörkt vid stationen  ", role="visitor")
    assert draft.area_id == "town"
    assert draft.precision == "point"
    assert draft.kind == "unsafe"
    assert draft.weekend is True
    assert draft.description == "Mörkt vid stationen"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"lat": "58.7"}, "lat", "not_a_number"),
        ({"lon": True}, "lon", "not_a_number"),
        ({"lat": None, "lon": None}, "lat", "required"),
        ({"lat": 95.0}, "lat", "lat_range"),
        ({"lon": -181}, "lon", "lon_range"),
        ({"lat": 10**400}, "lat", "not_finite"),
        ({"lat": 59.5}, "lat", "outside"),
        ({"lat": 12.45, "lon": 58.7}, "lat", "outside"),  # swapped coordinates
        ({"category": "ufo"}, "category", "choice"),
        ({"category": None}, "category", "required"),
        ({"time_of_day": "noon"}, "time_of_day", "choice"),
        ({"kind": "scary"}, "kind", "choice"),
        ({"weekend": 1}, "weekend", "not_boolean"),
        ({"role": "mayor"}, "role", "choice"),
        ({"age_band": "40"}, "age_band", "choice"),
        ({"description": "x" * 1001}, "description", "too_long"),
        ({"description": 5}, "description", "not_text"),
        ({"description": "a\x00b"}, "description", "control_chars"),
        ({"suggestion": "a\ud800b"}, "suggestion", "control_chars"),
        ({"suggestion": "abc\u202edef"}, "suggestion", "invisible_chars"),
        ({"description": "zero\u200bwidth"}, "description", "invisible_chars"),
        ({"idempotency_key": "short"}, "idempotency_key", "idempotency_key"),
        ({"status": "confirmed"}, "status", "unknown_field"),
    ],
)
def test_api_refusals_name_the_field(fields, field, code):
    assert refused(api, **fields)[field] == code


def test_text_of_exactly_the_limit_passes():
    assert len(api(description="å" * 1000).description) == 1000


def test_every_refusal_has_a_sentence_in_both_languages():
    errors = refused(api, lat="x", category="ufo", status="new")
    for code in errors.values():
        assert describe(code, "sv") and describe(code, "en")
        assert describe(code, "sv") != describe(code, "en")


def test_form_accepts_numeric_strings_and_decimal_commas():
    assert form(lat="58,7").lat == pytest.approx(58.7)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_form_refuses_non_finite_text(value):
    assert refused(form, lat=value)["lat"] == "not_finite"


def test_form_without_a_point_uses_the_chosen_area():
    draft = form(lat="", lon="", area_id="town")
    assert (draft.precision, draft.area_id) == ("area", "town")


def test_form_without_any_place_is_refused():
    assert refused(form, lat="", lon="")["place"] == "place_missing"


def test_form_with_an_unknown_area_is_refused():
    assert refused(form, lat="", lon="", area_id="atlantis")["area_id"] == "unknown_area"


def test_form_honeypot_filled_is_refused():
    assert refused(form, website="http://spam.example")["website"] == "honeypot"


def test_form_weekend_choice():
    assert form(weekend="weekday").weekend is False
    assert form(weekend="unknown").weekend is None
    assert refused(form, weekend="sometimes")["weekend"] == "choice"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (b"{", "body", "bad_json"),
        (b"[1, 2]", "body", "not_object"),
        (b'{"a": ' * 50 + b"1" + b"}" * 50, "body", "too_deep"),
        (b'{"lat": 1, "lat": 2}', "lat", "duplicate_key"),
        (b'{"lat": ' + b"9" * 5000 + b"}", "body", "bad_json"),
        (b"\xff\xfe", "body", "bad_json"),
    ],
)
def test_bodies_that_are_not_a_plain_json_object(body, field, code):
    with pytest.raises(BodyRejected) as info:
        parse_json_object(body)
    assert info.value.errors == {field: code}


def test_json_nan_is_kept_to_be_refused_by_field():
    data = parse_json_object(b'{"lat": NaN, "lon": Infinity, "category": "drugs"}')
    errors = refused(api, **data)
    assert errors["lat"] == errors["lon"] == "not_finite"


def test_brackets_inside_strings_do_not_count_as_nesting():
    data = parse_json_object(b'{"description": "' + b"[{" * 100 + b'"}')
    assert data["description"].startswith("[{")
