"""The table of named places a municipality imported (empty: the shipped set is used)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from geoservice.store.models import Base, UTCDateTime, utcnow


class NamedPlace(Base):
    """A named place: a landmark, street or locality, its reach and where its name is from."""

    __tablename__ = "named_places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    # GeoJSON geometry in EPSG:4326 (RFC 7946), as every stored coordinate.
    geometry: Mapped[str] = mapped_column(Text, nullable=False)
    radius_m: Mapped[float] = mapped_column(Float, nullable=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
