"""The rules of a walk's plan, observations and the protocol's actions."""

from __future__ import annotations

import json
from datetime import date

import pytest

from geoservice.core.walks.protocol import (
    WalkRejected,
    validate_action,
    validate_observation,
    validate_plan,
)


def locate(lon, lat):
    return "mellerud-holm" if 12.3 < lon < 12.6 and 58.6 < lat < 58.8 else None


def plan_errors(**fields) -> dict[str, str]:
    data = {"title": "Kvällsvandring Centrum", "walk_on": "2026-10-15"} | fields
    with pytest.raises(WalkRejected) as caught:
        validate_plan(data, locate=locate)
    return caught.value.errors


def test_a_plan_with_a_drawn_route_and_organisations():
    route = json.dumps([[12.45, 58.70], [12.46, 58.705]])
    plan = validate_plan(
        {
            "title": " Kvällsvandring ",
            "walk_on": "2026-10-15",
            "route": route,
            "participants": "Polisen\n\nKommunen\n  Mellerudsbostäder ",
        },
        locate=locate,
    )
    assert plan.title == "Kvällsvandring" and plan.walk_on == date(2026, 10, 15)
    assert json.loads(plan.route) == {"type": "LineString", "coordinates": json.loads(route)}
    assert plan.participants == ("Polisen", "Kommunen", "Mellerudsbostäder")


def test_a_plan_with_a_list_of_places_only():
    plan = validate_plan(
        {"title": "T", "walk_on": "2026-10-15", "route_places": "Torget\nStationen"},
        locate=locate,
    )
    assert plan.route is None and plan.route_places == ("Torget", "Stationen")


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": "x" * 201}, "title", "too_long"),
        ({"walk_on": "15/10/2026"}, "walk_on", "bad_date"),
        ({"walk_on": "1066-10-14"}, "walk_on", "date_range"),
        ({"route": "[[12.45, 58.70]]"}, "route", "bad_route"),
        ({"route": "[[12.45, NaN], [12.46, 58.7]]"}, "route", "bad_route"),
        ({"route": "[[12.45, 58.7], [true, 58.7]]"}, "route", "bad_route"),
        ({"route": "{{not json"}, "route", "bad_route"),
        ({"route": json.dumps([[18.06, 59.33], [12.45, 58.7]])}, "route", "route_outside"),
        ({"route": json.dumps([[12.45, 58.7]] * 501)}, "route", "bad_route"),
        ({}, "route_places", "route_missing"),
        ({"route_places": "x\n" * 31}, "route_places", "too_many_lines"),
        ({"route_places": "x" * 121}, "route_places", "line_too_long"),
        ({"participants": "Anna, 070-123 45 67"}, "participants", "personal_data"),
        ({"participants": "anna@example.com"}, "participants", "personal_data"),
        ({"participants": "19800101-1234"}, "participants", "personal_data"),
        ({"participants": "Polisen\u202e"}, "participants", "invisible_chars"),
    ],
)
def test_a_bad_plan_is_refused_by_field(fields, field, code):
    assert plan_errors(**fields).get(field) == code


def test_an_observation_needs_a_point_inside_and_a_category():
    obs = validate_observation(
        {"lat": "58.7005", "lon": "12,4535", "category": "lighting", "note": " Trasig lampa "},
        locate=locate,
    )
    assert (obs.area_id, obs.category, obs.note) == ("mellerud-holm", "lighting", "Trasig lampa")
    with pytest.raises(WalkRejected) as caught:
        validate_observation({"lat": "59.33", "lon": "18.06", "category": "fire"}, locate=locate)
    assert caught.value.errors == {"place": "outside", "category": "choice"}
    with pytest.raises(WalkRejected) as caught:
        validate_observation({"lat": "nan", "lon": "12.4"}, locate=locate)
    assert caught.value.errors == {"place": "not_finite", "category": "required"}


def test_an_action_needs_what_who_and_when_or_the_reason_it_cannot_be_done():
    action = validate_action(
        {"action": "Byta armatur", "owner": "municipality", "deadline": "2026-12-01"}
    )
    assert (action.status, action.owner, action.owner_name) == ("open", "municipality", None)
    with pytest.raises(WalkRejected) as caught:
        validate_action({"status": "in_progress"})
    assert caught.value.errors == {
        "action": "action_required",
        "owner": "owner_required",
        "deadline": "deadline_required",
    }
    with pytest.raises(WalkRejected) as caught:
        validate_action({"action": "x", "owner": "other", "deadline": "2026-12-01"})
    assert caught.value.errors == {"owner_name": "owner_name_required"}
    with pytest.raises(WalkRejected) as caught:
        validate_action({"status": "not_feasible"})
    assert caught.value.errors == {"reason": "reason_required"}
    infeasible = validate_action(
        {"status": "not_feasible", "reason": "Privat mark", "action": "", "owner": "police"}
    )
    assert (infeasible.status, infeasible.reason) == ("not_feasible", "Privat mark")
    housing = validate_action(
        {
            "action": "Klippa",
            "owner": "housing",
            "owner_name": "Mellerudsbostäder",
            "deadline": "2026-05-01",
            "status": "done",
        }
    )
    assert housing.owner_name == "Mellerudsbostäder"
    with pytest.raises(WalkRejected) as caught:
        validate_action({"status": "maybe", "owner": "nato"})
    assert caught.value.errors == {"status": "choice", "owner": "choice"}
    rejected = WalkRejected({"reason": "reason_required"})
    assert rejected.messages("sv")["reason"].startswith("Skriv varför")
    assert rejected.messages("en")["reason"] == "Say why the action cannot be done."
