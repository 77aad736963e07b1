"""How long a change of the area layer holds submissions, with 1,000,000 stored concerns.

Importing a layer (or rolling back) re-assigns every concern in one transaction, and no
submission is stored meanwhile (SQLite's write lock; on PostgreSQL a table lock). Timed:
``import_layer`` of the shipped districts under new codes (every concern changes area),
``rollback_layer`` (every concern changes back) and the import of the unchanged districts
(no concern changes area).

Baseline in the same run: the re-assignment as it was written before, one ``UPDATE`` per
concern (SQLAlchemy's executemany by primary key), for the same new layer, in a transaction
that is rolled back. Run: ``.venv/bin/python bench/layer_change.py [--backend sqlite|
postgresql|both] [--count N]``; PostgreSQL gets its own database, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from load import bench_database, drop_postgres_database, fill, versions
from sqlalchemy import select, update

from geoservice import create_app
from geoservice.core.places.boundary_import import read_boundary_file
from geoservice.store.areas import layer_from_record, shipped_layer
from geoservice.store.boundary_layers import CHUNK, import_layer, rollback_layer
from geoservice.store.db import begin_write, engine_for, session_scope
from geoservice.store.models import AreaLayerRecord, Report

DISTRICTS = Path(__file__).parents[1] / "data" / "boundaries" / "mellerud_valdistrikt_2022.geojson"


def per_row_reassign(session, layer) -> int:
    """The baseline: every concern's new area written with one UPDATE per concern."""
    rows = session.execute(select(Report.id, Report.lon, Report.lat)).all()
    found = layer.index.assign(
        np.array([r.lon for r in rows], dtype=float), np.array([r.lat for r in rows], dtype=float)
    )
    updates = [
        {"id": r.id, "area_id": None if f is None else str(f)}
        for r, f in zip(rows, found, strict=True)
    ]
    for start in range(0, len(updates), CHUNK):
        session.execute(update(Report), updates[start : start + CHUNK])
    return len(updates)


def renamed_districts(folder: Path) -> Path:
    """The shipped districts with new codes: every concern changes area."""
    collection = json.loads(DISTRICTS.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        feature["properties"]["id"] = "new-" + feature["properties"]["id"]
    path = folder / "renamed.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def timed(label: str, fn) -> float:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {seconds:6.1f} s   {result}", flush=True)
    return seconds


def bench_backend(backend: str, args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-layer-{backend}-"))
    url = bench_database(backend, folder, args.postgres_url)
    try:
        started = time.perf_counter()
        stored = fill(url, folder, args.count)
        print(f"{backend}: stored {stored:,} concerns in {time.perf_counter() - started:.0f} s")
        app = create_app(
            {"DATABASE_URL": url, "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "b"}
        )
        outline = shipped_layer().outline
        renamed = read_boundary_file(renamed_districts(folder)).against_outline(outline)
        same = read_boundary_file(DISTRICTS).against_outline(outline)

        def change(imported):
            with session_scope(app) as session:
                return import_layer(session, imported, imported_by="bench")

        def roll_back():
            with session_scope(app) as session:
                return rollback_layer(session)

        def baseline():
            with session_scope(app) as session:
                record = session.scalar(
                    select(AreaLayerRecord).where(AreaLayerRecord.active.is_(True))
                )
                begin_write(session)
                try:
                    return per_row_reassign(session, layer_from_record(record))
                finally:
                    session.rollback()

        with app.app_context():
            ours = timed("import, every concern changes area", lambda: change(renamed))
            base = timed("baseline: one UPDATE per concern, same layer", baseline)
            timed("rollback, every concern changes back", roll_back)
            timed("import of the same areas, no concern changes", lambda: change(same))
        print(f"{backend}: baseline / ours = {base / ours:.2f}")
        engine_for(app).dispose()
    finally:
        if backend == "postgresql":
            drop_postgres_database(args.postgres_url)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"{platform.node()}: {versions()}")
    for backend in ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]:
        bench_backend(backend, args)


if __name__ == "__main__":
    main()
