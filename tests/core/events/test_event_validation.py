"""The EST list and the rules of a partner's event report, with hostile input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from geoservice.core.categories import (
    CATEGORY_CODES,
    EVENT_TYPE_CODES,
    EVENT_TYPES,
    WALK_CATEGORIES,
    event_type_by_code,
)
from geoservice.core.events.validation import (
    MAX_EVENTS,
    EventsRejected,
    describe_event,
    validate_events,
)
from geoservice.core.typography import LOCAL_ZONE

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
INSIDE = {"lat": 58.7005, "lon": 12.4535}


def locate(lon, lat):
    return "mellerud-holm" if 12.3 < lon < 12.6 and 58.6 < lat < 58.8 else None


def named_place(name):
    return (12.45, 58.70, "Torget") if name.casefold() == "torget" else None


def check(items, *, from_form=False, now=NOW):
    return validate_events(
        items,
        locate=locate,
        named_place=named_place,
        from_form=from_form,
        now=now,
        error_key=lambda i, f: f"{i}.{f}",
    )


def rejected(items, **kwargs) -> dict[str, str]:
    with pytest.raises(EventsRejected) as caught:
        check(items, **kwargs)
    return caught.value.errors


def event(**fields):
    return (
        INSIDE
        | {"occurred_at": "2026-11-29T23:30", "types": ["graffiti"], "seriousness": 2}
        | fields
    )


def test_the_est_list_holds_the_kinds_brå_names_with_both_languages():
    assert EVENT_TYPE_CODES == (
        "vandalism",
        "graffiti",
        "littering",
        "unsafe_place",
        "drug_dealing",
        "disorderly_group",
        "fire",
        "other",
    )
    labels = {t.code: t.label_sv for t in EVENT_TYPES}
    assert labels["graffiti"] == "Klotter"
    assert labels["drug_dealing"] == "Misstänkt narkotikaförsäljning"
    assert labels["disorderly_group"] == "Grupper som stör ordningen"
    assert all(t.label_en and t.label_sv != t.label_en or t.code == "other" for t in EVENT_TYPES)
    # Every event type counts under one of the residents' categories.
    assert {t.concern_category for t in EVENT_TYPES} <= set(CATEGORY_CODES)
    assert event_type_by_code("fire").label_en == "Fire"
    with pytest.raises(ValueError, match="unknown event type 'arson'"):
        event_type_by_code("arson")
    assert len({c.code for c in WALK_CATEGORIES}) == len(WALK_CATEGORIES)


def test_a_good_event_in_swedish_time_is_stored_in_utc():
    (draft,) = check([event()])
    assert draft.area_id == "mellerud-holm"
    # 23:30 in Sweden in November (UTC+1) is 22:30 UTC.
    assert draft.occurred_from == datetime(2026, 11, 29, 22, 30, tzinfo=UTC)
    assert draft.occurred_to is None and draft.types == ("graffiti",)


def test_a_named_place_gives_the_point_and_the_name():
    (draft,) = check([{k: v for k, v in event(place="torget").items() if k not in INSIDE}])
    assert (draft.lon, draft.lat, draft.place_name) == (12.45, 58.70, "Torget")


def test_types_are_kept_in_list_order_and_several_events_go_together():
    drafts = check([event(types=["fire", "vandalism"]), event(seriousness=3)])
    assert drafts[0].types == ("vandalism", "fire") and drafts[1].seriousness == 3


def test_the_form_takes_a_day_a_time_and_a_range():
    base = {"lat": "58,7005", "lon": "12.4535", "types": ["littering"], "seriousness": "1"}
    (whole_day,) = check([base | {"date": "2026-11-29"}], from_form=True)
    start = datetime(2026, 11, 29, tzinfo=LOCAL_ZONE)
    assert whole_day.occurred_from == start.astimezone(UTC)
    assert whole_day.occurred_to == (start + timedelta(days=1)).astimezone(UTC)
    (night,) = check(
        [
            base
            | {"date": "2026-11-28", "time": "22:00", "to_date": "2026-11-29", "to_time": "06.00"}
        ],
        from_form=True,
    )
    assert night.occurred_to - night.occurred_from == timedelta(hours=8)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"lat": float("nan")}, "lat", "not_finite"),
        ({"lat": True}, "lat", "not_a_number"),
        ({"lat": 91}, "lat", "lat_range"),
        ({"lat": 59.33, "lon": 18.06}, "lat", "outside"),
        ({"lat": None, "lon": None, "place": "Atlantis"}, "place", "unknown_place"),
        ({"lat": None, "lon": None, "place": ["Torget"]}, "place", "not_text"),
        ({"lat": None, "lon": None}, "place", "place_missing"),
        ({"types": []}, "types", "types_missing"),
        ({"types": ["graffiti;DROP TABLE"]}, "types", "unknown_type"),
        ({"types": "graffiti"}, "types", "not_a_list"),
        ({"types": ["graffiti", "graffiti"]}, "types", "duplicate_type"),
        ({"types": {"a": 1}}, "types", "not_a_list"),
        ({"types": ["graffiti"] * 500}, "types", "duplicate_type"),
        ({"seriousness": 4}, "seriousness", "seriousness"),
        ({"seriousness": "3"}, "seriousness", "seriousness"),
        ({"seriousness": True}, "seriousness", "seriousness"),
        ({"occurred_at": "yesterday"}, "occurred_at", "bad_moment"),
        ({"occurred_at": "2026-11-29T25:00"}, "occurred_at", "bad_moment"),
        ({"occurred_at": "2026-12-05T10:00"}, "occurred_at", "future"),
        ({"occurred_at": "2024-01-01T10:00"}, "occurred_at", "too_old"),
        ({"occurred_at": None}, "occurred_at", "when_missing"),
        ({"description": "a\u202eb"}, "description", "invisible_chars"),
        ({"description": "x\x00"}, "description", "control_chars"),
        ({"description": "x" * 1001}, "description", "too_long"),
        ({"description": 5}, "description", "not_text"),
        ({"idempotency_key": "short"}, "idempotency_key", "idempotency_key"),
        ({"is_admin": True}, "is_admin", "unknown_field"),
        ({"<script>": 1}, "?script?", "unknown_field"),
    ],
)
def test_hostile_input_is_refused_by_field(fields, field, code):
    errors = rejected([event(**fields)])
    assert errors.get(f"0.{field}") == code, errors
    assert describe_event(code, "sv") and describe_event(code, "en")


def test_a_range_must_run_forwards_and_stay_within_a_week():
    start = {"occurred_at": None, "occurred_from": "2026-11-20T10:00"}
    assert rejected([event(**start, occurred_to="2026-11-20T09:00")]) == {
        "0.occurred_to": "range_order"
    }
    assert rejected([event(**start, occurred_to="2026-11-28T10:00")]) == {
        "0.occurred_to": "range_too_long"
    }
    assert rejected([event(occurred_from="2026-11-20T10:00")]) == {"0.occurred_from": "choice"}


def test_the_whole_submission_is_refused_when_one_event_is_bad():
    errors = rejected([event(), event(seriousness=0), "not an object"])
    assert errors == {"1.seriousness": "seriousness", "2.event": "not_object"}


def test_empty_and_oversized_submissions_are_refused():
    assert rejected([]) == {"events": "no_events"}
    assert rejected([event()] * (MAX_EVENTS + 1)) == {"events": "too_many_events"}
    same_key = event(idempotency_key="key-12345")
    assert rejected([same_key, same_key]) == {"events": "duplicate_key"}


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError, match="aware"):
        check([event()], now=datetime(2026, 11, 30))
