"""The tables. Times are stored as UTC; coordinates as WGS 84 longitude/latitude."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, whatever the backend keeps (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def no_receipt() -> str:
    """A receipt hash no code matches, for a concern nobody was given a code for."""
    return "x" + secrets.token_hex(31)


class Base(DeclarativeBase):
    pass


class Report(Base):
    """A resident's concern (*synpunkt*): a place, why it feels unsafe, and its moderation state."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    precision: Mapped[str] = mapped_column(String(8), nullable=False, default="point")
    kind: Mapped[str] = mapped_column(String(8), nullable=False, default="unsafe")
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    time_of_day: Mapped[str] = mapped_column(String(10), nullable=False, default="unknown")
    weekend: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    exact_hour: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    suggestion: Mapped[str | None] = mapped_column(Text, nullable=True)
    # "Where exactly?" in the resident's words (street, landmark): staff-only free text.
    place_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    role: Mapped[str | None] = mapped_column(String(12), nullable=True)
    age_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    area_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The H3 resolution-10 cell of the point, so the database can count voices per cell.
    cell: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="new")
    # The receipt code is the resident's alone: only its keyed hash is kept
    # (store.reports.receipt_digest), so no page, export or dump can show it.
    receipt_hash: Mapped[str] = mapped_column(
        String(64), nullable=False, unique=True, default=no_receipt
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    payload_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False, default="web")
    is_demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    internal_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A moderator hid the suggestion's wording from the council's report (still counted).
    quote_hidden: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    @property
    def reference(self) -> str:
        """The internal number staff name this concern by (never its receipt code)."""
        return staff_reference(self.id)

    __table_args__ = (
        Index("ix_reports_created_at", "created_at"),
        Index("ix_reports_area_id", "area_id"),
        Index("ix_reports_status", "status"),
        Index("ix_reports_is_demo", "is_demo"),
        # Covers the staff hotspot counts (store.aggregates.voice_counts).
        Index("ix_reports_voices", "kind", "created_at", "cell", "client_key", "status"),
        # Covers the public area counts (store.aggregates.area_group_counts).
        Index(
            "ix_reports_area_counts",
            "kind",
            "area_id",
            "category",
            "time_of_day",
            "created_at",
            "status",
        ),
    )


class ReportMonthVersion(Base):
    """A change counter per UTC calendar month of the concerns (``2026-11``).

    Moved by database triggers on every insert, update and delete of a concern (migration
    0016), so a month's voice count can be reused while its counter stands still.
    """

    __tablename__ = "report_month_versions"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class DataVersion(Base):
    """A counter bumped in the same transaction as every change to concerns.

    Each worker caches public aggregates per version; one indexed read tells it whether
    any process changed the data since, so no cache outlives a write.
    """

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class User(Base):
    """A staff account: police, municipality, bra (council member) or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class StaffSession(Base):
    """A server-side login session: deleting the row ends it, whatever a cookie still says."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ApiToken(Base):
    """An API token for ``Authorization: Bearer``; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # None: never expires (tokens made before expiry existed); new tokens always get one.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditEvent(Base):
    """Who saw or exported exact points or free text, and logins and denials.

    Never holds free text, coordinates, passwords or tokens: ``filter`` keeps only the
    query's codes and dates, ``rows`` how many concerns were shown.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    user_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    target: Mapped[str | None] = mapped_column(String(120), nullable=True)
    filter: Mapped[str | None] = mapped_column(Text, nullable=True)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (Index("ix_audit_events_at", "at"),)


class ModerationEvent(Base):
    """One change to a concern by staff: who, when, which field, from → to, why."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    user_name: Mapped[str] = mapped_column(String(64), nullable=False)
    field: Mapped[str] = mapped_column(String(16), nullable=False)
    from_value: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_value: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Promise(Base):
    """A citizen promise (medborgarlöfte) of one year, with its focus areas."""

    __tablename__ = "promises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    focus_areas: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    parties: Mapped[str] = mapped_column(String(200), nullable=False)
    signed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    published: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_example: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Activity(Base):
    """One activity of a promise's action plan: what, who is responsible, where, when."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    promise_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    responsible: Mapped[str] = mapped_column(String(16), nullable=False)
    area_ids: Mapped[str] = mapped_column(Text, nullable=False, default="")
    categories: Mapped[str] = mapped_column(Text, nullable=False, default="")
    start_on: Mapped[date] = mapped_column(Date, nullable=False)
    end_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    is_example: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The layer ``area_ids`` name areas of ("shipped" or "layer-<id>"); the ids it had
    # under earlier layers (JSON {layer key: "ids"}), so a rollback restores them exactly;
    # and, until staff confirm it, how the last layer change mapped them (JSON).
    area_layer: Mapped[str | None] = mapped_column(String(32), nullable=True)
    area_history: Mapped[str | None] = mapped_column(Text, nullable=True)
    areas_mapped: Mapped[str | None] = mapped_column(Text, nullable=True)


class FollowUpNote(Base):
    """A dated follow-up note on an activity (uppföljning)."""

    __tablename__ = "followup_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    activity_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    noted_on: Mapped[date] = mapped_column(Date, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str] = mapped_column(String(64), nullable=False)


class PatrolLogEntry(Base):
    """A patrol that was carried out: when, for which window, which stops, a short note."""

    __tablename__ = "patrol_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    carried_out_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    time_window: Mapped[str] = mapped_column(String(64), nullable=False)
    cells: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class AreaLayerRecord(Base):
    """An imported area layer and where it came from; one is active at a time.

    The GeoJSON is kept whole so that a rollback restores exactly what was in use.
    """

    __tablename__ = "area_layers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(255), nullable=False)
    provenance: Mapped[str] = mapped_column(Text, nullable=False)
    geojson: Mapped[str] = mapped_column(Text, nullable=False)
    area_count: Mapped[int] = mapped_column(Integer, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    imported_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Publication(Base):
    """A month's protected public table, stored when first published and never changed.

    Statistical offices publish a period once: if the figures of a month that is over
    were recomputed after an erasure or a moderation, two versions could be subtracted
    and show what changed. So the first publication of a month (for one area layer, one
    k and with or without demo data) is kept and served from then on.
    """

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), nullable=False)
    layer_source: Mapped[str] = mapped_column(String(255), nullable=False)
    k: Mapped[int] = mapped_column(Integer, nullable=False)
    with_demo: Mapped[bool] = mapped_column(Boolean, nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    __table_args__ = (
        Index("ux_publications_key", "period", "layer_source", "k", "with_demo", unique=True),
    )


class AreaLayerActivation(Base):
    """One change of the layer in force: an import (undone by a rollback) or a rollback.

    ``layer_id`` None is the shipped default. The imports not undone form a stack whose
    top is the layer in force; a rollback undoes the top and returns to the one beneath.
    """

    __tablename__ = "area_layer_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    layer_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def cell_of(lat: float, lon: float) -> int | None:
    """The H3 resolution-10 cell of a point as a signed 64-bit integer (H3 keeps bit 63 0)."""
    import h3

    try:
        return h3.str_to_int(h3.latlng_to_cell(lat, lon, 10))
    except (ValueError, TypeError, h3.H3BaseException):
        return None


def staff_reference(report_id: str) -> str:
    """How staff name a concern: ``S-`` and the first 8 hex digits of its internal id.

    Never the receipt code, which is the resident's key to open or erase the concern.
    """
    return "S-" + report_id.replace("-", "")[:8].upper()


@event.listens_for(Report, "before_insert")
@event.listens_for(Report, "before_update")
def _set_cell(_mapper, _connection, report: Report) -> None:
    """Keep ``cell`` in step with the point for every ORM write."""
    if report.lat is not None and report.lon is not None:
        report.cell = cell_of(report.lat, report.lon)


class ReportFigure(Base):
    """A figure a staff member adds to the lägesbild by hand, with its source.

    For "Annan information" (lag 2023:196, 4 §): the police's trygghetsmätning, Brå's NTU
    for the county, a school survey — one value per measure and year.
    """

    __tablename__ = "report_figures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    measure: Mapped[str] = mapped_column(String(200), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    value: Mapped[float] = mapped_column(Float, nullable=False)
    unit: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    source: Mapped[str] = mapped_column(String(300), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


# Tables of sub-packages register on the same metadata (Alembic compares against it).
# Issue 18: partners' events and safety walks.
from geoservice.store.events import models as _event_models  # noqa: E402, F401, I001
from geoservice.store.places.models import NamedPlace  # noqa: E402, F401
from geoservice.store.walks import models as _walk_models  # noqa: E402, F401
