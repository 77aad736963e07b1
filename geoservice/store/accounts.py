"""Staff accounts, server-side sessions, API tokens and the audit log."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from geoservice.store.db import begin_write
from geoservice.store.models import ApiToken, AuditEvent, StaffSession, User

ROLES = ("police", "municipality", "bra", "admin", "partner")
ORGANISATION_LIMIT = 120
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "gst_"
_hasher = PasswordHasher()
# Verifying against this when the name is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


class AccountError(ValueError):
    """A staff account could not be created or used; the message says why."""


def create_user(
    session: Session, name: str, role: str, password: str, *, organisation: str | None = None
) -> User:
    """Create a staff account with an argon2 password hash.

    A ``partner`` account (issue 18) belongs to a named organisation, given here; the other
    roles have none.
    """
    name = name.strip()
    if not name or len(name) > 64 or not name.replace(".", "").replace("-", "").isalnum():
        raise AccountError("the user name must be 1-64 characters: letters, digits, '.' and '-'")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    organisation = _organisation(role, organisation)
    begin_write(session)
    user = User(name=name, role=role, password_hash=_hasher.hash(password), active=True)
    session.add(user)
    if organisation:
        from geoservice.store.events.models import PartnerAccount

        session.flush()
        session.add(PartnerAccount(user_id=user.id, organisation=organisation))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AccountError(f"a user named {name!r} already exists") from None
    return user


def _organisation(role: str, organisation: str | None) -> str | None:
    """The partner's organisation, checked; refused for the other roles."""
    text = " ".join((organisation or "").split())
    if role != "partner":
        if text:
            raise AccountError("only a partner account belongs to an organisation")
        return None
    if not text:
        raise AccountError("a partner account needs its organisation (--organisation)")
    if len(text) > ORGANISATION_LIMIT or any(not c.isprintable() for c in text):
        raise AccountError(f"the organisation must be 1-{ORGANISATION_LIMIT} printable characters")
    return text


def organisation_of(session: Session, user_id: int) -> str | None:
    """The organisation of a partner account, None for every other account."""
    from geoservice.store.events.models import PartnerAccount

    row = session.get(PartnerAccount, user_id)
    return row.organisation if row else None


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the active user with this name and password, or None."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        begin_write(session)
        user.password_hash = _hasher.hash(password)
        session.commit()
    return user


def start_session(session: Session, user: User, now: datetime) -> str:
    """Open a new server-side session for ``user``; return its id for the cookie."""
    sid = secrets.token_urlsafe(32)
    begin_write(session)
    session.add(StaffSession(id=sid, user_id=user.id, created_at=now, last_seen=now))
    session.commit()
    return sid


def resume_session(
    session: Session, sid: str, now: datetime, *, idle: timedelta, absolute: timedelta
) -> User | None:
    """Return the session's user if it is alive; end it when idle or too old."""
    row = session.get(StaffSession, sid)
    if row is None:
        return None
    if now - row.last_seen > idle or now - row.created_at > absolute:
        end_session(session, sid)
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        end_session(session, sid)
        return None
    if now - row.last_seen > timedelta(seconds=60):
        # Touch at most once a minute: a write per request would serialise readers.
        begin_write(session)
        row = session.get(StaffSession, sid)
        if row is not None:
            row.last_seen = now
        session.commit()
    return user


def end_session(session: Session, sid: str) -> None:
    """End a session for good: its cookie no longer opens anything."""
    begin_write(session)
    session.execute(delete(StaffSession).where(StaffSession.id == sid))
    session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, name: str, *, days: int = 90, now: datetime | None = None
) -> str:
    """Create an API token for the named user, valid ``days``; shown only once."""
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise AccountError(f"no user named {name!r}")
    if not user.active:
        raise AccountError(f"the account {name!r} is disabled; enable it first")
    if not 1 <= days <= 3660:
        raise AccountError("a token lives from 1 to 3660 days")
    now = now or datetime.now(UTC)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    begin_write(session)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.commit()
    return token


def token_in_force(row: ApiToken, now: datetime) -> bool:
    """True while a token is neither revoked nor expired."""
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > now)


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """Return the active user an API token in force belongs to, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or not token_in_force(row, now):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        begin_write(session)
        row = session.get(ApiToken, row.id)
        row.last_used_at = now
        session.commit()
    return user


@dataclass(frozen=True)
class TokenListing:
    """One token as the operator sees it (never the token itself)."""

    id: int
    user_name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """``revoked``, ``expired`` or ``active``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def list_tokens(session: Session) -> list[TokenListing]:
    """Every API token with its owner, newest first."""
    rows = session.execute(
        select(ApiToken, User.name)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id.desc())
    ).all()
    return [
        TokenListing(t.id, name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at)
        for t, name in rows
    ]


def revoke_tokens(
    session: Session,
    *,
    token_id: int | None = None,
    token: str | None = None,
    user_name: str | None = None,
    now: datetime | None = None,
) -> int:
    """Revoke one token (by id or the token itself) or every token of an account.

    Returns how many tokens were revoked now; raises AccountError when none matches.
    """
    now = now or datetime.now(UTC)
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    elif token is not None:
        query = query.where(ApiToken.token_hash == _token_hash(token.strip()))
    elif user_name is not None:
        user = session.scalar(select(User).where(User.name == user_name.strip()))
        if user is None:
            raise AccountError(f"no user named {user_name!r}")
        query = query.where(ApiToken.user_id == user.id)
    else:
        raise AccountError("name a token (its id or the token) or an account")
    begin_write(session)
    rows = list(session.scalars(query))
    if not rows and user_name is None:
        session.rollback()
        raise AccountError("no token in force matches (unknown, or revoked already)")
    for row in rows:
        row.revoked_at = now
    session.commit()
    return len(rows)


def set_user_active(session: Session, name: str, active: bool) -> User:
    """Disable (or enable again) an account; disabling ends its sessions at once.

    A disabled account can neither log in nor use its tokens; its rows stay for the
    audit log.
    """
    user = session.scalar(select(User).where(User.name == name.strip()))
    if user is None:
        raise AccountError(f"no user named {name!r}")
    begin_write(session)
    user = session.get(User, user.id)
    user.active = active
    if not active:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    """Every staff account by name."""
    return list(session.scalars(select(User).order_by(User.name)))


# Query parameters that may be written to the audit log: codes and dates, never free text.
AUDITABLE_FILTERS = frozenset(
    {
        "from",
        "to",
        "category",
        "time_of_day",
        "kind",
        "weekend",
        "status",
        "area",
        "layer",
        "weekday",
        "from_hour",
        "to_hour",
        "stops",
        "page",
        "cold",
        "format",
        # The audit log's own filters: an account name and action codes, never free text.
        "user",
        "action",
        "source",
    }
)


def audit_filter(args: Mapping[str, str]) -> str | None:
    """The query's filter as JSON, keeping only known code-valued parameters, shortened.

    A repeated parameter (``layer=hotspots&layer=density``) is kept whole, as a list in
    the order given; a single one stays a plain string.
    """
    kept: dict[str, str | list[str]] = {}
    for key in args:
        if key not in AUDITABLE_FILTERS:
            continue
        values = args.getlist(key) if hasattr(args, "getlist") else [args[key]]
        values = [str(v)[:32] for v in values][:20]
        kept[key] = values[0] if len(values) == 1 else values
    return json.dumps(kept, sort_keys=True, ensure_ascii=False) if kept else None


def record_event(
    session: Session,
    *,
    action: str,
    user_name: str | None,
    role: str | None,
    target: str | None = None,
    filter_json: str | None = None,
    rows: int | None = None,
) -> None:
    """Append one event to the audit log in its own transaction."""
    begin_write(session)
    session.add(
        AuditEvent(
            at=datetime.now(UTC),
            user_name=(user_name or "")[:64] or None,
            role=role,
            action=action,
            target=(target or "")[:120] or None,
            filter=filter_json,
            rows=rows,
        )
    )
    session.commit()


def audit_events(session: Session, limit: int = 500) -> list[AuditEvent]:
    """The newest audit events first."""
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
