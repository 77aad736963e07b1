"""Engines: SQLite writers queue for their turn in the kernel, not in SQLite's busy handler."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from geoservice.store import db
from geoservice.store.db import make_engine, write_turn
from tests.conftest import postgres_test_url

TRY_TURN = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(3)
"""


def other_process_gets_the_turn(lock_path) -> bool:
    result = subprocess.run([sys.executable, "-c", TRY_TURN, str(lock_path)], check=False)
    assert result.returncode in (0, 3)
    return result.returncode == 0


@pytest.mark.skipif(sys.platform != "linux", reason="flock is the Linux deployment's")
def test_a_sqlite_writer_holds_the_turn_until_it_is_done(tmp_path):
    database = tmp_path / "t.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    lock_path = tmp_path / "t.sqlite3-writelock"
    with write_turn(engine):
        assert lock_path.exists()
        assert not other_process_gets_the_turn(lock_path)
    assert other_process_gets_the_turn(lock_path)
    with pytest.raises(RuntimeError), write_turn(engine):
        raise RuntimeError("a failed write gives the turn back too")
    assert other_process_gets_the_turn(lock_path)
    engine.dispose()


def test_an_in_memory_database_takes_no_turn():
    engine = make_engine("sqlite://")  # one process only: nothing to queue for
    before = dict(db._write_locks)
    with write_turn(engine):
        assert db._write_locks == before


needs_postgres = pytest.mark.skipif(
    postgres_test_url() is None, reason="GEOSERVICE_TEST_DATABASE_URL does not point at PostgreSQL"
)


@needs_postgres
def test_a_pooled_connection_is_tested_only_after_lying_idle(monkeypatch):
    engine = make_engine(postgres_test_url())
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    for _ in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert len(pings) == 1  # the new connection only; it came back at once each time
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    assert len(pings) == 2
    engine.dispose()


@needs_postgres
def test_a_connection_the_server_dropped_while_idle_is_replaced(monkeypatch):
    engine = make_engine(postgres_test_url())
    with engine.connect() as connection:
        dropped = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    other = make_engine(postgres_test_url())
    with other.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(dropped)})")
    other.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT pg_backend_pid()").scalar() != dropped
    engine.dispose()


@pytest.mark.skipif(sys.platform != "linux", reason="flock is the Linux deployment's")
def test_threads_of_one_process_take_turns_too(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    order = []

    def second_writer() -> None:
        with write_turn(engine):
            order.append("second")

    with write_turn(engine):
        other = threading.Thread(target=second_writer)
        other.start()
        other.join(0.3)
        assert other.is_alive()  # waiting for its turn
        order.append("first")
    other.join(5)
    assert order == ["first", "second"]
    engine.dispose()
