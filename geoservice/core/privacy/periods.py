"""Publication periods: the only time windows public figures are ever counted over.

Every public count (the area map and ``/api/v1/areas``, the Open311 listing, the
follow-up on ``/lofte``) is a sum over whole **calendar months** in Mellerud's time
zone. Months never overlap, so no two public figures share part of a period and
nothing can be subtracted across periods; a figure for several months would be a new
sum over the same cells and is never published (see docs/privacy.md).

A month is published only once it is over: from the first day of the next month.
Before that its figures would grow day by day, and watching them grow would show when
each concern arrived.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from geoservice.core.privacy.suppression import PUBLIC_TIME_ZONE, PeriodError

__all__ = [
    "FIRST_YEAR",
    "PublicationPeriod",
    "latest_published",
    "parse_period",
    "period_of",
    "published_periods",
    "whole_periods",
]

FIRST_YEAR = 1970
"""Earliest year a public filter may name."""

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True)
class PublicationPeriod:
    """One calendar month as the public sees it.

    Attributes
    ----------
    year, month : int
        The calendar month.
    """

    year: int
    month: int

    @property
    def label(self) -> str:
        """The month written ``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        """Its first calendar day."""
        return dt.date(self.year, self.month, 1)

    @property
    def stop_day(self) -> dt.date:
        """The first day after it (the half-open end)."""
        return self.next().first_day

    def next(self) -> PublicationPeriod:
        """The month after this one."""
        index = self.year * 12 + self.month  # month index of the next month, 1-based
        return PublicationPeriod(index // 12, index % 12 + 1)

    def previous(self) -> PublicationPeriod:
        """The month before this one."""
        index = self.year * 12 + self.month - 2
        return PublicationPeriod(index // 12, index % 12 + 1)

    def bounds(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``[start, stop)`` at local midnight, Europe/Stockholm."""
        return (
            pd.Timestamp(self.first_day).tz_localize(PUBLIC_TIME_ZONE),
            pd.Timestamp(self.stop_day).tz_localize(PUBLIC_TIME_ZONE),
        )

    def is_published(self, today: dt.date) -> bool:
        """True once the month is over on ``today`` (a local calendar day)."""
        return self.stop_day <= today

    def __str__(self) -> str:
        return self.label


def period_of(day: dt.date) -> PublicationPeriod:
    """The publication period a local calendar day falls in."""
    return PublicationPeriod(day.year, day.month)


def latest_published(today: dt.date) -> PublicationPeriod:
    """The most recent month that is over on ``today``."""
    return period_of(today).previous()


def published_periods(today: dt.date, count: int = 24) -> list[PublicationPeriod]:
    """The ``count`` most recent published months, newest first."""
    periods = [latest_published(today)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods


def parse_period(value: object, today: dt.date, field: str = "from") -> PublicationPeriod:
    """Read a public month ``YYYY-MM`` that is already published.

    Parameters
    ----------
    value : str
        The month as written by the caller.
    today : datetime.date
        Today in Mellerud.
    field : str, default "from"
        The input's name, for the error.

    Returns
    -------
    PublicationPeriod

    Raises
    ------
    PeriodError
        When the text is not ``YYYY-MM``, lies before 1970, or the month is not over yet.
    """
    text = value.strip() if isinstance(value, str) else None
    match = _MONTH.fullmatch(text) if text else None
    if match is None:
        raise PeriodError(
            field, f"'{field}' should be a month written YYYY-MM (e.g. 2025-03), got {value!r}"
        )
    period = PublicationPeriod(int(match.group(1)), int(match.group(2)))
    if period.year < FIRST_YEAR:
        raise PeriodError(field, f"'{field}' should not lie before {FIRST_YEAR}, got {value!r}")
    if not period.is_published(today):
        raise PeriodError(
            field,
            f"'{field}' ({period.label}) is not over yet: a month is published the day after "
            f"it ends; the latest published month is {latest_published(today).label}",
        )
    return period


def whole_periods(first_day: dt.date, stop_day: dt.date) -> list[PublicationPeriod]:
    """The months lying wholly inside ``[first_day, stop_day)``, oldest first."""
    period = period_of(first_day)
    if period.first_day < first_day:
        period = period.next()
    found = []
    while period.stop_day <= stop_day:
        found.append(period)
        period = period.next()
    return found
