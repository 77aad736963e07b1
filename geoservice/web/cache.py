"""Per-worker caches that no write outlives: entries are dropped when the data version moves."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from geoservice.store.aggregates import data_version
from geoservice.store.db import get_session

T = TypeVar("T")
_EXTENSION = "geoservice.version_cache"
MAX_ENTRIES = 128


def cached(namespace: str, key: Hashable, compute: Callable[[], T]) -> T:
    """Return ``compute()`` for ``(namespace, key)``, reused while no concern has changed.

    Every write to concerns bumps a version row in the same transaction; one indexed read
    per call compares it, so a worker never serves figures older than the last commit.
    """
    cache = current_app.extensions.setdefault(
        _EXTENSION, {"version": None, "entries": OrderedDict(), "lock": threading.Lock()}
    )
    version = data_version(get_session())
    full_key = (namespace, key)
    with cache["lock"]:
        if cache["version"] != version:
            cache["entries"].clear()
            cache["version"] = version
        if full_key in cache["entries"]:
            cache["entries"].move_to_end(full_key)
            return cache["entries"][full_key]
    value = compute()
    with cache["lock"]:
        if cache["version"] == version:
            cache["entries"][full_key] = value
            while len(cache["entries"]) > MAX_ENTRIES:
                cache["entries"].popitem(last=False)
    return value
