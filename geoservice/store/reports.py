"""Store, find and erase concerns; hand them to the core as DataFrames."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geoservice.core.aggregate import REPORT_COLUMNS as CORE_COLUMNS
from geoservice.core.validation import ReportDraft
from geoservice.store.aggregates import bump_version
from geoservice.store.db import begin_write
from geoservice.store.models import Report, cell_of, new_id

REPORTS = Report.__table__

# Crockford's base32 without I, L, O, U: nothing a resident can misread when copying.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECEIPT_LENGTH = 12


class IdempotencyConflict(Exception):
    """An idempotency key came back with a different concern than the first time."""


@dataclass(frozen=True)
class StoredConcern:
    """What the submitter is told about the stored concern."""

    id: str
    receipt: str
    area_id: str | None


@dataclass(frozen=True)
class StoredReport:
    """The stored concern and whether this call created it."""

    report: StoredConcern
    created: bool


def new_receipt() -> str:
    """Return a fresh receipt code such as ``7KQ2-M9XD-4RTP`` (60 random bits)."""
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(_RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4))


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


def _fingerprint(draft: ReportDraft) -> str:
    payload = json.dumps(draft.fingerprint_fields(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def report_row(
    draft: ReportDraft, *, created_at: datetime, client: str | None, source: str
) -> dict:
    """The new row of a checked concern: its id, receipt, cell and fingerprint made here."""
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
        "role": draft.role,
        "age_band": draft.age_band,
        "area_id": draft.area_id,
        "status": "new",
        "receipt": new_receipt(),
        "idempotency_key": draft.idempotency_key,
        "payload_hash": _fingerprint(draft),
        "client_key": client,
        "source": source,
        "is_demo": False,
    }


def store_report(
    session: Session,
    draft: ReportDraft,
    *,
    client: str | None,
    source: str,
    now: datetime | None = None,
) -> StoredReport:
    """Store ``draft`` once: a replayed idempotency key returns the first row unchanged.

    Written with Core statements on the session's connection: this is the hot path of
    the service (hundreds a second), and the ORM's unit of work adds nothing here.

    Raises
    ------
    IdempotencyConflict
        When the key was used before for a different concern.
    """
    row = report_row(draft, created_at=now or datetime.now(UTC), client=client, source=source)
    fingerprint = row["payload_hash"]
    # Take the write lock before the key lookup, so two replays cannot both miss it.
    begin_write(session)
    connection = session.connection()
    if draft.idempotency_key:
        earlier = _by_idempotency_key(connection, draft.idempotency_key)
        if earlier is not None:
            session.rollback()
            return _replayed(earlier, fingerprint)
    try:
        connection.execute(insert(REPORTS), row)
        bump_version(session)
        session.commit()
    except IntegrityError:
        # Another request with the same key won the race: answer as that one did.
        session.rollback()
        if draft.idempotency_key:
            earlier = _by_idempotency_key(session.connection(), draft.idempotency_key)
            session.rollback()
            if earlier is not None:
                return _replayed(earlier, fingerprint)
        raise
    return StoredReport(StoredConcern(row["id"], row["receipt"], row["area_id"]), created=True)


def _replayed(earlier, fingerprint: str) -> StoredReport:
    if earlier.payload_hash != fingerprint:
        raise IdempotencyConflict(earlier.idempotency_key)
    return StoredReport(StoredConcern(earlier.id, earlier.receipt, earlier.area_id), created=False)


def _by_idempotency_key(connection, key: str):
    return connection.execute(
        select(
            REPORTS.c.id,
            REPORTS.c.receipt,
            REPORTS.c.area_id,
            REPORTS.c.payload_hash,
            REPORTS.c.idempotency_key,
        ).where(REPORTS.c.idempotency_key == key)
    ).first()


def find_by_receipt(session: Session, receipt: str) -> Report | None:
    """Return the concern with this receipt code, or None."""
    canonical = normalise_receipt(receipt)
    if canonical is None:
        return None
    return session.scalar(select(Report).where(Report.receipt == canonical))


def erase_by_receipt(session: Session, receipt: str) -> bool:
    """Delete the concern with this receipt code for good; True when one was deleted."""
    canonical = normalise_receipt(receipt)
    if canonical is None:
        return False
    begin_write(session)
    result = session.execute(delete(Report).where(Report.receipt == canonical))
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
