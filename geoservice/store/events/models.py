"""Tables of partner reporting: which organisation a partner account belongs to, and events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geoservice.store.models import Base, UTCDateTime, new_id, utcnow


class PartnerAccount(Base):
    """A partner account's organisation (the housing company, a school, security guards ...).

    Kept apart from ``users`` so that the organisation is only ever set for the role
    ``partner``; every event the account reports carries it.
    """

    __tablename__ = "partner_accounts"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation: Mapped[str] = mapped_column(String(120), nullable=False)


class EventReport(Base):
    """One event a partner saw (EST): where, when, which kinds, how serious, what happened.

    Several events sent together share a ``batch_id``. ``occurred_from``/``occurred_to``
    hold the time given (a range when the reporter did not know the exact time); both are
    UTC. ``types`` holds the EST codes, comma-separated.
    """

    __tablename__ = "event_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(String(36), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    organisation: Mapped[str] = mapped_column(String(120), nullable=False)
    reporter_id: Mapped[int] = mapped_column(Integer, nullable=False)
    reporter_name: Mapped[str] = mapped_column(String(64), nullable=False)
    occurred_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    occurred_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    cell: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    area_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    place_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    types: Mapped[str] = mapped_column(String(200), nullable=False)
    seriousness: Mapped[int] = mapped_column(Integer, nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str] = mapped_column(String(8), nullable=False, default="form")
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)

    __table_args__ = (
        Index("ix_event_reports_occurred_from", "occurred_from"),
        Index("ix_event_reports_organisation", "organisation"),
    )
