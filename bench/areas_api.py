"""Latency of GET /api/v1/areas with 1,000,000 stored concerns, cached and uncached.

Baseline in the same run: loading every concern into pandas and aggregating there
(``reports_frame`` + ``aggregate_areas``), which is what the endpoint avoids by letting the
database count. Run: ``.venv/bin/python bench/areas_api.py [--count N]``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from timing import percentile

from geoservice import create_app
from geoservice.core.analysis.aggregate import aggregate_areas
from geoservice.core.privacy.suppression import coarse_period, public_area_payload
from geoservice.store import schema
from geoservice.store.aggregates import bump_version
from geoservice.store.areas import current_layer
from geoservice.store.db import engine_for, session_scope
from geoservice.store.demo import add_demo_reports
from geoservice.store.reports import reports_frame
from geoservice.web.insight import default_months


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--cached-requests", type=int, default=500)
    parser.add_argument("--uncached-requests", type=int, default=15)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-areas-"))
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            # Uncached means recomputed: no window of tolerated staleness.
            "PUBLIC_CACHE_SECONDS": 0,
        }
    )
    schema.upgrade(engine_for(app))
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    stored = add_demo_reports(
        app, count=args.count, start=end - timedelta(days=730), end=end, seed=7
    )
    print(f"stored {stored:,} concerns in {time.perf_counter() - started:.1f} s")

    client = app.test_client()
    uncached = []
    for _ in range(args.uncached_requests):
        with session_scope(app) as session:
            bump_version(session)  # as after any write: the next request recomputes
        t0 = time.perf_counter()
        response = client.get("/api/v1/areas")
        uncached.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    cached = []
    for _ in range(args.cached_requests):
        t0 = time.perf_counter()
        response = client.get("/api/v1/areas")
        cached.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200

    with app.test_request_context():
        layer = current_layer()
        start_month, end_month = default_months()
        start, stop = coarse_period(start_month, end_month)
        with session_scope(app) as session:
            t0 = time.perf_counter()
            frame = reports_frame(session)
            table = aggregate_areas(frame, layer.areas, start, stop)
            public_area_payload(table, 5)
            baseline_ms = (time.perf_counter() - t0) * 1000

    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(
        f"uncached: p50 {statistics.median(uncached):.1f} ms, "
        f"p99 {percentile(uncached, 0.99):.1f} ms ({len(uncached)} requests)"
    )
    print(
        f"cached:   p50 {statistics.median(cached):.2f} ms, "
        f"p99 {percentile(cached, 0.99):.2f} ms ({len(cached)} requests)"
    )
    print(f"baseline (load all rows into pandas, aggregate there): {baseline_ms:.0f} ms")
    print(f"ratio baseline / uncached p50: {baseline_ms / statistics.median(uncached):.1f}x")
    engine_for(app).dispose()


if __name__ == "__main__":
    main()
