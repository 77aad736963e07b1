"""A non-editable install carries the templates, boundaries, translations and migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_the_shipped_files_and_serves_from_them(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    wheel = next(tmp_path.glob("geoservice-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "geoservice/templates/base.html",
        "geoservice/templates/public/index.html",
        "geoservice/data/boundaries/mellerud_outline.geojson",
        "geoservice/data/boundaries/mellerud_valdistrikt_2022.geojson",
        "geoservice/data/places/mellerud_gazetteer.geojson",
        "geoservice/translations/en/LC_MESSAGES/messages.mo",
        "geoservice/migrations/env.py",
        "geoservice/static/css/site.css",
    ):
        assert expected in names, expected
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    # Run from an unrelated folder with only the installed copy of geoservice importable.
    script = (
        "import geoservice, sys\n"
        f"assert geoservice.__file__.startswith({str(target)!r}), geoservice.__file__\n"
        "from geoservice.store import schema\n"
        "from geoservice.store.db import engine_for\n"
        f"app = geoservice.create_app({{'INSTANCE_PATH': {str(tmp_path / 'inst')!r}, "
        "'TILE_URL': ''})\n"
        "schema.upgrade(engine_for(app))\n"
        "page = app.test_client().get('/')\n"
        "assert page.status_code == 200 and b'Mellerud/Holm' in page.data\n"
        "print('ok')\n"
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "ok", result.stderr
