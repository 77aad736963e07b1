"""Plan safety walks, record their observations, write the protocol's actions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from geoservice.core.walks.protocol import ActionDraft, ObservationDraft, PlanDraft
from geoservice.store.db import begin_write
from geoservice.store.walks.models import Walk, WalkObservation

__all__ = [
    "add_observation",
    "all_walks",
    "create_walk",
    "observations",
    "published_walks",
    "set_action",
    "set_published",
]


def create_walk(
    session: Session, plan: PlanDraft, *, created_by: str, repeat_of: int | None = None
) -> Walk:
    """Store a planned walk (a repeat of an earlier one when ``repeat_of`` names it)."""
    if repeat_of is not None and session.get(Walk, repeat_of) is None:
        raise LookupError(f"no walk {repeat_of}")
    begin_write(session)
    walk = Walk(
        title=plan.title,
        walk_on=plan.walk_on,
        route=plan.route,
        route_places="\n".join(plan.route_places),
        participants="\n".join(plan.participants),
        repeat_of=repeat_of,
        published=False,
        created_by=created_by,
    )
    session.add(walk)
    session.commit()
    return walk


def all_walks(session: Session) -> list[Walk]:
    """Every walk, the newest first."""
    return list(session.scalars(select(Walk).order_by(Walk.walk_on.desc(), Walk.id.desc())))


def published_walks(session: Session) -> list[Walk]:
    """Walks whose protocol is published, the newest first."""
    return list(
        session.scalars(
            select(Walk).where(Walk.published.is_(True)).order_by(Walk.walk_on.desc(), Walk.id)
        )
    )


def set_published(session: Session, walk_id: int, published: bool) -> None:
    """Publish the walk's protocol on the public page, or take it back."""
    begin_write(session)
    walk = session.get(Walk, walk_id)
    if walk is None:
        session.rollback()
        raise LookupError(f"no walk {walk_id}")
    walk.published = published
    session.commit()


def observations(session: Session, walk_id: int) -> list[WalkObservation]:
    """The walk's observations in the order they were made."""
    return list(
        session.scalars(
            select(WalkObservation)
            .where(WalkObservation.walk_id == walk_id)
            .order_by(WalkObservation.id)
        )
    )


def add_observation(
    session: Session,
    walk_id: int,
    draft: ObservationDraft,
    *,
    photo: bytes | None,
    recorded_by: str,
    follows: int | None = None,
    place_name: str | None = None,
) -> WalkObservation:
    """Store an observation (its photo already stripped of metadata), named by its place."""
    if follows is not None:
        earlier = session.get(WalkObservation, follows)
        walk = session.get(Walk, walk_id)
        if earlier is None or walk is None or earlier.walk_id != walk.repeat_of:
            raise LookupError("the followed-up observation is not of the walk this one repeats")
    begin_write(session)
    row = WalkObservation(
        walk_id=walk_id,
        lon=draft.lon,
        lat=draft.lat,
        area_id=draft.area_id,
        place_name=(place_name or "")[:120] or None,
        category=draft.category,
        note=draft.note,
        photo=photo,
        follows=follows,
        status="open",
        recorded_by=recorded_by,
    )
    session.add(row)
    session.commit()
    return row


def set_action(session: Session, observation_id: int, draft: ActionDraft, today: date) -> None:
    """Write the protocol's action for an observation; note the day it was done."""
    begin_write(session)
    row = session.get(WalkObservation, observation_id)
    if row is None:
        session.rollback()
        raise LookupError(f"no observation {observation_id}")
    if draft.status == "done" and row.status != "done":
        row.done_on = today
    elif draft.status != "done":
        row.done_on = None
    row.action = draft.action
    row.owner = draft.owner
    row.owner_name = draft.owner_name
    row.deadline = draft.deadline
    row.status = draft.status
    row.reason = draft.reason
    session.commit()
