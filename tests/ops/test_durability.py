"""No concern is lost or stored twice when gunicorn workers die in the middle of requests.

The app runs under gunicorn with three workers on loopback: sync workers, and gthread
workers with four threads each (where one kill may cut off several requests at once).
Client processes submit concerns, each with its own idempotency key, and retry a failed
attempt with the same key and body, as the resident's page does; meanwhile a thread
SIGKILLs workers (gunicorn starts new ones). Afterwards the database must hold every
acknowledged concern exactly once, with the receipt the client was given.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Collection
from pathlib import Path

import pytest
from sqlalchemy import select, text

from geoservice import create_app
from geoservice.cli import production_command
from geoservice.store import schema
from geoservice.store.db import engine_for, make_engine
from geoservice.store.models import Report
from geoservice.store.reports import receipt_digest
from tests.conftest import postgres_test_url

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="finds gunicorn's workers in /proc and forks its clients"
)

SERVING_SECRET = "durability-test-secret"

WORKERS = 3
CLIENTS = 4
PER_CLIENT = 60
# Clients go on past PER_CLIENT while the killer still has kills to make, up to this many.
MAX_PER_CLIENT = 5 * PER_CLIENT
# Kill a worker when this share of all submissions has been answered ...
KILL_AT = (0.1, 0.3, 0.5, 0.7)
# ... and, while no kill has yet interrupted a request, again at each of these: a kill can
# land between two requests, and the run must prove that interrupted ones are retried.
EXTRA_KILL_AT = (0.75, 0.8, 0.85, 0.9, 0.95)
MAX_ATTEMPTS = 10
ATTEMPT_TIMEOUT_S = 20
RUN_TIMEOUT_S = 120
KEY_PREFIX = "durability-"
SS = shutil.which("ss")  # iproute2's socket statistics
CATEGORIES = ("drugs", "lighting", "vandalism", "disorder", "harassment", "traffic")
TIME_BANDS = ("day", "evening", "night", "unknown")


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=pytest.mark.skipif(
            postgres_test_url() is None,
            reason="GEOSERVICE_TEST_DATABASE_URL does not point at PostgreSQL",
        ),
    ),
]


# --- processes -------------------------------------------------------------------------


def worker_pids(master: int) -> list[int]:
    """The live children of gunicorn's master process: its workers."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return [c.pid for c in psutil.Process(master).children() if c.status() != "zombie"]
        except psutil.NoSuchProcess:
            return []
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ')'.
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == master and state != "Z":
            pids.append(int(entry.name))
    return pids


def serving_workers(pids: list[int], port: int) -> list[int]:
    """Those of ``pids`` that hold a client connection to ``port`` not yet answered in full.

    A sync worker holds one while it serves a request. Once it has sent the answer it
    shuts its side down (the socket leaves ESTABLISHED) and lingers for the client's close:
    killing it then would interrupt nothing. Its listening socket and its database
    connections do not count.
    """
    established = _established_inodes(port)
    serving = []
    for pid in pids:
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:  # the worker ended while we looked
            continue
        if any(link[len("socket:[") : -1] in established for link in links):
            serving.append(pid)
    return serving


def _established_inodes(port: int) -> set[str]:
    """Socket inodes of the established connections to ``port`` on this machine.

    Asks the kernel through ``ss`` (sock_diag, filtered in the kernel: a few milliseconds);
    reading /proc/net/tcp instead takes tens of milliseconds once thousands of earlier
    connections wait in TIME_WAIT, by which time the request is long answered.
    """
    listing = subprocess.run(
        [SS, "-Htne", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(re.findall(r"\bino:(\d+)", listing))


def zombie_children(parent: int) -> list[int]:
    """Children of ``parent`` that ended but were never waited for."""
    zombies = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
            except OSError:
                continue
            if int(ppid) == parent and state == "Z":
                zombies.append(int(entry.name))
    return zombies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ATTEMPT_TIMEOUT_S)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def post_json(port: int, path: str, payload: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ATTEMPT_TIMEOUT_S)
    try:
        conn.request("POST", path, body=payload, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the resident's side: runs in forked client processes --------------------------------


def submit_with_retries(port: int, body: dict) -> dict:
    """Send ``body`` until it gets an answer; every retry re-sends the same key and body."""
    payload = json.dumps(body).encode()
    attempts: list[str] = []
    for attempt in range(MAX_ATTEMPTS):
        try:
            status, data = post_json(port, "/api/v1/reports", payload)
        except (OSError, http.client.HTTPException) as exc:
            # A killed worker resets the connection or closes it without an answer.
            attempts.append(type(exc).__name__)
            with _interrupted.get_lock():
                _interrupted.value += 1
            time.sleep(0.05 * (attempt + 1))
            continue
        attempts.append(str(status))
        if status >= 500:
            time.sleep(0.05 * (attempt + 1))
            continue
        answer = json.loads(data) if status == 201 else None
        return {
            "key": body["idempotency_key"],
            "status": status,
            "answer": answer,
            "attempts": attempts,
        }
    return {"key": body["idempotency_key"], "status": None, "answer": None, "attempts": attempts}


def concern(rng: random.Random, key: str) -> dict:
    """A valid concern near Mellerud's town centre."""
    body = {
        "lat": round(58.7005 + rng.uniform(-0.004, 0.004), 6),
        "lon": round(12.4535 + rng.uniform(-0.006, 0.006), 6),
        "category": rng.choice(CATEGORIES),
        "time_of_day": rng.choice(TIME_BANDS),
        "idempotency_key": key,
    }
    if rng.random() < 0.3:
        body["description"] = "Mörkt och öde vid gångtunneln."
    return body


# Submissions answered so far, attempts cut off by a kill, over all clients, and whether
# the killer is still at work (1) or done (0); handed to each client process as it starts.
_answered = None
_interrupted = None
_killing = None


def share_counters(answered, interrupted, killing) -> None:
    global _answered, _interrupted, _killing
    _answered, _interrupted, _killing = answered, interrupted, killing


def run_client(port: int, client_no: int, count: int, run_id: str) -> list[dict]:
    """Submit concerns one after the other, counting each answered one.

    At least ``count``, and more while the killer has not made its kills yet: a slow
    look at the workers must not let the run end before they are killed.
    """
    rng = random.Random(f"{run_id}-{client_no}")
    outcomes = []
    i = 0
    while i < count or (_killing.value and i < MAX_PER_CLIENT):
        body = concern(rng, f"{KEY_PREFIX}{run_id}-{client_no}-{i:03d}")
        outcomes.append(submit_with_retries(port, body) | {"body": body})
        with _answered.get_lock():
            _answered.value += 1
        i += 1
    return outcomes


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A freshly migrated, empty database of the backend under test."""
    if request.param == "postgresql":
        url = postgres_test_url()
    else:
        url = f"sqlite:///{tmp_path / 'durability.sqlite3'}"
    app = create_app(
        {"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "setup"), "SECRET_KEY": "setup"}
    )
    engine = engine_for(app)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    schema.upgrade(engine)
    # Nothing may stay open across the fork of the client processes.
    engine.dispose()
    return url


@pytest.fixture(params=[1, 4], ids=["sync", "threads"])
def threads(request) -> int:
    """Threads per worker: gunicorn's sync workers, or its gthread workers (``--threads``)."""
    return request.param


@pytest.fixture
def gunicorn(database_url, threads, tmp_path):
    """Serve the app with gunicorn on a free loopback port; yield (master pid, port)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOSERVICE_")}
    env |= {
        "GEOSERVICE_DATABASE_URL": database_url,
        "GEOSERVICE_SECRET_KEY": SERVING_SECRET,
        "GEOSERVICE_PRODUCTION": "true",
        "GEOSERVICE_RATELIMIT_ENABLED": "false",
        "GEOSERVICE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    gunicorn_script = str(Path(sys.executable).parent / "gunicorn")
    command = production_command(gunicorn_script, "127.0.0.1", port, WORKERS, threads)
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        master = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_healthy(master, port, log_path)
            yield master.pid, port
        finally:
            master.send_signal(signal.SIGTERM)
            try:
                returncode = master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in worker_pids(master.pid):
                    os.kill(pid, signal.SIGKILL)
                master.kill()
                master.wait()
                pytest.fail(f"gunicorn did not stop within 30 s of SIGTERM:\n{_tail(log_path)}")
    assert returncode == 0, _tail(log_path)
    assert worker_pids(master.pid) == [], "workers outlived their master"


def _wait_until_healthy(master: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if master.poll() is not None:
            pytest.fail(f"gunicorn exited with {master.returncode}:\n{_tail(log_path)}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer /healthz within 60 s:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_for_workers(
    master: int, count: int, gone: Collection[int] = (), timeout: float = 60
) -> list[int]:
    """The master's workers once there are ``count`` of them and none of ``gone`` is left
    (a killed worker is listed until it has exited); or whatever there are at timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = worker_pids(master)
        if len(pids) == count and not set(pids) & set(gone):
            break
        time.sleep(0.1)
    return pids


# --- the test ----------------------------------------------------------------------------


def test_killed_workers_lose_and_duplicate_no_concern(gunicorn, database_url, threads):
    assert SS, "needs `ss` (Debian's iproute2) to find workers in the middle of a request"
    master, port = gunicorn
    original_workers = _wait_for_workers(master, WORKERS)
    assert len(original_workers) == WORKERS
    run_id = uuid.uuid4().hex[:8]
    total = CLIENTS * PER_CLIENT

    # Fork the clients before the killer thread exists: forking a threaded process is unsafe.
    context = multiprocessing.get_context("fork")
    answered, interrupted = context.Value("i", 0), context.Value("i", 0)
    killing = context.Value("i", 1)
    pool = context.Pool(CLIENTS, share_counters, (answered, interrupted, killing))
    stop = threading.Event()
    killed: list[int] = []
    killer = threading.Thread(
        target=_kill_workers,
        args=(master, port, total, (answered, interrupted, killing), stop, killed),
    )
    try:
        pending = pool.starmap_async(
            run_client, [(port, n, PER_CLIENT, run_id) for n in range(CLIENTS)]
        )
        killer.start()
        outcomes = [o for client in pending.get(timeout=RUN_TIMEOUT_S) for o in client]
    except BaseException:
        pool.terminate()  # clients may still be stuck in a request
        raise
    finally:
        stop.set()
        if killer.is_alive():
            killer.join()
        pool.close()
        pool.join()

    attempts = Counter(a for o in outcomes for a in o["attempts"])
    retried = sum(len(o["attempts"]) > 1 for o in outcomes)
    print(
        f"\n{database_url.split(':')[0]}, {threads} thread(s) per worker: {len(outcomes)} "
        f"concerns, workers killed {len(killed)}, {retried} needed a retry; "
        f"attempts by outcome {dict(attempts)}"
    )

    # The kills happened during the run and gunicorn replaced every killed worker.
    assert len(KILL_AT) <= len(killed) <= len(KILL_AT) + len(EXTRA_KILL_AT)
    assert retried >= 1, "no kill interrupted a request: the run proved nothing"
    workers_now = _wait_for_workers(master, WORKERS, gone=killed)
    assert len(workers_now) == WORKERS and not set(killed) & set(workers_now)

    # No attempt ever got a server error; each concern that got an answer got 201.
    server_errors = [
        o for o in outcomes if any(a.isdigit() and int(a) >= 500 for a in o["attempts"])
    ]
    assert server_errors == [], server_errors[:5]
    answered_outcomes = [o for o in outcomes if o["status"] is not None]
    assert [o for o in answered_outcomes if o["status"] != 201] == []
    unanswered = {o["key"] for o in outcomes if o["status"] is None}
    # Retries with the same key always got through while gunicorn replaced its workers.
    assert unanswered == set(), [o for o in outcomes if o["key"] in unanswered][:5]

    stored = _stored_by_key(database_url, f"{KEY_PREFIX}{run_id}-")
    counts = Counter(key for key, _receipt, _id in stored)
    assert [key for key, n in counts.items() if n > 1] == [], "a key was stored twice"
    rows = {key: (receipt, row_id) for key, receipt, row_id in stored}

    acknowledged = {o["key"]: o["answer"] for o in answered_outcomes}
    assert len(acknowledged) == len(answered_outcomes), "a client reused a key"
    lost = [key for key in acknowledged if key not in rows]
    assert lost == [], f"acknowledged but not stored: {lost[:5]}"
    wrong = [
        key
        for key, answer in acknowledged.items()
        if rows[key] != (receipt_digest(SERVING_SECRET, answer["receipt"]), answer["id"])
    ]
    assert wrong == [], f"stored receipt differs from the one the client got: {wrong[:5]}"
    # Nothing stored that nobody sent; unanswered ones (none expected) at most once.
    assert set(rows) <= set(acknowledged) | unanswered
    assert len(stored) == len(acknowledged) + len(unanswered & set(rows))

    # The same key with a different concern is refused; with the same one, answered again.
    first = answered_outcomes[0]
    status, data = post_json(port, "/api/v1/reports", json.dumps(first["body"]).encode())
    assert (status, json.loads(data)) == (201, first["answer"])
    other = first["body"] | {
        "category": "theft" if first["body"]["category"] != "theft" else "other"
    }
    status, data = post_json(port, "/api/v1/reports", json.dumps(other).encode())
    assert status == 409
    assert "idempotency_key" in json.loads(data)["errors"]
    assert len(_stored_by_key(database_url, f"{KEY_PREFIX}{run_id}-")) == len(stored)

    assert zombie_children(os.getpid()) == []


def _kill_workers(
    master: int,
    port: int,
    total: int,
    counters: tuple,
    stop: threading.Event,
    killed: list[int],
) -> None:
    """SIGKILL a worker in the middle of a request each time the answered share passes a mark.

    The extra marks count only while no client has yet seen an attempt cut off. Tells the
    clients when it is done, so that they stop.
    """
    answered, interrupted, killing = counters
    marks = list(KILL_AT)
    extra = list(EXTRA_KILL_AT)
    try:
        while not stop.wait(0.001):
            if not marks:
                if not extra or interrupted.value:
                    return
                marks.append(extra.pop(0))
            if answered.value < marks[0] * total:
                continue
            # A worker killed a moment ago may still be listed until its master reaps it.
            candidates = [pid for pid in worker_pids(master) if pid not in killed]
            busy = serving_workers(candidates, port)
            if not busy:  # look again in a millisecond
                continue
            victim = random.choice(busy)
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:  # it ended on its own meanwhile: look again
                continue
            killed.append(victim)
            marks.pop(0)
    finally:
        killing.value = 0


def _stored_by_key(database_url: str, prefix: str) -> list[tuple[str, str, str]]:
    """(idempotency key, receipt hash, id) of every concern whose key starts with ``prefix``."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(Report.idempotency_key, Report.receipt_hash, Report.id).where(
                Report.idempotency_key.startswith(prefix, autoescape=True)
            )
            return [tuple(row) for row in conn.execute(query)]
    finally:
        engine.dispose()
