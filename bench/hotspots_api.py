"""Latency of the staff hotspot API (GET /api/v1/hotspots) with 100,000 stored concerns.

After a new concern: one concern is stored (today, in town) before each request, so the
answer is recomputed: the voices of the month that changed are counted again by SQL (the
other months' counts are reused while their change counters, moved by database triggers,
stand still), then the study area of the last three years, Gi*, the local-background test
and FDR, hot zones with their previous period and gazetteer names, and the GeoJSON.
Cold: the first request after start (every month counted). Cached: repeated requests
while nothing changed. The named baseline, in the same run, is the
field's reference for the statistic alone:
``esda.G_Local(star=True, transform="B", permutations=999)`` on the same cell counts.
Run: ``.venv/bin/python bench/hotspots_api.py [--count N]``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from geoservice import create_app
from geoservice.core.analysis.hexgrid import cells_for_points
from geoservice.core.analysis.hotspots import ring_neighbours
from geoservice.store import schema
from geoservice.store.accounts import create_token, create_user
from geoservice.store.aggregates import bump_version
from geoservice.store.db import engine_for, session_scope
from geoservice.store.demo import add_demo_reports
from geoservice.store.models import Report
from geoservice.web.serving import freeze_long_lived_objects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument(
        "--database-url",
        default="",
        help="an empty database to use instead of a new SQLite file (its tables are dropped)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-hotspots-"))
    config = {"INSTANCE_PATH": str(folder), "SECRET_KEY": "bench", "TILE_URL": ""}
    if args.database_url:
        config["DATABASE_URL"] = args.database_url
    app = create_app(config)
    if engine_for(app).dialect.name == "postgresql":
        with engine_for(app).begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    schema.upgrade(engine_for(app))
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    add_demo_reports(app, count=args.count, start=end - timedelta(days=365), end=end, seed=3)
    with session_scope(app) as session:
        create_user(session, "bench-police", "police", "bench password 123")
        token = create_token(session, "bench-police")
    headers = {"Authorization": f"Bearer {token}"}
    query = {"from": (end - timedelta(days=364)).date().isoformat(), "to": end.date().isoformat()}
    client = app.test_client()

    t0 = time.perf_counter()
    response = client.get("/api/v1/hotspots", query_string=query, headers=headers)
    cold_ms = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, response.get_data(as_text=True)
    freeze_long_lived_objects()  # as `geoservice serve` does once the app is loaded
    uncached = []
    for n in range(args.requests):
        with session_scope(app) as session:
            session.add(
                Report(
                    lat=58.7005 + n * 1e-4,
                    lon=12.4535,
                    category="drugs",
                    time_of_day="evening",
                    area_id="mellerud-holm",
                    created_at=datetime.now(UTC),
                    client_key=f"bench-{n}",
                )
            )
            bump_version(session)
        t0 = time.perf_counter()
        response = client.get("/api/v1/hotspots", query_string=query, headers=headers)
        uncached.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    cached = []
    for _ in range(200):
        t0 = time.perf_counter()
        client.get("/api/v1/hotspots", query_string=query, headers=headers)
        cached.append((time.perf_counter() - t0) * 1000)

    # Baseline: esda's Gi* with 999 permutations on the same study-area counts.
    with app.test_request_context():
        from geoservice.web.analysis import study_area

        mask = study_area()
    with session_scope(app) as session:
        rows = session.execute(
            __import__("sqlalchemy").text("SELECT lat, lon FROM reports WHERE precision='point'")
        ).all()
    cells = cells_for_points(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]))
    counts = np.zeros(len(mask))
    index = np.searchsorted(mask, cells)
    inside = (index < len(mask)) & (mask[np.minimum(index, len(mask) - 1)] == cells)
    np.add.at(counts, index[inside], 1)
    weights = ring_neighbours(mask).tolil()
    weights.setdiag(0)
    from esda.getisord import G_Local
    from libpysal.weights import W

    neighbours = {i: list(row) for i, row in enumerate(weights.rows)}
    w = W(neighbours, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        G_Local(counts, w, star=True, transform="B", permutations=999, seed=1)
        baseline_ms = (time.perf_counter() - t0) * 1000

    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"database: {engine_for(app).dialect.name}")
    print(f"concerns stored: {args.count:,}; in the filter: {body['n_reports']:,} (one voice)")
    print(f"study area: {len(mask):,} cells; cells in the answer: {len(body['features']):,}")
    print(f"hot cells: {body['n_hot_cells']:,}; zones: {body['n_zones']}")
    print(f"cold (every month counted): {cold_ms:.0f} ms")
    print(
        f"after a new concern: p50 {statistics.median(uncached):.0f} ms, max {max(uncached):.0f} ms"
    )
    print(f"cached:   p50 {statistics.median(cached):.2f} ms, max {max(cached):.2f} ms")
    print(f"baseline esda.G_Local(permutations=999) alone: {baseline_ms:.0f} ms")
    print(f"ratio baseline / uncached p50: {baseline_ms / statistics.median(uncached):.1f}x")
    engine_for(app).dispose()


if __name__ == "__main__":
    main()
