"""Citizen promises, their activities and follow-up notes: reads and checked writes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geoservice.core.categories import CATEGORY_CODES
from geoservice.core.intake.validation import clean_text
from geoservice.core.places.area_mapping import carry_over, overlap_mapping
from geoservice.store.db import begin_write
from geoservice.store.models import Activity, FollowUpNote, Promise

RESPONSIBLE = ("police", "municipality", "both")
ACTIVITY_STATUSES = ("planned", "ongoing", "done")


class PlanError(ValueError):
    """A promise or activity form broke a rule; ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(str(errors))


def split_list(text: str) -> list[str]:
    """Stored comma-separated codes as a list."""
    return [part for part in (text or "").split(",") if part]


def _text(form, field, errors, *, required=False, limit=200) -> str | None:
    value, code = clean_text(form.get(field))
    if code:
        errors[field] = "contains characters that are not allowed or is too long"
    elif required and not value:
        errors[field] = "required"
    elif value and len(value) > limit:
        errors[field] = f"at most {limit} characters"
    return value


def _date(form, field, errors, *, required=False) -> date | None:
    raw = (form.get(field) or "").strip()
    if not raw:
        if required:
            errors[field] = "required (YYYY-MM-DD)"
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = "a date written YYYY-MM-DD"
        return None


def promise_values(form: Mapping[str, str]) -> dict:
    """Check a promise form; return the column values or raise PlanError."""
    errors: dict[str, str] = {}
    year_raw = (form.get("year") or "").strip()
    year = (
        int(year_raw)
        if (year_raw.isascii() and year_raw.isdigit()) and 2000 <= int(year_raw) <= 2100
        else None
    )
    if year is None:
        errors["year"] = "a year between 2000 and 2100"
    values = {
        "year": year,
        "title": _text(form, "title", errors, required=True),
        "focus_areas": ",".join(
            part.strip() for part in (form.get("focus_areas") or "").split(",") if part.strip()
        )[:500],
        "summary": _text(form, "summary", errors, limit=2000),
        "parties": _text(form, "parties", errors, required=True),
        "signed_on": _date(form, "signed_on", errors),
        "published": form.get("published") in ("1", "on", "true"),
    }
    if errors:
        raise PlanError(errors)
    return values


def activity_values(form, area_ids: set[str]) -> dict:
    """Check an activity form (multi-value fields via ``getlist``); raise PlanError."""
    errors: dict[str, str] = {}
    responsible = form.get("responsible")
    if responsible not in RESPONSIBLE:
        errors["responsible"] = f"one of {', '.join(RESPONSIBLE)}"
    status = form.get("status") or "planned"
    if status not in ACTIVITY_STATUSES:
        errors["status"] = f"one of {', '.join(ACTIVITY_STATUSES)}"
    chosen_areas = form.getlist("area_ids")
    if not chosen_areas or any(a not in area_ids for a in chosen_areas):
        errors["area_ids"] = "choose one or more areas from the list"
    chosen_categories = form.getlist("categories")
    if any(c not in CATEGORY_CODES for c in chosen_categories):
        errors["categories"] = "unknown category"
    start = _date(form, "start_on", errors, required=True)
    end = _date(form, "end_on", errors)
    if start and end and end < start:
        errors["end_on"] = "must not be before the start"
    values = {
        "title": _text(form, "title", errors, required=True),
        "description": _text(form, "description", errors, limit=2000),
        "responsible": responsible,
        "status": status,
        "area_ids": ",".join(sorted(set(chosen_areas))),
        "categories": ",".join(sorted(set(chosen_categories))),
        "start_on": start,
        "end_on": end,
    }
    if errors:
        raise PlanError(errors)
    return values


def save_promise(session: Session, values: dict, promise_id: int | None = None) -> Promise:
    """Create or update a promise."""
    begin_write(session)
    promise = session.get(Promise, promise_id) if promise_id else Promise()
    if promise is None:
        session.rollback()
        raise LookupError(promise_id)
    for key, value in values.items():
        setattr(promise, key, value)
    session.add(promise)
    session.commit()
    return promise


def save_activity(
    session: Session, promise_id: int, values: dict, activity_id: int | None = None
) -> Activity:
    """Create or update an activity of a promise."""
    begin_write(session)
    if session.get(Promise, promise_id) is None:
        session.rollback()
        raise LookupError(promise_id)
    activity = (
        session.get(Activity, activity_id) if activity_id else Activity(promise_id=promise_id)
    )
    if activity is None or activity.promise_id != promise_id:
        session.rollback()
        raise LookupError(activity_id)
    for key, value in values.items():
        setattr(activity, key, value)
    if "area_ids" in values:
        # Staff chose the areas from the layer in force: that confirms any mapping.
        activity.area_layer = _layer_in_force(session)
        activity.areas_mapped = None
    session.add(activity)
    session.commit()
    return activity


def _layer_in_force(session: Session) -> str:
    from geoservice.store.areas import active_layer_id

    return layer_key(active_layer_id(session.connection()))


def layer_key(layer_id: int | None) -> str:
    """The key an activity's ``area_layer`` names a layer by."""
    return "shipped" if layer_id is None else f"layer-{layer_id}"


@dataclass(frozen=True)
class AreaRemap:
    """How a layer change carries one activity's areas over."""

    activity_id: int
    title: str
    old_ids: list[str]
    new_ids: list[str]
    orphaned: list[str]
    restored: bool  # taken back exactly from the activity's own history (a rollback)
    names: dict[str, str] | None = None  # names of the old and new ids, for staff


def plan_area_remaps(
    session: Session,
    old_areas: gpd.GeoDataFrame,
    new_areas: gpd.GeoDataFrame,
    *,
    new_key: str | None,
) -> list[AreaRemap]:
    """What a change from ``old_areas`` to ``new_areas`` does to every activity's areas.

    An activity that already had areas in the layer ``new_key`` (it is being rolled back
    to) gets those back exactly; the others are carried over by overlap
    (:func:`geoservice.core.places.area_mapping.overlap_mapping`). Nothing is written.
    """
    rows = list(session.scalars(select(Activity).order_by(Activity.id)))
    if not rows:
        return []
    mapping = overlap_mapping(old_areas, new_areas)
    names = {
        **dict(zip(old_areas["id"].astype(str), old_areas["name"].astype(str), strict=True)),
        **dict(zip(new_areas["id"].astype(str), new_areas["name"].astype(str), strict=True)),
    }
    new_known = set(new_areas["id"].astype(str))
    remaps = []
    for activity in rows:
        old_ids = split_list(activity.area_ids)
        history = json.loads(activity.area_history or "{}")
        if new_key is not None and new_key in history:
            remaps.append(
                AreaRemap(
                    activity.id, activity.title, old_ids, split_list(history[new_key]), [], True
                )
            )
            continue
        if old_ids and all(i in new_known for i in old_ids) and set(old_areas["id"]) == new_known:
            # The same ids on both sides (a redrawn layer): nothing to carry over.
            remaps.append(AreaRemap(activity.id, activity.title, old_ids, old_ids, [], False))
            continue
        new_ids, orphaned = carry_over(old_ids, mapping)
        used = {i: names[i] for i in (*old_ids, *new_ids) if i in names}
        remaps.append(
            AreaRemap(activity.id, activity.title, old_ids, new_ids, orphaned, False, used)
        )
    return remaps


def apply_area_remaps(
    session: Session, remaps: list[AreaRemap], *, old_key: str, new_key: str, when: str
) -> None:
    """Write the carried-over areas in the caller's transaction (no commit here).

    The previous ids are kept under ``old_key`` so a rollback restores them; a mapping by
    overlap is noted on the activity until staff confirm it by saving the activity.
    """
    for remap in remaps:
        activity = session.get(Activity, remap.activity_id)
        history = json.loads(activity.area_history or "{}")
        history[old_key] = activity.area_ids
        activity.area_history = json.dumps(history, sort_keys=True)
        activity.area_ids = ",".join(remap.new_ids)
        activity.area_layer = new_key
        changed = remap.new_ids != remap.old_ids
        activity.areas_mapped = (
            json.dumps(
                {
                    "from": old_key,
                    "to": new_key,
                    "on": when,
                    "old_ids": remap.old_ids,
                    "new_ids": remap.new_ids,
                    "orphaned": remap.orphaned,
                    "names": remap.names or {},
                },
                ensure_ascii=False,
            )
            if changed and not remap.restored
            else None
        )


def awaiting_confirmation(session: Session) -> list[Activity]:
    """Activities whose areas a layer change carried over and staff have not confirmed."""
    return list(
        session.scalars(
            select(Activity).where(Activity.areas_mapped.is_not(None)).order_by(Activity.id)
        )
    )


def area_mapping_note(activity: Activity) -> dict | None:
    """The unconfirmed mapping of an activity's areas, or None."""
    if not activity.areas_mapped:
        return None
    note = json.loads(activity.areas_mapped)
    names = note.get("names", {})
    note["orphaned_names"] = [names.get(i, i) for i in note.get("orphaned", [])]
    return note


def add_note(session: Session, activity_id: int, text: str, author: str, on: date) -> FollowUpNote:
    """Add a dated follow-up note to an activity."""
    errors: dict[str, str] = {}
    value = _text({"text": text}, "text", errors, required=True, limit=2000)
    if errors:
        raise PlanError(errors)
    begin_write(session)
    if session.get(Activity, activity_id) is None:
        session.rollback()
        raise LookupError(activity_id)
    note = FollowUpNote(activity_id=activity_id, text=value, author=author, noted_on=on)
    session.add(note)
    session.commit()
    return note


def promises(session: Session, *, published_only: bool) -> list[Promise]:
    """Promises, newest year first."""
    query = select(Promise).order_by(Promise.year.desc(), Promise.id.desc())
    if published_only:
        query = query.where(Promise.published.is_(True))
    return list(session.scalars(query))


def activities(session: Session, promise_id: int) -> list[Activity]:
    """A promise's activities in start order."""
    return list(
        session.scalars(
            select(Activity).where(Activity.promise_id == promise_id).order_by(Activity.start_on)
        )
    )


def notes(session: Session, activity_id: int) -> list[FollowUpNote]:
    """An activity's follow-up notes, oldest first."""
    return list(
        session.scalars(
            select(FollowUpNote)
            .where(FollowUpNote.activity_id == activity_id)
            .order_by(FollowUpNote.noted_on, FollowUpNote.id)
        )
    )


def remove_examples(session: Session) -> int:
    """Delete the example promises with their activities and notes; return how many promises."""
    begin_write(session)
    ids = list(session.scalars(select(Promise.id).where(Promise.is_example.is_(True))))
    activity_ids = list(session.scalars(select(Activity.id).where(Activity.promise_id.in_(ids))))
    session.execute(delete(FollowUpNote).where(FollowUpNote.activity_id.in_(activity_ids)))
    session.execute(delete(Activity).where(Activity.promise_id.in_(ids)))
    session.execute(delete(Promise).where(Promise.id.in_(ids)))
    session.commit()
    return len(ids)
