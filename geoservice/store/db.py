"""Engine and per-request sessions, bound to the Flask app without Flask-SQLAlchemy."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

_EXTENSION = "geoservice.db"


def _configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout and immediate write transactions: concurrent writers wait, not fail."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling is off so that BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MB of page cache: the indexes of a million concerns stay in memory.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# A pooled server connection unused for longer than this is tested before it is handed out.
PING_AFTER_IDLE_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before use when it has lain idle (the server may be gone).

    SQLAlchemy's ``pool_pre_ping`` tests it at every checkout: a round trip to the server
    per request, a seventh of a busy worker's time. A connection handed back within the
    last second was working then; if the server went down since, the request fails and
    SQLAlchemy renews the whole pool, as it does for any lost connection.
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_if_idle(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool throws this connection away and hands out a new one.
            raise DisconnectionError("the pooled connection no longer answers") from exc


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the settings its dialect needs."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    else:
        _ping_after_idle(engine)
    return engine


def init_app(app: Flask) -> None:
    """Create the app's engine and close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[_EXTENSION] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_for(app: Flask) -> Engine:
    """Return the engine the app was configured with."""
    return app.extensions[_EXTENSION].kw["bind"]


# Per process (a forked worker must open its own: flock belongs to the open file), with a
# thread lock: threads of one process share the open file, so flock does not part them.
_write_locks: dict[tuple[int, str], tuple[int, threading.Lock]] = {}
_write_locks_guard = threading.Lock()


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """SQLite: queue for the write lock in the kernel before taking SQLite's.

    SQLite's busy handler sleeps 1, 2, 5, 10 ... ms between tries, so writers from several
    workers that contend for the lock leave the cores idle while requests queue; a blocking
    ``flock`` on a file beside the database wakes the next writer the moment the lock is
    free. Writers that do not take a turn still wait in SQLite's busy handler: slower, as
    safe. Other databases: nothing to do.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    key = (os.getpid(), database)
    with _write_locks_guard:
        if key not in _write_locks:
            descriptor = os.open(f"{database}-writelock", os.O_RDWR | os.O_CREAT, 0o600)
            _write_locks[key] = (descriptor, threading.Lock())
        descriptor, thread_lock = _write_locks[key]
    with thread_lock:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def begin_write(session: Session) -> None:
    """Start ``session``'s transaction as a writer (SQLite: take the write lock up front).

    A deferred SQLite transaction that reads and then writes fails with "database is
    locked" when another process wrote in between; taking the lock first makes it wait.
    A transaction already open (the request's earlier reads) is ended first, so each write
    is its own unit of work.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={"sqlite_immediate": True})


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[_EXTENSION]()
    return g.db_session


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session outside a request (CLI, tests) that commits or rolls back as a whole."""
    session = app.extensions[_EXTENSION]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
