"""What a serving process does once its app is loaded, before the first request."""

from __future__ import annotations

import gc

from flask import Flask


def freeze_long_lived_objects() -> None:
    """Move everything loaded so far out of the cyclic garbage collector's sight.

    The libraries, the app, its layers and gazetteer live as long as the process. Left in
    the collector's generations, each full collection walks all of them: a request that
    builds tens of thousands of rows (a year's voice table) then spent about as long in
    the collector as in its own work (measured: 160 ms of 170 ms for 32,000 rows).
    """
    gc.collect()
    gc.freeze()


def production_app() -> Flask:
    """The app a gunicorn worker serves (``geoservice serve --production``)."""
    from geoservice import create_app

    app = create_app()
    freeze_long_lived_objects()
    return app
