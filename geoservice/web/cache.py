"""Per-worker caches that follow the data version: every write to concerns moves it.

A view may accept a bounded staleness (``max_stale`` seconds): then, while concerns keep
arriving, a worker recomputes a figure at most once per window instead of on every
request after every write.

Public figures follow a version of their own instead of the data version: the local
calendar day (``version=``). They count only months that are over, and are computed at
most once a day per worker, so no write shows in them before the next day and polling
tells nothing about when within a day anything changed (SPEC §7).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app

from geoservice.store.aggregates import data_version
from geoservice.store.db import get_session

T = TypeVar("T")
_EXTENSION = "geoservice.version_cache"
MAX_ENTRIES = 256  # a year's hotspot count keeps 13 month parts beside the answer


@dataclass
class _Entry:
    version: int
    computed_at: float
    value: Any


def _state() -> dict:
    return current_app.extensions.setdefault(
        _EXTENSION, {"entries": OrderedDict(), "lock": threading.Lock(), "key_locks": {}}
    )


def cached(
    namespace: str,
    key: Hashable,
    compute: Callable[[], T],
    *,
    max_stale: float = 0,
    version: Hashable | None = None,
) -> T:
    """Return ``compute()`` for ``(namespace, key)``, reused while no concern has changed.

    Every write to concerns moves a version counter; one cheap read per call compares it.
    With ``max_stale`` > 0 a value computed under an older version is still served while
    it is younger than that many seconds. With ``version`` given, that value replaces
    the data version: the entry is reused, whatever was written, until it changes (the
    public figures pass the local day). Threads of one worker asking for the same key
    compute it once.
    """
    state = _state()
    if version is None:
        version = data_version(get_session())
    full_key = (namespace, key)
    with state["lock"]:
        entry = state["entries"].get(full_key)
        if entry is not None and (
            entry.version == version or time.monotonic() - entry.computed_at < max_stale
        ):
            state["entries"].move_to_end(full_key)
            return entry.value
        key_lock = state["key_locks"].setdefault(full_key, threading.Lock())
    with key_lock:
        with state["lock"]:
            entry = state["entries"].get(full_key)
            if entry is not None and entry.version == version:
                return entry.value
        value = compute()
        with state["lock"]:
            state["entries"][full_key] = _Entry(version, time.monotonic(), value)
            state["entries"].move_to_end(full_key)
            while len(state["entries"]) > MAX_ENTRIES:
                old_key, _ = state["entries"].popitem(last=False)
                state["key_locks"].pop(old_key, None)
        return value
