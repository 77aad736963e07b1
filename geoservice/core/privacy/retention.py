"""Retention rules (SPEC §7): what happens to old concerns, decided from their age alone.

Three rules, each off when its number of days is 0:

- free text (what happens, the suggestion, the internal note) is erased after
  ``text_days``: it is what most often identifies a person;
- the exact point is coarsened to the centre of its hex cell (about 130 m) after
  ``point_days``: enough for statistics, too coarse to point at a door;
- the whole concern is deleted after ``delete_days``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RetentionRules:
    """Ages in days after which each rule applies; 0 turns a rule off."""

    text_days: int = 365
    point_days: int = 730
    delete_days: int = 0
    audit_days: int = 730

    def __post_init__(self) -> None:
        for name in ("text_days", "point_days", "delete_days", "audit_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"'{name}' should be a whole number of days >= 0, got {value!r}")
        if self.delete_days and (
            (self.text_days and self.delete_days < self.text_days)
            or (self.point_days and self.delete_days < self.point_days)
        ):
            raise ValueError("'delete_days' should not be shorter than the other rules")


def cutoff(now: datetime, days: int) -> datetime | None:
    """The creation time before which a rule of ``days`` applies; None when off."""
    if now.tzinfo is None:
        raise ValueError("'now' should be timezone-aware (UTC)")
    return now - timedelta(days=days) if days else None


def due(created_at: pd.Series, now: datetime, days: int) -> np.ndarray:
    """Boolean mask of concerns old enough for a rule of ``days`` (all False when off)."""
    limit = cutoff(now, days)
    if limit is None:
        return np.zeros(len(created_at), dtype=bool)
    return (pd.to_datetime(created_at, utc=True) < pd.Timestamp(limit)).to_numpy()
