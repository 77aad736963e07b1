"""Before/after follow-up of an action-plan activity (SPEC §2, municipality and BRÅ).

For each activity of the *åtgärdsplan* the municipality and BRÅ see how many concerns
came in from its areas after it started, against an equally long period just before.

Definitions
-----------
Windows
    Calendar days in Mellerud's time zone (``Europe/Stockholm``); every window is
    half-open, ``[first day, stop day)``. The *after* window runs from the activity's
    first day up to and including its last day, but never past yesterday: today is not
    over, so its concerns are still coming in. The *before* window has the same number
    of days and ends where the after window starts (:func:`equal_windows`).
Counts
    Concerns about unsafe places (``kind == "unsafe"``) that moderation kept, in the
    activity's areas (by the stored ``area_id``) and, when given, its categories. Every
    concern counts once; demo data is whatever the caller passes in.
Rates
    Per 1,000 residents of the areas together **per window**, not per year: both
    windows have the same length, so the two rates compare directly.
Rate ratio, test and interval
    ``after / before``. Given ``n = before + after`` and Poisson counts, ``after`` is
    ``Binomial(n, T_after / (T_before + T_after))``; with equal windows that is
    ``Binomial(n, 0.5)`` under "no change". The p-value is the two-sided exact binomial
    test (:func:`scipy.stats.binomtest`) and the 95 % interval of the ratio comes from
    the Clopper–Pearson interval ``[p_lo, p_hi]`` of the binomial proportion through
    ``RR = p / (1 - p) * T_before / T_after`` (:func:`compare_rates`).

Reading the numbers honestly
----------------------------
* Concerns cluster (one person, one event that sets a street talking), so they vary
  more than a Poisson count: the p-value and the interval are, if anything, too
  confident.
* Activities tend to start where and when concerns peaked, so a fall afterwards is
  expected even if the activity did nothing (regression to the mean), and use of the
  service itself changes over time. A before/after comparison never shows on its own
  that the activity caused a change; :func:`describe_followup` says so when the
  difference is larger than chance.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from geoservice.core.analysis.aggregate import active_reports, filter_reports
from geoservice.core.privacy.periods import PublicationPeriod, period_of
from geoservice.core.privacy.suppression import PUBLIC_TIME_ZONE, small_count_mask

__all__ = [
    "MIN_FOLLOWUP_CONCERNS",
    "FollowUp",
    "FollowUpUnavailable",
    "RateComparison",
    "before_after",
    "compare_rates",
    "describe_followup",
    "equal_windows",
    "followup_from_counts",
    "month_windows",
    "public_followup",
]

MIN_FOLLOWUP_CONCERNS: int = 10
"""Fewest concerns (before and after together) for which a change is described.

Below about six the exact test cannot reach p < 0.05 whatever the split, and below ten
the interval of the change spans most of -100 % to several hundred per cent.
"""

_DAY = dt.timedelta(days=1)

Lang = Literal["sv", "en"]
"""Languages of the sentences: Swedish first, English second."""


class FollowUpUnavailable(ValueError):
    """The follow-up cannot be computed yet, for a reason the page can show.

    Attributes
    ----------
    reason : {"not_started", "before_data"}
        ``"not_started"``: the activity starts today or later, so there is no complete
        day after the start. ``"before_data"``: the before window reaches back to before
        concerns were collected, so its count would be too low.
    message_sv, message_en : str
        The reason in plain Swedish and English.
    """

    def __init__(self, reason: str, message_sv: str, message_en: str) -> None:
        super().__init__(message_en)
        self.reason = reason
        self.message_sv = message_sv
        self.message_en = message_en


def _check_date(value: Any, name: str) -> dt.date:
    # datetime is a subclass of date; a time of day here would silently be ignored.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError(f"'{name}' should be a datetime.date, got {type(value)}")
    return value


def equal_windows(
    start: dt.date,
    end: dt.date | None,
    today: dt.date,
    *,
    data_since: dt.date | None = None,
) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """Return the before and after windows of an activity, of equal length.

    Parameters
    ----------
    start : datetime.date
        The activity's first day.
    end : datetime.date or None
        The activity's last day, inclusive (as in "1 mars–31 maj"); None while it runs
        without an end date.
    today : datetime.date
        Today in Mellerud (``Europe/Stockholm``). Today itself is never counted.
    data_since : datetime.date, optional
        First day concerns were collected. When given, a before window reaching back
        further is refused instead of comparing against days without data.

    Returns
    -------
    (before_start, before_end, after_start, after_end) : tuple of datetime.date
        Two half-open windows ``[before_start, before_end)`` and
        ``[after_start, after_end)`` with ``after_start = before_end = start``,
        ``after_end = min(end + 1 day, today)`` and
        ``before_start = start - (after_end - start)``.

    Raises
    ------
    ValueError
        If an argument is not a date or ``end`` is before ``start``.
    FollowUpUnavailable
        With ``reason="not_started"`` when ``start >= today`` (no complete day after the
        start yet), or ``reason="before_data"`` when ``before_start < data_since``.
    """
    start = _check_date(start, "start")
    today = _check_date(today, "today")
    if end is not None:
        end = _check_date(end, "end")
        if end < start:
            raise ValueError(f"'end' should not be before 'start', got {end} and {start}")
    if data_since is not None:
        data_since = _check_date(data_since, "data_since")
    if start >= today:
        raise FollowUpUnavailable(
            "not_started",
            f"Aktiviteten börjar {start.isoformat()}; uppföljningen kan göras från dagen efter.",
            f"The activity starts on {start.isoformat()}; it can be followed up from the "
            "day after.",
        )
    after_end = today if end is None else min(end + _DAY, today)
    before_start = start - (after_end - start)
    if data_since is not None and before_start < data_since:
        raise FollowUpUnavailable(
            "before_data",
            f"Perioden före ({before_start.isoformat()}–) börjar innan synpunkter samlades in "
            f"({data_since.isoformat()}), så den kan inte jämföras rättvist.",
            f"The period before ({before_start.isoformat()}–) starts before concerns were "
            f"collected ({data_since.isoformat()}), so it cannot be compared fairly.",
        )
    return before_start, start, start, after_end


def month_windows(
    start: dt.date, end: dt.date | None, today: dt.date
) -> tuple[list[PublicationPeriod], list[PublicationPeriod]]:
    """Return the before and after windows of an activity in whole published months.

    The public follow-up counts only publication periods (calendar months that are
    over, :mod:`geoservice.core.privacy.periods`). The after window is every whole month
    from the start up to the end (or up to the last month that is over); the before
    window is as many months, just before the month the activity starts in (or, when it
    starts on the 1st, just before that month). Two activities therefore either share
    their windows or differ by at least a whole month: start dates a day apart give the
    same figures, never two that subtract to one day.

    Parameters
    ----------
    start, end, today : datetime.date
        As in :func:`equal_windows`.

    Returns
    -------
    (before, after) : two lists of PublicationPeriod, oldest first, of equal length

    Raises
    ------
    ValueError
        If an argument is not a date or ``end`` is before ``start``.
    FollowUpUnavailable
        With ``reason="not_started"`` while no whole month after the start is over.
    """
    start = _check_date(start, "start")
    today = _check_date(today, "today")
    if end is not None:
        end = _check_date(end, "end")
        if end < start:
            raise ValueError(f"'end' should not be before 'start', got {end} and {start}")
    stop = today if end is None else min(end + _DAY, today)
    first = period_of(start)
    if first.first_day < start:
        first = first.next()
    after = []
    period = first
    while period.stop_day <= stop:
        after.append(period)
        period = period.next()
    if not after:
        raise FollowUpUnavailable(
            "not_started",
            f"Uppföljningen visas när den första hela månaden efter starten "
            f"({start.isoformat()}) är slut.",
            f"The follow-up is shown once the first whole month after the start "
            f"({start.isoformat()}) is over.",
        )
    before = [period_of(start).previous()]
    while len(before) < len(after):
        before.insert(0, before[0].previous())
    return before, after


def followup_from_counts(
    *,
    area_ids: Collection,
    categories: Collection[str] | None,
    before_periods: list[PublicationPeriod],
    after_periods: list[PublicationPeriod],
    before: int,
    after: int,
    population: int | None,
    ongoing: bool,
) -> FollowUp:
    """A :class:`FollowUp` over whole months, from counts already added up.

    The windows are :func:`month_windows`, the same number of months on each side; the
    comparison takes a month as the unit (so ``ratio`` is ``after / before``, as the
    sentence "against ... in an equally long period before" says), not the few days by
    which months differ in length.
    """
    if len(before_periods) != len(after_periods) or not after_periods:
        raise ValueError("the windows should hold the same number of months, at least one")
    b0, b1 = before_periods[0].first_day, before_periods[-1].stop_day
    a0, a1 = after_periods[0].first_day, after_periods[-1].stop_day
    comparison = compare_rates(_check_count(before, "before"), _check_count(after, "after"))
    return _follow_up(
        tuple(area_ids),
        None if not categories else tuple(categories),
        (b0, b1, a0, a1),
        (a1 - a0).days,
        ongoing,
        (before, after, population),
        comparison,
    )


@dataclass(frozen=True)
class RateComparison:
    """Exact comparison of two Poisson counts.

    Attributes
    ----------
    ratio : float or None
        Rate ratio ``(after / T_after) / (before / T_before)``; None when ``before`` is 0
        (undefined).
    ratio_low, ratio_high : float or None
        Exact confidence interval of the ratio; ``ratio_high`` is ``inf`` when
        ``before`` is 0. Both None when there are no concerns at all.
    p_value : float or None
        Two-sided exact p-value of "equal rates"; None when there are no concerns.
    confidence : float
        Confidence level of the interval.
    """

    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    p_value: float | None
    confidence: float = 0.95


def _check_count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"'{name}' should be a count >= 0, got {value!r}")
    return int(value)


def compare_rates(
    before: int,
    after: int,
    *,
    exposure_before: float = 1.0,
    exposure_after: float = 1.0,
    confidence: float = 0.95,
) -> RateComparison:
    """Compare two Poisson counts with the exact conditional (binomial) test.

    Parameters
    ----------
    before, after : int
        Counts in the two windows.
    exposure_before, exposure_after : float, default 1.0
        Window lengths (any unit, the same for both).
    confidence : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    RateComparison

    Notes
    -----
    Given ``n = before + after``, under equal rates ``after`` is
    ``Binomial(n, p0)`` with ``p0 = T_after / (T_before + T_after)``. The p-value is
    :func:`scipy.stats.binomtest` (two-sided, exact). The Clopper–Pearson interval
    ``[p_lo, p_hi]`` of ``p`` maps to the ratio by ``p / (1 - p) * T_before / T_after``,
    which is increasing in ``p``: ``p_lo = 0`` (``after = 0``) gives a lower bound 0 and
    ``p_hi = 1`` (``before = 0``) an upper bound ``inf``.
    """
    before = _check_count(before, "before")
    after = _check_count(after, "after")
    for name, value in (("exposure_before", exposure_before), ("exposure_after", exposure_after)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ValueError(f"'{name}' should be a positive length, got {value!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"'confidence' should be between 0 and 1, got {confidence!r}")
    n = before + after
    if n == 0:
        return RateComparison(None, None, None, None, confidence)
    scale = exposure_before / exposure_after
    test = binomtest(after, n, exposure_after / (exposure_before + exposure_after))
    ci = test.proportion_ci(confidence_level=confidence, method="exact")

    def to_ratio(p: float) -> float:
        return math.inf if p >= 1 else p / (1 - p) * scale

    ratio = None if before == 0 else after / before * scale
    return RateComparison(
        ratio=ratio,
        ratio_low=to_ratio(float(ci.low)),
        ratio_high=to_ratio(float(ci.high)),
        p_value=min(1.0, float(test.pvalue)),
        confidence=confidence,
    )


@dataclass(frozen=True)
class FollowUp:
    """Concerns in an activity's areas before and after it started.

    Attributes
    ----------
    area_ids : tuple
        The activity's areas.
    categories : tuple of str or None
        The categories counted; None for all.
    before_start, before_end, after_start, after_end : datetime.date
        The half-open windows of :func:`equal_windows`, local calendar days.
    days : int
        Length of each window in days.
    ongoing : bool
        True while the activity runs (the after window ends today, not at its end).
    before, after : int
        Concerns in each window.
    population : int or None
        Residents of the areas together; None when a population is unknown or 0.
    before_rate, after_rate : float or None
        Concerns per 1,000 residents **per window** (not per year).
    ratio, ratio_low, ratio_high, p_value, confidence
        As in :class:`RateComparison` (windows of equal length, so ``ratio`` is
        ``after / before``).
    """

    area_ids: tuple
    categories: tuple[str, ...] | None
    before_start: dt.date
    before_end: dt.date
    after_start: dt.date
    after_end: dt.date
    days: int
    ongoing: bool
    before: int
    after: int
    population: int | None
    before_rate: float | None
    after_rate: float | None
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    p_value: float | None
    confidence: float = 0.95

    @property
    def change(self) -> float | None:
        """Relative change ``ratio - 1`` (``-0.4`` is 40 % fewer); None when undefined."""
        return None if self.ratio is None else self.ratio - 1.0


def _local_midnight_utc(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day).tz_localize(PUBLIC_TIME_ZONE).tz_convert("UTC")


def before_after(
    df: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    area_ids: Collection,
    categories: str | Collection[str] | None = None,
    start: dt.date,
    end: dt.date | None,
    today: dt.date,
    data_since: dt.date | None = None,
) -> FollowUp:
    """Count concerns in an activity's areas before and after it started.

    Parameters
    ----------
    df : pandas.DataFrame
        Reports with at least ``created_at`` (tz-aware), ``area_id``, ``category``,
        ``time_of_day``, ``kind``, ``weekend`` and ``status``.
    areas : pandas.DataFrame or geopandas.GeoDataFrame
        Areas with ``id`` and ``population``; the geometry is not used.
    area_ids : collection
        The activity's area ids (a single id may be given as a string).
    categories : str or collection of str, optional
        Count only these categories; all when None.
    start, end, today, data_since : datetime.date
        See :func:`equal_windows`.

    Returns
    -------
    FollowUp

    Raises
    ------
    ValueError
        On a missing column, an unknown area id or category, or bad dates.
    FollowUpUnavailable
        When there is no after window yet or the before window precedes the data.
    """
    if not isinstance(areas, pd.DataFrame):
        raise ValueError(f"'areas' should be a (Geo)DataFrame of areas, got {type(areas)}")
    missing = [c for c in ("id", "population") if c not in areas.columns]
    if missing:
        raise ValueError(f"'areas' is missing column(s): {', '.join(missing)}")
    if not isinstance(df, pd.DataFrame) or "area_id" not in df.columns:
        raise ValueError("'df' should be a DataFrame of reports with an 'area_id' column")
    ids = (area_ids,) if isinstance(area_ids, str) else tuple(dict.fromkeys(area_ids))
    if not ids:
        raise ValueError("'area_ids' should name at least one area")
    known = set(areas["id"])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"unknown area id(s): {', '.join(map(repr, unknown))}")
    cats = None
    if categories is not None:
        cats = (categories,) if isinstance(categories, str) else tuple(dict.fromkeys(categories))

    b0, b1, a0, a1 = equal_windows(start, end, today, data_since=data_since)
    reports = active_reports(df)
    reports = reports.loc[reports["area_id"].isin(ids)]

    def count(first: dt.date, stop: dt.date) -> int:
        window = filter_reports(
            reports,
            _local_midnight_utc(first),
            _local_midnight_utc(stop),
            category=cats,
            kind="unsafe",
        )
        return len(window)

    before, after = count(b0, b1), count(a0, a1)
    pops = pd.to_numeric(areas.loc[areas["id"].isin(ids), "population"], errors="coerce")
    population = int(pops.sum()) if pops.notna().all() and pops.sum() > 0 else None
    days = (a1 - a0).days
    # Equal windows in days; a DST change makes one of them an hour longer, ignored here.
    comparison = compare_rates(before, after, exposure_before=days, exposure_after=days)
    return _follow_up(
        ids,
        cats,
        (b0, b1, a0, a1),
        days,
        end is None or end + _DAY > today,
        (before, after, population),
        comparison,
    )


def _follow_up(
    area_ids: tuple[str, ...],
    categories: tuple[str, ...] | None,
    windows: tuple[dt.date, dt.date, dt.date, dt.date],
    days: int,
    ongoing: bool,
    counts: tuple[int, int, int | None],
    comparison: RateComparison,
) -> FollowUp:
    """A FollowUp from its windows and counts; rates per 1,000 and the test derived here."""
    b0, b1, a0, a1 = windows
    before, after, population = counts
    return FollowUp(
        area_ids=area_ids,
        categories=categories,
        before_start=b0,
        before_end=b1,
        after_start=a0,
        after_end=a1,
        days=days,
        ongoing=ongoing,
        before=before,
        after=after,
        population=population,
        before_rate=None if population is None else before / population * 1000,
        after_rate=None if population is None else after / population * 1000,
        ratio=comparison.ratio,
        ratio_low=comparison.ratio_low,
        ratio_high=comparison.ratio_high,
        p_value=comparison.p_value,
        confidence=comparison.confidence,
    )


def _decimal(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "sv" else text


def _percent(ratio: float, lang: str) -> str:
    value = round((ratio - 1.0) * 100)
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    digits = f"{abs(value):,}"
    return f"{sign}{digits.replace(',', ' ')} %" if lang == "sv" else f"{sign}{digits}%"


def _p(p: float, lang: str) -> str:
    if p < 0.001:
        return _decimal("p < 0.001", lang)
    # Three decimals below 0.1 so that 0.049 is never printed as 0.05.
    return _decimal(f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}", lang)


def describe_followup(f: FollowUp, lang: Lang = "sv", *, k: int | None = None) -> str:
    """Describe a follow-up in one or two plain sentences.

    Parameters
    ----------
    f : FollowUp
        The follow-up.
    lang : {"sv", "en"}, default "sv"
        Language; Swedish uses a decimal comma.
    k : int, optional
        When given, the sentence is for the public: if either count is below ``k``
        (see :func:`public_followup`) it gives no numbers at all.

    Returns
    -------
    str
        For example "Efter starten kom 12 synpunkter mot 20 under lika lång tid före
        (−40 %). Skillnaden kan bero på slumpen (p = 0,22); med 95 % säkerhet ligger
        förändringen mellan −73 % och +29 %." With fewer than
        :data:`MIN_FOLLOWUP_CONCERNS` concerns it says there are too few to tell.
    """
    if lang not in ("sv", "en"):
        raise ValueError(f"'lang' should be 'sv' or 'en', got {lang!r}")
    sv = lang == "sv"
    if k is not None and public_followup(f, k)["withheld"]:
        return (
            f"Färre än {k} synpunkter före eller efter starten: för få för att visa siffror."
            if sv
            else f"Fewer than {k} concerns before or after the start: too few to show figures."
        )
    before, after, n = f.before, f.after, f.before + f.after
    if n == 0:
        return (
            "Inga synpunkter, varken före eller efter starten."
            if sv
            else "No concerns, neither before nor after the start."
        )
    if n < MIN_FOLLOWUP_CONCERNS:
        return (
            f"För få synpunkter för att säga något säkert: {after} efter starten mot "
            f"{before} under lika lång tid före."
            if sv
            else f"Too few concerns to say anything for certain: {after} after the start "
            f"against {before} in an equally long period before."
        )
    noun = ("synpunkt" if after == 1 else "synpunkter") if sv else "concern" + "s" * (after != 1)
    pct = f" ({_percent(f.ratio, lang)})" if f.ratio is not None else ""
    if sv:
        lead = "Sedan starten har det kommit" if f.ongoing else "Efter starten kom"
        first = f"{lead} {after} {noun} mot {before} under lika lång tid före{pct}."
    else:
        lead = "Since the start there have been" if f.ongoing else "After the start there were"
        first = f"{lead} {after} {noun} against {before} in an equally long period before{pct}."
    p = _p(f.p_value, lang)
    if f.p_value >= 0.05:
        second = (
            f"Skillnaden kan bero på slumpen ({p})"
            if sv
            else f"The difference may be due to chance ({p})"
        )
    else:
        second = (
            f"Skillnaden är för stor för att bara bero på slumpen ({p}), men visar inte ensam "
            "att aktiviteten var orsaken"
            if sv
            else f"The difference is too large to be chance alone ({p}), but does not on its "
            "own show that the activity caused it"
        )
    level = f"{f.confidence * 100:g}"
    low = _percent(f.ratio_low, lang)
    if math.isinf(f.ratio_high):
        third = (
            f"med {_decimal(level, lang)} % säkerhet är förändringen större än {low}."
            if sv
            else f"with {level}% confidence the change is larger than {low}."
        )
    else:
        high = _percent(f.ratio_high, lang)
        third = (
            f"med {_decimal(level, lang)} % säkerhet ligger förändringen mellan {low} och {high}."
            if sv
            else f"with {level}% confidence the change lies between {low} and {high}."
        )
    return f"{first} {second}; {third}"


def public_followup(f: FollowUp, k: int) -> dict[str, Any]:
    """Return the follow-up as it may be published, with small counts withheld.

    Parameters
    ----------
    f : FollowUp
        The follow-up.
    k : int
        Smallest count that may be published (``GEOSERVICE_K_ANONYMITY``).

    Returns
    -------
    dict
        JSON-ready: ``area_ids``, ``categories``, the four window dates (ISO strings),
        ``days``, ``ongoing``, ``population``, ``before``, ``after``, ``before_rate``,
        ``after_rate``, ``ratio``, ``ratio_low``, ``ratio_high``, ``p_value``,
        ``confidence``, ``withheld`` and ``k``.

    Notes
    -----
    * A count from 1 to ``k - 1`` becomes None, and so does its rate, since
      ``rate * population / 1000`` gives it back. A true 0 is published, as everywhere
      (see :mod:`geoservice.core.privacy.suppression`).
    * When either count is withheld, the ratio, its interval and the p-value are all
      None and ``withheld`` is True: the ratio times the published count, or the
      p-value given it, would give the hidden count back.
    * ``ratio_high`` is also None when it has no upper bound (``before`` is 0), since
      JSON has no infinity; ``withheld`` tells the two cases apart.
    * The public page builds ``f`` with :func:`month_windows` and
      :func:`followup_from_counts` from published monthly cells only
      (:func:`geoservice.core.privacy.publish.published_sum`): day windows would let two
      activities with start dates a day apart be subtracted.
    """
    hidden = small_count_mask([f.before, f.after], k)
    withheld = bool(hidden.any())

    def shown(value: float | None) -> float | None:
        return None if withheld or value is None or math.isinf(value) else value

    return {
        "area_ids": list(f.area_ids),
        "categories": None if f.categories is None else list(f.categories),
        "before_start": f.before_start.isoformat(),
        "before_end": f.before_end.isoformat(),
        "after_start": f.after_start.isoformat(),
        "after_end": f.after_end.isoformat(),
        "days": f.days,
        "ongoing": f.ongoing,
        "population": f.population,
        "before": None if hidden[0] else f.before,
        "after": None if hidden[1] else f.after,
        "before_rate": None if hidden[0] else f.before_rate,
        "after_rate": None if hidden[1] else f.after_rate,
        "ratio": shown(f.ratio),
        "ratio_low": shown(f.ratio_low),
        "ratio_high": shown(f.ratio_high),
        "p_value": shown(f.p_value),
        "confidence": f.confidence,
        "withheld": withheld,
        "k": k,
    }
