"""Store, find and erase concerns; hand them to the core as DataFrames."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import pandas as pd
from sqlalchemy import Integer, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geoservice.core.analysis.aggregate import REPORT_COLUMNS as CORE_COLUMNS
from geoservice.core.intake.validation import ReportDraft
from geoservice.store.aggregates import (
    bump_version,
    bump_version_after_commit,
    bump_version_in_transaction,
)
from geoservice.store.areas import ACTIVE_LAYER_ID, active_layer_id
from geoservice.store.db import begin_write, write_turn
from geoservice.store.models import Report, cell_of, new_id, no_receipt

REPORTS = Report.__table__

# Crockford's base32 without I, L, O, U: nothing a resident can misread when copying.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECEIPT_LENGTH = 12
# Every lookup of a receipt code takes at least this long, found or not, well-formed or
# not: a guesser learns nothing from the time an answer takes (and guesses slowly).
RECEIPT_LOOKUP_FLOOR_S = 0.05


class IdempotencyConflict(Exception):
    """An idempotency key came back with a different concern than the first time."""


class LayerChanged(Exception):
    """Another area layer came into force between checking a concern and storing it."""

    def __init__(self, layer_id: int | None) -> None:
        super().__init__(f"area layer {layer_id or 'shipped'} is now in force")
        self.layer_id = layer_id


@dataclass(frozen=True)
class StoredConcern:
    """What the submitter is told about the stored concern."""

    id: str
    # The code in clear, only ever in memory for the answer; None for a replay of a
    # concern whose code was not made from its idempotency key (stored before codes were).
    receipt: str | None
    area_id: str | None


@dataclass(frozen=True)
class StoredReport:
    """The stored concern and whether this call created it."""

    report: StoredConcern
    created: bool


def _receipt_of_bits(bits: int) -> str:
    raw = "".join(_RECEIPT_ALPHABET[(bits >> (5 * i)) & 31] for i in range(_RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4))


def new_receipt() -> str:
    """Return a fresh receipt code such as ``7KQ2-M9XD-4RTP`` (60 random bits)."""
    return _receipt_of_bits(secrets.randbits(5 * _RECEIPT_LENGTH))  # one read of randomness


def receipt_for_key(secret: str, idempotency_key: str) -> str:
    """The receipt code of a concern sent with ``idempotency_key`` (60 bits of a keyed hash).

    Made from the key so that a replay (Back, reload, a double tap, an API retry) can be
    answered with the same code although only the code's hash is stored. Without the
    server's secret the key alone does not give the code.
    """
    digest = hmac.new(
        secret.encode(), b"receipt-of-key|" + idempotency_key.encode(), hashlib.sha256
    )
    return _receipt_of_bits(int.from_bytes(digest.digest()[:8], "big") >> 4)


def receipt_digest(secret: str, receipt: str) -> str:
    """The keyed hash stored for a canonical receipt code: all the database ever holds."""
    return hmac.new(secret.encode(), b"receipt|" + receipt.encode(), hashlib.sha256).hexdigest()


def normalise_receipt(text: str) -> str | None:
    """Return the canonical form of a typed receipt code, or None if it cannot be one."""
    cleaned = "".join(c for c in text.upper() if c.isalnum())
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != _RECEIPT_LENGTH or any(c not in _RECEIPT_ALPHABET for c in cleaned):
        return None
    return "-".join(cleaned[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4))


def client_key(secret: str, address: str | None, now: datetime) -> str:
    """Keyed hash of the client address that changes every day; the address is never stored."""
    message = f"{now.astimezone(UTC).date().isoformat()}|{address or ''}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


# What the service derives rather than the resident gives: the area holding a point, and
# the point stored for a concern given as a whole area. Both depend on the layer in force,
# so a retry straddling a layer change must not be told apart by them.
_DERIVED = {"point": ("area_id",), "area": ("lon", "lat")}


def _fingerprint(draft: ReportDraft) -> str:
    """A hash of what the resident gave, so an identical retry is recognised as one."""
    fields = draft.fingerprint_fields()
    for name in _DERIVED.get(draft.precision, ()):
        fields.pop(name, None)
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _legacy_fingerprint(draft: ReportDraft) -> str:
    """The fingerprint rows stored before derived fields were left out carry."""
    payload = json.dumps(draft.fingerprint_fields(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def report_row(
    draft: ReportDraft,
    *,
    created_at: datetime,
    client: str | None,
    source: str,
    receipt_hash: str | None = None,
) -> dict:
    """The new row of a checked concern: its id, cell and fingerprint made here.

    ``receipt_hash`` is the keyed hash of the code the submitter is given; without one
    (imports) the row gets a hash no code matches.
    """
    return {
        "id": new_id(),
        "created_at": created_at,
        "lon": draft.lon,
        "lat": draft.lat,
        "cell": cell_of(draft.lat, draft.lon),
        "precision": draft.precision,
        "kind": draft.kind,
        "category": draft.category,
        "time_of_day": draft.time_of_day,
        "weekend": draft.weekend,
        "description": draft.description,
        "suggestion": draft.suggestion,
        "place_note": draft.place_note,
        "role": draft.role,
        "age_band": draft.age_band,
        "area_id": draft.area_id,
        "status": "new",
        "receipt_hash": receipt_hash or no_receipt(),
        "idempotency_key": draft.idempotency_key,
        "payload_hash": _fingerprint(draft),
        "client_key": client,
        "source": source,
        "is_demo": False,
    }


# The columns of report_row, in its order.
_ROW_COLUMNS = (
    "id", "created_at", "lon", "lat", "cell", "precision", "kind", "category", "time_of_day",
    "weekend", "description", "suggestion", "place_note", "role", "age_band", "area_id",
    "status", "receipt_hash", "idempotency_key", "payload_hash", "client_key", "source", "is_demo",
)  # fmt: skip


def _insert_if_layer(check_layer: bool):
    """INSERT ... SELECT the row's values, WHERE the layer in force is ``:layer_id``.

    Built once per variant: this is the hot path. On PostgreSQL the statement is the whole
    transaction; it takes its lock on ``reports`` before it reads the layer, so it waits
    for a layer change in progress and then sees the new layer.
    """
    values = select(*(bindparam(name, type_=REPORTS.c[name].type) for name in _ROW_COLUMNS))
    if check_layer:
        in_force = ACTIVE_LAYER_ID.scalar_subquery()
        values = values.where(in_force.is_not_distinct_from(bindparam("layer_id", type_=Integer)))
    statement = insert(REPORTS).from_select(_ROW_COLUMNS, values, include_defaults=False)
    # The row count tells whether the layer check let the row in.
    return statement.execution_options(preserve_rowcount=True)


_INSERT = {True: _insert_if_layer(True), False: _insert_if_layer(False)}
# SQLite: the write lock up front (see begin_write). PostgreSQL: each statement commits
# itself, the insert being the only one that writes.
_WRITE_OPTIONS = {
    "sqlite": {"sqlite_immediate": True},
    "postgresql": {"isolation_level": "AUTOCOMMIT"},
}


def store_report(
    session: Session,
    draft: ReportDraft,
    *,
    client: str | None,
    source: str,
    secret: str,
    now: datetime | None = None,
    layer_id: int | None | Literal["any"] = "any",
) -> StoredReport:
    """Store ``draft`` once: a replayed idempotency key returns the first row unchanged.

    The receipt code is made here (from the idempotency key when there is one, see
    :func:`receipt_for_key`) and only its hash keyed by ``secret`` is stored.

    This is the hot path of the service (hundreds a second): one connection, and one
    statement that writes. The unique key refuses a replay, which is then answered as the
    first time. ``layer_id`` is the area layer ``draft`` was checked against (None: the
    shipped one); the row is inserted only while that layer is in force, so that a layer
    change (which locks out inserts while it re-assigns every concern) cannot leave it
    assigned by the old layer. Leave it out (``"any"``) to skip that check.

    Raises
    ------
    IdempotencyConflict
        When the key was used before for a different concern.
    LayerChanged
        When another layer came into force since the check; nothing was stored.
    """
    key = draft.idempotency_key
    receipt = receipt_for_key(secret, key) if key else new_receipt()
    row = report_row(
        draft,
        created_at=now or datetime.now(UTC),
        client=client,
        source=source,
        receipt_hash=receipt_digest(secret, receipt),
    )
    if session.in_transaction():
        session.commit()  # end the request's reads: each write is its own unit of work
    engine = session.get_bind()
    with engine.connect() as connection:
        connection.execution_options(**_WRITE_OPTIONS.get(engine.dialect.name, {}))
        check_layer = layer_id != "any"
        try:
            with write_turn(engine), connection.begin():
                inserted = connection.execute(
                    _INSERT[check_layer], row | {"layer_id": layer_id} if check_layer else row
                ).rowcount
                if inserted:
                    bump_version_in_transaction(connection)
        except IntegrityError:
            # The key was stored before (or just now, by a parallel request).
            earlier = draft.idempotency_key and _by_idempotency_key(
                connection, draft.idempotency_key
            )
            connection.rollback()
            if earlier:
                return _replayed(
                    earlier,
                    (row["payload_hash"], _legacy_fingerprint(draft)),
                    receipt,
                    row["receipt_hash"],
                )
            raise
        if not inserted:
            raise LayerChanged(active_layer_id(connection))
        bump_version_after_commit(connection)
    return StoredReport(StoredConcern(row["id"], receipt, row["area_id"]), created=True)


def _replayed(
    earlier, fingerprints: tuple[str, ...], receipt: str, receipt_hash: str
) -> StoredReport:
    if earlier.payload_hash not in fingerprints:
        raise IdempotencyConflict(earlier.idempotency_key)
    # The same key gives the same code, unless the first one was stored before codes were
    # made from keys: that code is not known here.
    same = hmac.compare_digest(earlier.receipt_hash, receipt_hash)
    return StoredReport(
        StoredConcern(earlier.id, receipt if same else None, earlier.area_id), created=False
    )


def _by_idempotency_key(connection, key: str):
    return connection.execute(
        select(
            REPORTS.c.id,
            REPORTS.c.receipt_hash,
            REPORTS.c.area_id,
            REPORTS.c.payload_hash,
            REPORTS.c.idempotency_key,
        ).where(REPORTS.c.idempotency_key == key)
    ).first()


@contextmanager
def _taking_at_least(seconds: float) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        left = seconds - (time.perf_counter() - started)
        if left > 0:
            time.sleep(left)


def _lookup_digest(secret: str, receipt: str) -> str:
    """The hash to look up: a malformed code is hashed too, so it costs a hit's work."""
    canonical = normalise_receipt(receipt)
    # No stored hash starts with "-": a malformed code finds nothing, after the same work.
    digest = receipt_digest(secret, canonical or receipt[:40])
    return digest if canonical else "-" + digest[1:]


def find_by_receipt(
    session: Session, receipt: str, *, secret: str, floor_s: float = RECEIPT_LOOKUP_FLOOR_S
) -> Report | None:
    """Return the concern with this receipt code (typing slips forgiven), or None.

    Takes at least ``floor_s`` whatever the answer, and compares no code itself: the
    database looks up the keyed hash.
    """
    with _taking_at_least(floor_s):
        digest = _lookup_digest(secret, receipt)
        return session.scalar(select(Report).where(Report.receipt_hash == digest))


def erase_by_receipt(
    session: Session, receipt: str, *, secret: str, floor_s: float = RECEIPT_LOOKUP_FLOOR_S
) -> bool:
    """Delete the concern with this receipt code for good; True when one was deleted."""
    with _taking_at_least(floor_s):
        digest = _lookup_digest(secret, receipt)
        begin_write(session)
        result = session.execute(delete(Report).where(Report.receipt_hash == digest))
        if result.rowcount:
            bump_version(session)
        session.commit()
        return result.rowcount == 1


# The core's columns, plus the exact hour a resident may have given (time windows use it).
REPORT_COLUMNS = (*CORE_COLUMNS, "exact_hour")


def reports_frame(session: Session) -> pd.DataFrame:
    """All concerns as a DataFrame for the core: no free text, ``created_at`` in UTC."""
    columns = [getattr(Report, name) for name in REPORT_COLUMNS]
    rows = session.execute(select(*columns)).all()
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame
