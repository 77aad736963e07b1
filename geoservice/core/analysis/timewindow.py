"""Time windows and aoristic weighting of concerns (SPEC §6 "Time windows").

A :class:`TimeWindow` is a set of weekdays and an hour range that may wrap past midnight,
for example "Friday 22–02": Friday 22:00 to Saturday 02:00. The early-Saturday hours
belong to the *Friday* window, as a patrol that starts on Friday evening does.

Calendar model
--------------
Everything is counted on one generic local week (Europe/Stockholm wall-clock time) of
168 hours, hour ``24 * day + hour`` with ``day`` 0 = Monday … 6 = Sunday. Daylight saving
time does not enter: a concern carries a clock hour or a band of clock hours, never an
instant.

* **Bands** (SPEC §4): ``day`` 06–18, ``evening`` 18–22, ``night`` 22–06 (the night
  starting on one day runs into the next), ``unknown`` = all 24 hours.
* **Weekend** ("helg", SPEC §6): Friday 18:00 to Monday 06:00, i.e. Friday 18–24, all of
  Saturday and Sunday and Monday 00–06 (60 of the 168 hours). A weekday hour is any other
  hour (108 hours). ``weekend`` None means any of the 168 hours.

A concern's **possible hours** are the hours of its band that match its weekend answer,
e.g. a weekend night is Friday 22 – Saturday 06, Saturday 22 – Sunday 06 and
Sunday 22 – Monday 06 (24 hours). Its **weight** for a window is the share of its
possible hours that the window covers (aoristic weighting): a weekend night concern gets
``6 / 24 = 0.25`` from "Friday 22–04".

An **exact hour** (0–23, local time), when given, decides alone: the band is not looked
at. An hour does not say which day, so the possible hours are that clock hour on every
day whose weekend status matches (Saturday, Sunday and Monday for hour 01 at a weekend;
all seven days when ``weekend`` is None), and the weight is the share of those days on
which the window covers that hour. For a window that covers every possible day — the usual
case, e.g. "weekend 22–04" — the weight is 0 or 1. For a single-day window it is a
fraction (hour 01 at a weekend gets 1/3 from "Friday 22–02"), which keeps an exact-hour
concern on the same footing as a band concern: a weekend night concern without hour gets
4/24 from the same window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BAND_HOURS",
    "DAY_NAMES",
    "HOURS_PER_WEEK",
    "WEEKDAYS",
    "WEEKEND_DAYS",
    "TimeWindow",
    "band_of_hour",
    "possible_hours",
    "weekend_hours",
    "window_weights",
]

HOURS_PER_WEEK: int = 168

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""API words for the days, Monday first (index = ``datetime.weekday()``)."""

WEEKEND_DAYS: frozenset[int] = frozenset({4, 5, 6})
"""Days of the window word ``weekend``: Friday, Saturday, Sunday."""

WEEKDAYS: frozenset[int] = frozenset({0, 1, 2, 3})
"""Days of the window word ``weekdays``: Monday to Thursday (see :meth:`TimeWindow.parse`)."""

BAND_HOURS: dict[str, tuple[int, ...]] = {
    "day": tuple(range(6, 18)),
    "evening": tuple(range(18, 22)),
    "night": (22, 23, 0, 1, 2, 3, 4, 5),
    "unknown": tuple(range(24)),
}
"""Clock hours (local time) of each time band, SPEC §4."""

_DAY_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
_DAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_SHORT_SV = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
_DAY_SHORT_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekend_hours() -> np.ndarray:
    """Return which hours of the week are "helg" (Friday 18:00 to Monday 06:00).

    Returns
    -------
    numpy.ndarray of bool, shape (168,)
        True for Friday 18–24, Saturday, Sunday and Monday 00–06.
    """
    helg = np.zeros(HOURS_PER_WEEK, dtype=bool)
    helg[4 * 24 + 18 :] = True
    helg[:6] = True
    return helg


_HELG = weekend_hours()
_HOUR_OF_WEEK = np.arange(HOURS_PER_WEEK) % 24


def band_of_hour(hour: int) -> str:
    """Return the time band (``day``, ``evening`` or ``night``) of a clock hour 0–23."""
    if not 0 <= hour <= 23:
        raise ValueError(f"'hour' should be 0–23, got {hour!r}")
    return "day" if 6 <= hour < 18 else "evening" if 18 <= hour < 22 else "night"


def possible_hours(band: str = "unknown", weekend: bool | None = None) -> np.ndarray:
    """Return the hours of the week a concern with this band and weekend answer may mean.

    Parameters
    ----------
    band : {"day", "evening", "night", "unknown"}, default "unknown"
        Time band of the concern.
    weekend : bool or None, default None
        True for "helg" (Friday 18 – Monday 06), False for the rest of the week, None for
        not answered (every day).

    Returns
    -------
    numpy.ndarray of bool, shape (168,)
        Never all False: every band has hours both in and out of "helg".
    """
    if band not in BAND_HOURS:
        raise ValueError(f"'band' should be one of {', '.join(BAND_HOURS)}, got {band!r}")
    hours = np.isin(_HOUR_OF_WEEK, BAND_HOURS[band])
    if weekend is None:
        return hours
    return hours & (_HELG if weekend else ~_HELG)


def _whole_hour(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{name}' should be a whole hour {low}–{high}, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"'{name}' should be a whole hour {low}–{high}, got {value!r}")
        value = int(text)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    if not isinstance(value, int | np.integer) or not low <= value <= high:
        raise ValueError(f"'{name}' should be a whole hour {low}–{high}, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class TimeWindow:
    """Weekdays × an hour range that may wrap past midnight.

    Attributes
    ----------
    days : frozenset of int
        Days the window *starts* on, 0 = Monday … 6 = Sunday; at least one.
    from_hour : int
        First clock hour covered, 0–23 (local time).
    to_hour : int
        Clock hour the window ends at (exclusive), 1–24; ``24`` is midnight. A ``to_hour``
        not after ``from_hour`` wraps: the window runs past midnight into the next day,
        and those hours belong to the day the window started on (Friday 22–02 covers
        Saturday 00:00–02:00, not Friday 00:00–02:00). ``0`` is read as ``24``, so
        0–0 is the whole day.

    Raises
    ------
    ValueError
        On an empty or out-of-range day set, hours out of range, or an empty hour range
        (``from_hour == to_hour``; use 0 and 24 for a whole day).
    """

    days: frozenset[int]
    from_hour: int
    to_hour: int

    def __post_init__(self) -> None:
        try:
            days = frozenset(int(d) for d in self.days)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"'days' should be day numbers 0–6, got {self.days!r}") from exc
        if not days or not days <= set(range(7)):
            raise ValueError(f"'days' should be a non-empty set of 0–6, got {sorted(days)}")
        from_hour = _whole_hour(self.from_hour, "from_hour", 0, 23)
        to_hour = _whole_hour(self.to_hour, "to_hour", 0, 24) or 24
        if from_hour == to_hour:
            raise ValueError(
                f"'from_hour' and 'to_hour' are both {from_hour}: the window would be empty; "
                "use 0 and 24 for a whole day"
            )
        # Frozen: normalised values are written once, here.
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "from_hour", from_hour)
        object.__setattr__(self, "to_hour", to_hour)

    @classmethod
    def parse(cls, weekday: str, from_hour: Any, to_hour: Any) -> TimeWindow:
        """Build a window from the API's words (``GET /api/v1/patrol-plan``).

        Parameters
        ----------
        weekday : str
            ``mon`` … ``sun`` (one day), ``weekend`` (Friday, Saturday and Sunday) or
            ``weekdays`` (Monday to Thursday); case and surrounding spaces are ignored.
        from_hour : int or str
            First hour, 0–23.
        to_hour : int or str
            End hour (exclusive), 0–24; not after ``from_hour`` means past midnight.

        Returns
        -------
        TimeWindow

        Raises
        ------
        ValueError
            Naming the parameter that is wrong.

        Notes
        -----
        The two words split the week's *starting days* in two, so every evening and
        night of the week is in exactly one of them, and for evening and night windows
        they match SPEC's "helg" (Friday 18:00 – Monday 06:00) exactly: ``weekend 18–06``
        covers Friday, Saturday and Sunday evenings and the nights into Saturday, Sunday
        and Monday; ``weekdays 18–06`` covers Monday to Thursday evenings and the nights
        into Tuesday to Friday. The price is that Friday *daytime* belongs to
        ``weekend``; ask for ``fri`` to plan a Friday day shift on its own.
        """
        if not isinstance(weekday, str):
            raise ValueError(f"'weekday' should be a string, got {type(weekday)}")
        word = weekday.strip().lower()
        if word == "weekend":
            days = WEEKEND_DAYS
        elif word == "weekdays":
            days = WEEKDAYS
        elif word in DAY_NAMES:
            days = frozenset({DAY_NAMES.index(word)})
        else:
            raise ValueError(
                f"'weekday' should be one of {', '.join(DAY_NAMES)}, weekend or weekdays, "
                f"got {weekday!r}"
            )
        return cls(days, from_hour, to_hour)

    @property
    def wraps(self) -> bool:
        """Whether the window runs past midnight into the next day."""
        return self.to_hour <= self.from_hour

    @property
    def hours_per_day(self) -> int:
        """Length of the window on each of its days, in hours."""
        return (self.to_hour - self.from_hour) % 24 or 24

    def hours_of_week(self) -> np.ndarray:
        """Return which of the 168 hours of the week the window covers.

        Returns
        -------
        numpy.ndarray of bool, shape (168,)
            Hour ``24 * day + hour``; the wrapped part of a Sunday window lands on
            Monday morning.
        """
        covered = np.zeros(HOURS_PER_WEEK, dtype=bool)
        span = np.arange(self.hours_per_day)
        for day in self.days:
            covered[(24 * day + self.from_hour + span) % HOURS_PER_WEEK] = True
        return covered

    def covers(self, day: int, hour: int) -> bool:
        """Return whether clock hour ``hour`` on weekday ``day`` (0 = Monday) is covered."""
        if not (0 <= day <= 6 and 0 <= hour <= 23):
            raise ValueError(f"'day' should be 0–6 and 'hour' 0–23, got {day!r}, {hour!r}")
        return bool(self.hours_of_week()[24 * day + hour])

    def _days_text(self, lang: str) -> str:
        if self.days == WEEKEND_DAYS:
            return "helg (fre–sön)" if lang == "sv" else "weekend (Fri–Sun)"
        if self.days == WEEKDAYS:
            return "vardagar (mån–tor)" if lang == "sv" else "weekdays (Mon–Thu)"
        if len(self.days) == 7:
            return "alla dagar" if lang == "sv" else "every day"
        if len(self.days) == 1:
            (day,) = self.days
            return (_DAY_SV if lang == "sv" else _DAY_EN)[day]
        short = _DAY_SHORT_SV if lang == "sv" else _DAY_SHORT_EN
        return ", ".join(short[d] for d in sorted(self.days))

    def describe(self, lang: str = "sv") -> str:
        """Return the window in words, e.g. ``"fredag 22–02"`` or ``"weekend (Fri–Sun) 22–04"``.

        Parameters
        ----------
        lang : {"sv", "en"}, default "sv"
        """
        if lang not in ("sv", "en"):
            raise ValueError(f"'lang' should be 'sv' or 'en', got {lang!r}")
        return f"{self._days_text(lang)} {self.from_hour:02d}–{self.to_hour % 24:02d}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready description: ``days`` (sorted), ``from_hour``, ``to_hour``."""
        return {
            "days": sorted(self.days),
            "from_hour": self.from_hour,
            "to_hour": self.to_hour,
            "label_sv": self.describe("sv"),
            "label_en": self.describe("en"),
        }


def _weekend_code(values: pd.Series) -> np.ndarray:
    """0 = weekday, 1 = weekend, 2 = not answered."""
    out = np.full(len(values), 2, dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            continue
        if isinstance(value, bool | np.bool_) or value in (0, 1):
            out[i] = int(bool(value))
        else:
            raise ValueError(f"'weekend' should be True, False or None, got {value!r}")
    return out


def _exact_hours(values: pd.Series) -> np.ndarray:
    """Exact hour per row, -1 where none was given."""
    out = np.full(len(values), -1, dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        out[i] = _whole_hour(value, "exact_hour", 0, 23)
    return out


def _band_codes(values: pd.Series) -> np.ndarray:
    bands = tuple(BAND_HOURS)
    filled = values.astype(object).where(values.notna(), "unknown")
    unknown = sorted(set(filled.tolist()) - set(bands), key=str)
    if unknown:
        shown = ", ".join(map(repr, unknown))
        raise ValueError(f"'time_of_day' should be one of {', '.join(bands)}, got {shown}")
    return np.array([bands.index(v) for v in filled.tolist()], dtype=np.int64)


def window_weights(df: pd.DataFrame, window: TimeWindow) -> np.ndarray:
    """Return each concern's aoristic weight for a time window.

    Parameters
    ----------
    df : pandas.DataFrame
        Concerns with ``time_of_day`` (missing = ``unknown``) and optionally ``weekend``
        (True, False or None) and ``exact_hour`` (0–23 local time, or None). A missing
        ``weekend`` or ``exact_hour`` column means no concern gave that answer.
    window : TimeWindow

    Returns
    -------
    numpy.ndarray of float
        One weight in [0, 1] per row, in row order: the share of the concern's possible
        hours that the window covers (see the module docstring for the calendar model).
        An exact hour decides alone: the weight is then the share of the days that hour
        can fall on (by the weekend answer) on which the window covers it.

    Raises
    ------
    ValueError
        On a missing ``time_of_day`` column, an unknown band, a ``weekend`` that is not
        True/False/None or an ``exact_hour`` outside 0–23.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"'df' should be a DataFrame, got {type(df)}")
    if not isinstance(window, TimeWindow):
        raise ValueError(f"'window' should be a TimeWindow, got {type(window)}")
    if "time_of_day" not in df.columns:
        raise ValueError("'df' is missing column(s): time_of_day")
    n = len(df)
    if not n:
        return np.zeros(0)
    covered = window.hours_of_week()
    band = _band_codes(df["time_of_day"])
    weekend = _weekend_code(df["weekend"]) if "weekend" in df.columns else np.full(n, 2)
    exact = _exact_hours(df["exact_hour"]) if "exact_hour" in df.columns else np.full(n, -1)

    # Band x weekend answer: 4 x 3 shares, looked up per row.
    answers = (False, True, None)
    by_band = np.array(
        [
            [covered[possible_hours(b, w)].mean() for w in answers]
            for b in BAND_HOURS  # same order as _band_codes
        ]
    )
    weights = by_band[band, weekend]

    # Clock hour x weekend answer: 24 x 3 shares over the days that hour can fall on.
    by_hour = np.empty((24, 3))
    for hour in range(24):
        at_hour = np.equal(_HOUR_OF_WEEK, hour)
        for j, w in enumerate(answers):
            days = at_hour if w is None else at_hour & (_HELG if w else ~_HELG)
            by_hour[hour, j] = covered[days].mean()
    has_hour = exact >= 0
    weights[has_hour] = by_hour[exact[has_hour], weekend[has_hour]]
    return weights
