"""Tables of safety walks: the plan, the observations made on it, and each one's action."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geoservice.store.models import Base, UTCDateTime, utcnow


class Walk(Base):
    """A safety walk (trygghetsvandring): when, which route, which organisations took part.

    No resident is named: ``participants`` lists organisations (one per line), e.g.
    "Polisen", "Kommunen", "Mellerudsbostäder", "Boende i området (3 personer)".
    ``route`` is a GeoJSON LineString in EPSG:4326 when drawn on the map; ``route_places``
    the named places along it, one per line. A repeat walk names the walk it follows up.
    """

    __tablename__ = "walks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    walk_on: Mapped[date] = mapped_column(Date, nullable=False)
    route: Mapped[str | None] = mapped_column(Text, nullable=True)
    route_places: Mapped[str] = mapped_column(Text, nullable=False, default="")
    participants: Mapped[str] = mapped_column(Text, nullable=False, default="")
    repeat_of: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class WalkObservation(Base):
    """One unsafe spot noted on a walk, and the protocol's action for it.

    The photo is stored re-encoded without any metadata (core.walks.photo). ``follows``
    names the observation of the earlier walk that a repeat walk checked again.
    """

    __tablename__ = "walk_observations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    walk_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    area_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    place_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    follows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner: Mapped[str | None] = mapped_column(String(16), nullable=True)
    owner_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
