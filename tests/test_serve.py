"""The README's start command really serves: `geoservice serve` answers on its port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_geoservice_serve_answers_on_its_port(tmp_path):
    port = free_port()
    command = Path(sys.executable).parent / "geoservice"
    env = dict(os.environ, GEOSERVICE_INSTANCE_PATH=str(tmp_path), GEOSERVICE_TILE_URL="")
    server = subprocess.Popen(
        [str(command), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        page = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert page is not None, "the server did not answer within 30 s"
        assert "Skicka synpunkt" in page and "Mellerud/Holm" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
