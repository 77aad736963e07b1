"""Capacity of the production server: sustained submissions/s and latency at 200 requests/s.

Starts ``geoservice serve --production --workers 2`` on loopback over a database holding
1,000,000 synthetic concerns, then drives it with an open-loop load generator (requests
leave at a fixed rate whatever the answers do, and each latency is counted from the moment
the request was due, so a slow server cannot hide its queue):

(a) a ramp of submission rates, each step bounded in count and time, to find the highest
    rate the server sustains: every request answered 201, p99 under 100 ms, no queue;
(b) p50/p99 latency at 200 requests/s of ``POST /api/v1/reports`` and of
    ``GET /api/v1/areas``, and of the aggregate while concerns keep arriving.

Every step is checked against the database: each 201 is one stored row. Only 127.0.0.1.

Baseline in the same run, right before each backend: the same command and ramp serving
``floor_app`` (read the body, parse the JSON, answer 201), the floor that gunicorn, the
kernel and the generator set on this machine at that moment. The ratio line compares the
sustained rates and the server CPU per request.

Run: ``.venv/bin/python bench/load.py [--backend sqlite|postgresql|both]
[--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]``. PostgreSQL gets its
own database (``geoservice_bench``, created and dropped on that server).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from geoservice import create_app
from geoservice.cli import production_command
from geoservice.core.categories import CATEGORY_CODES, TIME_BANDS
from geoservice.store import schema
from geoservice.store.db import engine_for, make_engine
from geoservice.store.demo import add_demo_reports
from geoservice.store.models import Report

HOST = "127.0.0.1"
BENCH_DATABASE = "geoservice_bench"
REQUEST_TIMEOUT_S = 10.0
MAX_IN_FLIGHT = 4000
# A rate counts as sustained when every answer is 201 and p99 stays under this (the goal
# for submissions at 200/s), so that no queue is building up.
SUSTAINED_P99_MS = 100


# --- the load generator ------------------------------------------------------------------


@dataclass
class StepResult:
    """What one open-loop step measured."""

    name: str
    rate: float
    sent: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    max_launch_lag_ms: float = 0.0
    generator_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    database_cpu_s: float = 0.0
    machine_busy_s: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status in {"200", "201"})

    @property
    def errors(self) -> int:
        return self.sent - self.ok

    @property
    def achieved(self) -> float:
        return self.ok / self.wall_s if self.wall_s else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    def line(self) -> str:
        return (
            f"{self.name:<28} offered {self.rate:6.0f}/s  answered {self.achieved:6.0f}/s  "
            f"n={self.sent:<6} errors={self.errors:<5} p50={self.percentile(0.5):7.1f} ms  "
            f"p99={self.percentile(0.99):7.1f} ms  max={self.percentile(1.0):7.1f} ms  "
            f"launch lag max={self.max_launch_lag_ms:5.1f} ms  "
            f"cpu gen={self.generator_cpu_s:5.1f} s server={self.server_cpu_s:5.1f} s "
            f"db={self.database_cpu_s:5.1f} s machine={self.machine_busy_s:5.1f} s  "
            f"statuses={self.statuses}"
        )


def run_loop(coroutine) -> None:
    """Run the generator on uvloop (libuv's event loop in C) when it is installed."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


class _Exchange(asyncio.Protocol):
    """One request on its own connection, closed as soon as the whole answer is in.

    A bare protocol rather than asyncio's streams: the generator shares the two cores with
    the server, and every microsecond it spends is one the server does not get. Closing on
    the last byte, as a proxy does, rather than waiting for the server's close: gunicorn's
    sync worker waits for the client's close before it takes the next request.
    """

    def __init__(self, raw: bytes, answered: asyncio.Future) -> None:
        self.raw = raw
        self.answered = answered
        self.received = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        transport.write(self.raw)

    def data_received(self, data: bytes) -> None:
        self.received += data
        head, separator, body = self.received.partition(b"\r\n\r\n")
        if not separator or not head.startswith(b"HTTP/1.") or self.answered.done():
            return
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if length is None or len(body) >= int(length.group(1)):
            self.answered.set_result(head[9:12].decode())
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.answered.done():
            self.answered.set_result(type(exc).__name__ if exc else "no-answer")


async def _timed(port: int, raw: bytes, due: float, result: StepResult) -> None:
    """Send one request on a new connection; count its status (or error) and latency."""
    loop = asyncio.get_running_loop()
    answered = loop.create_future()
    transport = None
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            transport, _ = await loop.create_connection(
                lambda: _Exchange(raw, answered), HOST, port
            )
            status = await answered
    except TimeoutError:
        status = "timeout"
    except OSError as exc:
        status = type(exc).__name__
    finally:
        if transport is not None:
            transport.close()
    result.latencies_ms.append((time.perf_counter() - due) * 1000)
    result.statuses[status] = result.statuses.get(status, 0) + 1


async def open_loop(port: int, requests: list[bytes], rate: float, result: StepResult) -> None:
    """Launch ``requests`` at ``rate`` per second, never waiting for earlier answers."""
    tasks: set[asyncio.Task] = set()
    # perf_counter, not loop.time(): uvloop's clock counts whole milliseconds.
    start = time.perf_counter() + 0.05
    for i, raw in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lag_ms = (time.perf_counter() - due) * 1000
        result.max_launch_lag_ms = max(result.max_launch_lag_ms, lag_ms)
        if len(tasks) >= MAX_IN_FLIGHT:  # bounded: the server is hopelessly behind
            result.statuses["dropped"] = result.statuses.get("dropped", 0) + 1
            continue
        task = asyncio.create_task(_timed(port, raw, due, result))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(set(tasks))
    result.wall_s = time.perf_counter() - start


def run_step(
    name: str, port: int, requests: list[bytes], rate: float, server: Server
) -> StepResult:
    result = StepResult(name=name, rate=rate, sent=len(requests))
    before = cpu_now(server)
    run_loop(open_loop(port, requests, rate, result))
    record_cpu(result, before, cpu_now(server))
    print(result.line(), flush=True)
    return result


def cpu_now(server: Server) -> tuple[float, float, float, float]:
    """CPU seconds so far: generator, server, database processes, and the machine busy."""
    return time.process_time(), server.cpu_seconds(), postgres_cpu_seconds(), machine_busy()


def record_cpu(result: StepResult, before: tuple, after: tuple) -> None:
    spent = [b - a for a, b in zip(before, after, strict=True)]
    (
        result.generator_cpu_s,
        result.server_cpu_s,
        result.database_cpu_s,
        result.machine_busy_s,
    ) = spent


def _process_cpu(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """User + system CPU time of this machine's PostgreSQL processes (0 with SQLite)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if stat[stat.index("(") + 1 :].startswith("postgres"):
                total += _process_cpu(stat)
    return total


def machine_busy() -> float:
    """CPU seconds all cores spent on anything but idling (kernel work included)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def submission(run_id: str, i: int, rng: random.Random) -> bytes:
    """A valid concern near Mellerud's town centre with its own idempotency key."""
    body = json.dumps(
        {
            "lat": round(58.7005 + rng.uniform(-0.004, 0.004), 6),
            "lon": round(12.4535 + rng.uniform(-0.006, 0.006), 6),
            "category": rng.choice(CATEGORY_CODES),
            "time_of_day": rng.choice(TIME_BANDS),
            "idempotency_key": f"bench-{run_id}-{i:07d}",
        }
    ).encode()
    head = (
        f"POST /api/v1/reports HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class Submissions:
    """Batches of valid submissions whose keys continue where the last batch ended."""

    def __init__(self, run_id: str, seed: int) -> None:
        self.run_id, self.rng, self.sent = run_id, random.Random(seed), 0

    def __call__(self, n: int) -> list[bytes]:
        batch = [submission(self.run_id, self.sent + i, self.rng) for i in range(n)]
        self.sent += n
        return batch


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()


# --- the server and its database ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """``geoservice serve --production`` in a subprocess, logging to a file."""

    def __init__(
        self, database_url: str | None, folder: Path, workers: int, threads: int = 1
    ) -> None:
        """``database_url`` None: the baseline, ``floor_app`` under the same command."""
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GEOSERVICE_")}
        if database_url is not None:
            env |= {
                "GEOSERVICE_DATABASE_URL": database_url,
                "GEOSERVICE_SECRET_KEY": "bench-secret-" + os.urandom(8).hex(),
                "GEOSERVICE_RATELIMIT_ENABLED": "false",
                "GEOSERVICE_INSTANCE_PATH": str(folder / "instance"),
            }
            command = [
                str(Path(sys.executable).parent / "geoservice"),
                "serve",
                "--production",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--host",
                HOST,
                "--port",
                str(self.port),
            ]
            self.health_path = "/healthz"
        else:
            # What ``serve --production`` executes, with the floor app in place of ours.
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            command = production_command(gunicorn, HOST, self.port, workers, threads)
            assert command[-1] == "geoservice:create_app()"
            command[-1:] = ["--pythonpath", str(Path(__file__).parent), "floor_app:app"]
            self.health_path = "/"
        self.log_path = folder / ("server.log" if database_url else "floor.log")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=folder, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log_path}")
            try:
                url = f"http://{HOST}:{self.port}{self.health_path}"
                with urllib.request.urlopen(url, timeout=5):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"server did not answer {self.health_path}: see {self.log_path}")
        # Every worker has imported the app once it answers; give the others a moment.
        time.sleep(3)

    def pids(self) -> list[int]:
        pids = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                except OSError:
                    continue
                if int(ppid) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far."""
        total = 0.0
        for pid in self.pids():
            try:
                total += _process_cpu(Path(f"/proc/{pid}/stat").read_text())
            except OSError:
                continue
        return total

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def create_postgres_database(url: str) -> str:
    """(Re)create the bench's own database on ``url``'s server; return its URL."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        conn.exec_driver_sql(f"CREATE DATABASE {BENCH_DATABASE}")
    admin.dispose()
    return make_url(url).set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def bench_database(backend: str, folder: Path, postgres_url: str) -> str:
    """An empty database for a bench: a file in ``folder``, or the bench's own on PostgreSQL."""
    if backend == "postgresql":
        return create_postgres_database(postgres_url)
    return f"sqlite:///{folder / 'bench.sqlite3'}"


def drop_postgres_database(url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
    admin.dispose()


def fill(database_url: str, folder: Path, count: int) -> int:
    """Migrate the schema and store at least ``count`` synthetic concerns."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    engine = engine_for(app)
    schema.upgrade(engine)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    stored, seed = 0, 20261127
    while stored < count:
        # Points that fall outside every area are dropped, so top up until there are enough.
        stored += add_demo_reports(
            app, count=count - stored, start=end - timedelta(days=730), end=end, seed=seed
        )
        seed += 1
    if engine.dialect.name == "postgresql":
        # What an operator runs after a bulk import (autovacuum would, a little later).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE reports")
    engine.dispose()
    return stored


def settled_count(database_url: str, prefix: str, timeout: float = 120) -> int:
    """The bench's stored rows once the server has worked off its queue."""
    deadline = time.monotonic() + timeout
    last, stable_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = stored_with_prefix(database_url, prefix)
        if count != last:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since >= 3:
            break
        time.sleep(0.5)
    return last


def stored_with_prefix(database_url: str, prefix: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(
                select(func.count())
                .select_from(Report)
                .where(Report.idempotency_key.startswith(prefix, autoescape=True))
            )
    finally:
        engine.dispose()


# --- the bench ---------------------------------------------------------------------------


def bench_backend(backend: str, args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-load-{backend}-"))
    database_url = bench_database(backend, folder, args.postgres_url)
    report: dict = {"backend": backend}
    server = None
    try:
        started = time.perf_counter()
        report["stored"] = fill(database_url, folder, args.count)
        report["fill_s"] = time.perf_counter() - started
        print(f"{backend}: stored {report['stored']:,} concerns in {report['fill_s']:.0f} s")
        floor = measure_floor(folder, args)
        report["floor"] = floor
        server = Server(database_url, folder, args.workers, args.threads)
        submissions = Submissions(os.urandom(4).hex(), seed=7)

        # (a) the ramp: the highest rate with every request answered 201 and no queue.
        report["ramp"], report["sustained"] = ramp("ramp POST", server, submissions, args)
        print(compare_with_floor(report, floor), flush=True)

        # (b) latency at the fixed rate, each endpoint on its own.
        n = int(args.latency_rate * args.latency_seconds)
        time.sleep(2)
        report["post"] = run_step(
            f"POST /reports {args.latency_rate}/s",
            server.port,
            submissions(n),
            args.latency_rate,
            server,
        )
        areas = get_request("/api/v1/areas")
        # Each worker computes the aggregate once after the writes; then it is cached.
        run_step("warm-up GET /areas", server.port, [areas] * 20, 10, server)
        report["areas"] = run_step(
            f"GET /areas {args.latency_rate}/s",
            server.port,
            [areas] * n,
            args.latency_rate,
            server,
        )
        # And the aggregate while concerns keep arriving: every write ends the cache.
        report["mixed"] = mixed_step(server, submissions, areas, args)

        report["acknowledged"] = sum(
            step.statuses.get("201", 0)
            for step in [*report["ramp"], report["post"], report["mixed"][0]]
        )
        report["stored_by_bench"] = settled_count(database_url, f"bench-{submissions.run_id}-")
        # Each 201 is a stored row; a request the generator gave up on (timeout) may still
        # have been stored when a worker reached it, but never twice (unique keys).
        print(
            f"{backend}: {submissions.sent:,} submissions sent, "
            f"{report['acknowledged']:,} answered 201, "
            f"{report['stored_by_bench']:,} stored with the bench's keys"
        )
    finally:
        if server is not None:
            server.stop()
        if backend == "postgresql":
            drop_postgres_database(args.postgres_url)
        shutil.rmtree(folder, ignore_errors=True)
    return report


def ramp(name: str, server: Server, submissions, args: argparse.Namespace):
    """Step through ``args.rates``; the highest rate answered all 201 with no queue."""
    steps, sustained = [], 0
    for rate in args.rates:
        n = int(rate * args.step_seconds)
        step = run_step(f"{name} {rate}/s", server.port, submissions(n), rate, server)
        steps.append(step)
        # Kept up: p99 within the submission goal (a queue would drive it up) and the last
        # answer within half a second of the last request's launch.
        keeps_up = step.percentile(0.99) < SUSTAINED_P99_MS and step.wall_s <= n / rate + 0.5
        if step.errors or not keeps_up:
            break
        sustained = rate
        time.sleep(2)
    return steps, sustained


def measure_floor(folder: Path, args: argparse.Namespace) -> dict:
    """The baseline: the same production command and ramp serving ``floor_app``.

    Run right before each backend, so both see the machine in the same state (its speed
    drifts by a third within a session here).
    """
    submissions = Submissions("floor-" + os.urandom(4).hex(), seed=11)
    server = Server(None, folder, args.workers, args.threads)
    try:
        steps, sustained = ramp("floor POST", server, submissions, args)
    finally:
        server.stop()
    return {"ramp": steps, "sustained": sustained}


def server_ms_per_request(step: StepResult) -> float:
    return 1000 * step.server_cpu_s / step.sent if step.sent else float("nan")


def compare_with_floor(report: dict, floor: dict) -> str:
    """The ratio line: our sustained rate and server CPU per request against the floor's."""
    ours = {step.rate: step for step in report["ramp"]}
    theirs = {step.rate: step for step in floor["ramp"]}
    common = [rate for rate in ours if rate in theirs and rate <= report["sustained"]]
    ratio = report["sustained"] / floor["sustained"] if floor["sustained"] else float("nan")
    line = (
        f"{report['backend']}: sustained {report['sustained']}/s against the floor's "
        f"{floor['sustained']}/s (ratio {ratio:.2f})"
    )
    if common:
        rate = max(common)
        mine, base = server_ms_per_request(ours[rate]), server_ms_per_request(theirs[rate])
        line += (
            f"; server CPU per request at {rate:.0f}/s {mine:.2f} ms against the floor's "
            f"{base:.2f} ms (ratio {mine / base:.2f})"
        )
    return line


def mixed_step(server: Server, submissions, areas: bytes, args: argparse.Namespace):
    """GET /areas at the latency rate while submissions arrive at ``--mixed-post-rate``."""
    seconds = args.latency_seconds
    posts = submissions(int(args.mixed_post_rate * seconds))
    gets = [areas] * int(args.latency_rate * seconds)
    post_result = StepResult("mixed: POST", args.mixed_post_rate, len(posts))
    get_result = StepResult("mixed: GET /areas", args.latency_rate, len(gets))

    async def both() -> None:
        await asyncio.gather(
            open_loop(server.port, posts, args.mixed_post_rate, post_result),
            open_loop(server.port, gets, args.latency_rate, get_result),
        )

    time.sleep(2)
    before = cpu_now(server)
    run_loop(both())
    record_cpu(get_result, before, cpu_now(server))
    print(post_result.line(), flush=True)
    print(get_result.line(), flush=True)
    return post_result, get_result


def versions() -> str:
    import gunicorn
    import sqlalchemy

    parts = [
        f"Python {platform.python_version()}",
        f"gunicorn {gunicorn.__version__}",
        f"SQLAlchemy {sqlalchemy.__version__}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    try:
        import psycopg

        parts.append(f"psycopg {psycopg.__version__}")
    except ImportError:
        pass
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--count", type=int, default=1_000_000, help="stored concerns")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument(
        "--rates",
        type=lambda s: [int(r) for r in s.split(",")],
        default=[100, 200, 300, 400, 500, 600, 700, 800, 1000, 1200, 1400, 1600, 2000],
        help="submission rates of the ramp, per second",
    )
    parser.add_argument("--step-seconds", type=float, default=10)
    parser.add_argument("--latency-rate", type=int, default=200)
    parser.add_argument("--latency-seconds", type=float, default=20)
    parser.add_argument("--mixed-post-rate", type=int, default=10)
    args = parser.parse_args()
    if not args.postgres_url.startswith("postgresql") or make_url(args.postgres_url).host not in {
        "127.0.0.1",
        "localhost",
    }:
        parser.error("--postgres-url must be a PostgreSQL server on 127.0.0.1")

    print(f"{os.cpu_count()} CPUs; {versions()}")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench_backend(backend, args)


if __name__ == "__main__":
    main()
