"""The baseline of ``bench/load.py``: the least a WSGI app can do for a submission.

Served by exactly the production command (gunicorn, same workers, flags and access log),
it reads the request body, parses it as JSON and answers 201 with a small JSON body, so the
load generator measures the floor set by gunicorn, the kernel and itself on this machine at
this moment. The app's sustained rate and CPU per request are read against it.
"""

from __future__ import annotations

import json


def app(environ: dict, start_response) -> list[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length)) if length else {}
    answer = json.dumps({"id": "floor", "received": len(body)}).encode()
    start_response(
        "201 CREATED",
        [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
    )
    return [answer]
