"""The period report (*lägesbild*) for the municipality and BRÅ (SPEC §2, §6).

:func:`build_period_report` gathers every figure of the report into a
:class:`PeriodReport`; :mod:`geoservice.core.reporting.exports` turns it into CSV and
GeoJSON and :mod:`geoservice.core.reporting.pdf_report` into a printable PDF.

Definitions
-----------
Period
    Calendar days in Mellerud's time zone (``Europe/Stockholm``), the last day included:
    ``[start 00:00, end + 1 day 00:00)`` local time, converted to UTC. The *previous
    period* has the same number of days and ends the day before ``start``.
Counts
    Concerns that moderation kept (:func:`~geoservice.core.analysis.aggregate.active_reports`).
    The totals count both kinds of place and give the split; every table, the hotspots
    and the predictive accuracy are about unsafe places (``kind == "unsafe"``), as the
    rest of the service. The area table counts concerns by their stored ``area_id``.
Hotspots
    Gi* (:func:`~geoservice.core.analysis.hotspots.compute_hotspots`) on this period's unsafe
    concerns over the given study area. Listed cells are the hot cells, strongest first;
    without significance, the cells holding at least ``k`` concerns, most first.
Predictive accuracy
    Last period's maps judged on this period's concerns (A = previous period, B = this
    period), at 1 % and 5 % of the study area (:mod:`geoservice.core.analysis.accuracy`).
Suggestions
    The residents' answers to the dialogue question, from concerns of either kind in the
    period, grouped by category and masked with
    :func:`~geoservice.core.privacy.masking.mask_personal_data`. Roles that may not read free
    text (BRÅ, SPEC §3) get the number per category only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import h3
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geoservice.core.analysis.accuracy import predictive_accuracy
from geoservice.core.analysis.aggregate import (
    REPORT_COLUMNS,
    active_reports,
    aggregate_areas,
    band_week_table,
    filter_reports,
)
from geoservice.core.analysis.hexgrid import cell_centres, cells_for_points
from geoservice.core.analysis.hotspots import compute_hotspots, one_voice_per_place
from geoservice.core.analysis.zones import hot_zones, voice_table
from geoservice.core.categories import CATEGORIES, CATEGORY_CODES, TIME_BANDS
from geoservice.core.privacy.masking import mask_personal_data
from geoservice.core.privacy.suppression import PUBLIC_TIME_ZONE

__all__ = [
    "ACTIVITY_KEYS",
    "BAND_LABELS",
    "RESPONSIBLE",
    "ACTIVITY_STATUSES",
    "AccuracySummary",
    "HotspotSummary",
    "PeriodReport",
    "Totals",
    "build_period_report",
    "local_day_bounds",
]

Lang = Literal["sv", "en"]

BAND_LABELS: dict[str, tuple[str, str]] = {
    "day": ("Dag (06–18)", "Day (06–18)"),
    "evening": ("Kväll (18–22)", "Evening (18–22)"),
    "night": ("Natt (22–06)", "Night (22–06)"),
    "unknown": ("Vet inte / hela tiden", "Don't know / all the time"),
}
"""Swedish and English label of each time band."""

RESPONSIBLE: dict[str, tuple[str, str]] = {
    "police": ("Polisen", "Police"),
    "municipality": ("Kommunen", "Municipality"),
    "both": ("Polisen och kommunen", "Police and municipality"),
}
"""Who answers for an activity, in Swedish and English."""

ACTIVITY_STATUSES: dict[str, tuple[str, str]] = {
    "planned": ("Planerad", "Planned"),
    "ongoing": ("Pågår", "Ongoing"),
    "done": ("Genomförd", "Done"),
}
"""Status of an activity, in Swedish and English."""

ACTIVITY_KEYS: tuple[str, ...] = (
    "title",
    "responsible",
    "status",
    "area_names",
    "start_on",
    "end_on",
    "followup_sv",
    "followup_en",
)
"""Keys every activity dict must have."""

_CATEGORY_LABELS = {c.code: (c.label_sv, c.label_en) for c in CATEGORIES}


def _pick(labels: tuple[str, str], lang: Lang) -> str:
    return labels[0] if lang == "sv" else labels[1]


@dataclass(frozen=True)
class Totals:
    """Concerns in the period, both kinds of place.

    Attributes
    ----------
    count, previous : int
        Concerns in the period and in the previous period.
    change_pct : float or None
        ``(count - previous) / previous * 100``; None when ``previous`` is 0.
    unsafe, safe : int
        The period's concerns split by kind of place.
    """

    count: int
    previous: int
    change_pct: float | None
    unsafe: int
    safe: int


@dataclass(frozen=True, eq=False)
class HotspotSummary:
    """Hotspots of the period's unsafe concerns.

    Attributes
    ----------
    significant : bool
        Whether there were enough data to test significance.
    n_reports, n_cells_with_data : int
        Concerns and cells holding them, after one voice per place.
    explanation_sv, explanation_en : str
        The rule and the outcome in plain words.
    cells : pandas.DataFrame
        Listed cells, strongest first: ``cell`` (H3 string), ``count`` (None when below
        ``k``), ``gi_z`` (None without significance), ``hotspot_class``, ``area_name``
        (None outside every area), ``place`` (its hot zone's or the gazetteer's name),
        ``lon`` and ``lat`` of the centre (EPSG:4326).
    zones : list of HotZone
        The hot zones, strongest first, named from the gazetteer
        (:func:`~geoservice.core.analysis.zones.hot_zones`); trend against the previous
        period.
    """

    significant: bool
    n_reports: int
    n_cells_with_data: int
    explanation_sv: str
    explanation_en: str
    cells: pd.DataFrame
    zones: list = field(default_factory=list)

    def explanation(self, lang: Lang = "sv") -> str:
        """Return the explanation in ``lang``."""
        return self.explanation_sv if lang == "sv" else self.explanation_en


@dataclass(frozen=True, eq=False)
class AccuracySummary:
    """How well last period's maps predicted this period's concerns.

    Attributes
    ----------
    table : pandas.DataFrame
        :data:`~geoservice.core.analysis.accuracy.TABLE_COLUMNS`, one row per map and coverage.
    gi_significant : bool
        Whether last period had enough data for a Gi* map of its own.
    concerns_a, concerns_b : int
        Cleaned concerns of the previous and of this period in the study area.
    explanation_sv, explanation_en : str
        What the figures mean.
    """

    table: pd.DataFrame
    gi_significant: bool
    concerns_a: int
    concerns_b: int
    explanation_sv: str
    explanation_en: str

    def explanation(self, lang: Lang = "sv") -> str:
        """Return the explanation in ``lang``."""
        return self.explanation_sv if lang == "sv" else self.explanation_en


@dataclass(frozen=True, eq=False)
class PeriodReport:
    """Every figure of one *lägesbild*; see the module docstring for definitions.

    Attributes
    ----------
    start, end, previous_start, previous_end : datetime.date
        The period and the previous one, local days, last day included.
    generated_on : datetime.date
    lang : {"sv", "en"}
        Language of the labels in the tables.
    k : int
        Smallest cell count shown for a hex cell.
    demo : bool
        Whether any concern of the period is demo data.
    totals : Totals
    areas : pandas.DataFrame
        ``area_id``, ``name``, ``population``, ``count``, ``rate_per_1000`` (None without
        population), ``previous_count``, ``change``, ``change_pct`` (None when the
        previous count is 0); in the order of the areas.
    categories, time_bands : pandas.DataFrame
        ``code``, ``label``, ``count``, ``share`` (of the period's unsafe concerns, None
        when there are none) and ``previous``; every category or band, zeros included.
    band_week : pandas.DataFrame
        Time band (index) by ``weekday``/``weekend``/``unknown``.
    hotspots : HotspotSummary
    accuracy : AccuracySummary or None
        None when the study area or the previous period is empty.
    suggestion_counts : dict of str to int
        Suggestions per category code, every code present.
    suggestions : dict of str to tuple of str, or None
        Masked suggestions per category code (categories with any), oldest first; None
        when free text was not asked for.
    activities : tuple of dict
        The action plan's activities as given, keys :data:`ACTIVITY_KEYS`.
    """

    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    generated_on: dt.date
    lang: Lang
    k: int
    demo: bool
    totals: Totals
    areas: pd.DataFrame
    categories: pd.DataFrame
    time_bands: pd.DataFrame
    band_week: pd.DataFrame
    hotspots: HotspotSummary
    accuracy: AccuracySummary | None
    suggestion_counts: dict[str, int]
    suggestions: dict[str, tuple[str, ...]] | None
    activities: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def local_day_bounds(start: dt.date, end: dt.date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return UTC bounds of the local days ``start`` to ``end``, both included.

    Parameters
    ----------
    start, end : datetime.date
        First and last day in ``Europe/Stockholm``.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        ``[start 00:00, end + 1 day 00:00)`` local time, in UTC.
    """

    def midnight(day: dt.date) -> pd.Timestamp:
        return pd.Timestamp(day).tz_localize(PUBLIC_TIME_ZONE).tz_convert("UTC")

    return midnight(start), midnight(end + dt.timedelta(days=1))


def _check_day(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValueError(f"'{name}' should be a datetime.date, got {type(value)}")
    return value


def _check_activities(activities: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    out = []
    for i, activity in enumerate(activities):
        if not isinstance(activity, Mapping):
            raise ValueError(f"activity {i} should be a dict, got {type(activity)}")
        missing = [key for key in ACTIVITY_KEYS if key not in activity]
        if missing:
            raise ValueError(f"activity {i} is missing key(s): {', '.join(missing)}")
        for key, allowed in (("responsible", RESPONSIBLE), ("status", ACTIVITY_STATUSES)):
            if activity[key] not in allowed:
                raise ValueError(
                    f"activity {i} has {key} {activity[key]!r}; expected one of "
                    f"{', '.join(allowed)}"
                )
        names = activity["area_names"]
        out.append(dict(activity, area_names=[names] if isinstance(names, str) else list(names)))
    return tuple(out)


def _change_pct(count: int, previous: int) -> float | None:
    return (count - previous) / previous * 100.0 if previous else None


def _share_table(
    current: pd.Series, previous: pd.Series, codes: Sequence[str], labels: Mapping, lang: Lang
) -> pd.DataFrame:
    count = current.value_counts().reindex(list(codes), fill_value=0).astype(int)
    before = previous.value_counts().reindex(list(codes), fill_value=0).astype(int)
    total = int(count.sum())
    return pd.DataFrame(
        {
            "code": list(codes),
            "label": [_pick(labels[c], lang) for c in codes],
            "count": count.to_numpy(),
            "share": pd.Series([n / total if total else None for n in count], dtype=object),
            "previous": before.to_numpy(),
        }
    )


def _area_table(df: pd.DataFrame, areas, bounds, previous_bounds) -> pd.DataFrame:
    # aggregate_areas' own previous period is a UTC duration; local days differ from it
    # by an hour across a daylight-saving change, so the previous count is taken apart.
    table = aggregate_areas(df, areas, *bounds)
    previous = aggregate_areas(df, areas, *previous_bounds)["count"].to_numpy()
    count = table["count"].to_numpy()
    return pd.DataFrame(
        {
            "area_id": table["area_id"],
            "name": table["name"],
            "population": table["population"],
            "count": count,
            "rate_per_1000": table["rate_per_1000"],
            "previous_count": previous,
            "change": count - previous,
            "change_pct": pd.Series(
                [_change_pct(int(c), int(p)) for c, p in zip(count, previous, strict=True)],
                dtype=object,
            ),
        }
    )


def _area_names_at(lon: np.ndarray, lat: np.ndarray, areas) -> list[str | None]:
    names: list[str | None] = [None] * len(lon)
    geoms = areas.to_crs("EPSG:4326").geometry if areas.crs is not None else areas.geometry
    for name, geom in zip(areas["name"].tolist(), geoms.to_numpy(), strict=True):
        if geom is None:
            continue
        inside = shapely.contains_xy(geom, lon, lat)
        for i in np.flatnonzero(inside).tolist():
            names[i] = names[i] or str(name)
    return names


def _voices(frame: pd.DataFrame) -> pd.DataFrame:
    points = active_reports(frame)
    cells = cells_for_points(points["lat"], points["lon"]) if len(points) else np.zeros(0)
    return voice_table(one_voice_per_place(points, np.asarray(cells, dtype=np.uint64)))


def _hotspot_summary(
    current: pd.DataFrame, areas, study_cells, k: int, previous=None, places=None
) -> HotspotSummary:
    result = compute_hotspots(current, mask_cells=study_cells, min_voices=k)
    zones = []
    if result.n_hot:
        before = _voices(previous) if previous is not None else None
        zones = hot_zones(result, _voices(current), previous=before, places=places)
    zone_name = {c: z.name_sv for z in zones for c in z.cells}
    hot = np.char.startswith(result.classes.astype(str), "hot")
    if result.significant:
        # Cells holding most voices first (hot neighbours without concerns after), then z.
        order = np.flatnonzero(hot)[np.lexsort((-result.z[hot], -result.counts[hot]))]
    else:
        held = np.flatnonzero(result.counts >= k)
        order = held[np.argsort(-result.counts[held], kind="stable")]
    cells = result.cells[order]
    lat, lon = cell_centres(cells) if cells.size else (np.zeros(0), np.zeros(0))
    counts = result.counts[order].tolist()
    table = pd.DataFrame(
        {
            "cell": [h3.int_to_str(int(c)) for c in cells.tolist()],
            "count": pd.Series([c if c >= k else None for c in counts], dtype=object),
            "gi_z": pd.Series(
                [float(z) if result.significant else None for z in result.z[order]],
                dtype=object,
            ),
            "hotspot_class": pd.Series(result.classes[order].tolist(), dtype=object),
            "area_name": pd.Series(_area_names_at(lon, lat, areas), dtype=object),
            "place": pd.Series(
                [
                    zone_name.get(h3.int_to_str(int(c)))
                    or (places.label(int(c)) if places is not None else None)
                    for c in cells.tolist()
                ],
                dtype=object,
            ),
            "lon": lon,
            "lat": lat,
        }
    )
    return HotspotSummary(
        significant=result.significant,
        n_reports=result.n_reports,
        n_cells_with_data=result.n_cells_with_data,
        explanation_sv=result.explanation_sv,
        explanation_en=result.explanation_en,
        cells=table,
        zones=zones,
    )


def _accuracy_summary(previous: pd.DataFrame, current: pd.DataFrame, study_cells):
    if not np.asarray(study_cells).size:
        return None
    result = predictive_accuracy(previous, current, study_cells)
    if not result["concerns_a"]:
        return None
    return AccuracySummary(
        table=result["table"],
        gi_significant=result["gi_significant"],
        concerns_a=result["concerns_a"],
        concerns_b=result["concerns_b"],
        explanation_sv=result["explanation_sv"],
        explanation_en=result["explanation_en"],
    )


def _suggestions(period: pd.DataFrame) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    text = period["suggestion"].where(period["suggestion"].notna(), "").astype(str).str.strip()
    given = period.loc[text != ""].assign(suggestion=text[text != ""])
    given = given.sort_values("created_at", kind="stable")
    counts = {code: int((given["category"] == code).sum()) for code in CATEGORY_CODES}
    grouped = {
        code: tuple(
            mask_personal_data(s) for s in given.loc[given["category"] == code, "suggestion"]
        )
        for code in CATEGORY_CODES
        if counts[code]
    }
    return counts, grouped


def build_period_report(
    df: pd.DataFrame,
    areas,
    *,
    start: dt.date,
    end: dt.date,
    study_cells: npt.ArrayLike,
    activities: Sequence[Mapping[str, Any]],
    include_suggestions: bool,
    k: int,
    lang: Lang = "sv",
    generated_on: dt.date | None = None,
    places=None,
) -> PeriodReport:
    """Build the *lägesbild* for the local days ``start`` to ``end``.

    Parameters
    ----------
    df : pandas.DataFrame
        **All** concerns (:data:`~geoservice.core.analysis.aggregate.REPORT_COLUMNS` and
        ``suggestion``), so that the previous period can be taken from it too.
    areas : geopandas.GeoDataFrame
        Areas with ``id``, ``name``, ``population`` and geometry (its CRS is honoured;
        EPSG:4326 when unset).
    start, end : datetime.date
        First and last day of the period in ``Europe/Stockholm``.
    study_cells : array_like of uint64
        Study area (:func:`~geoservice.core.analysis.study_area.study_area_cells` of all concerns).
    activities : sequence of dict
        Action-plan activities with the keys :data:`ACTIVITY_KEYS`, follow-up sentences
        already written by the caller.
    include_suggestions : bool
        Include the (masked) suggestion texts; False for roles that may not read free
        text, which get the count per category only.
    k : int
        Smallest cell count shown for a hex cell; a hex cell is nearly a point, so a
        count below ``k`` is printed as "fewer than k", and without significance only
        cells holding at least ``k`` concerns are listed.
    lang : {"sv", "en"}, default "sv"
        Language of the labels in the tables.
    generated_on : datetime.date, optional
        Date printed on the report; today in Mellerud by default.
    places : Gazetteer, optional
        Names the hot zones and listed cells (:mod:`geoservice.core.places.gazetteer`).

    Returns
    -------
    PeriodReport

    Raises
    ------
    ValueError
        On a missing column, a date that is not a ``datetime.date``, ``end`` before
        ``start``, a bad ``k`` or ``lang``, or a malformed activity.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"'df' should be a DataFrame, got {type(df)}")
    missing = [c for c in (*REPORT_COLUMNS, "suggestion") if c not in df.columns]
    if missing:
        raise ValueError(f"'df' is missing column(s): {', '.join(missing)}")
    start, end = _check_day(start, "start"), _check_day(end, "end")
    if end < start:
        raise ValueError(f"'end' should not be before 'start', got {start} and {end}")
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"'k' should be a positive int, got {k!r}")
    if lang not in ("sv", "en"):
        raise ValueError(f"'lang' should be 'sv' or 'en', got {lang!r}")
    if not isinstance(include_suggestions, bool):
        raise ValueError(f"'include_suggestions' should be a bool, got {include_suggestions!r}")
    checked_activities = _check_activities(activities)
    days = end - start + dt.timedelta(days=1)
    previous_start, previous_end = start - days, start - dt.timedelta(days=1)
    bounds = local_day_bounds(start, end)
    previous_bounds = local_day_bounds(previous_start, previous_end)

    active = active_reports(df)
    period = filter_reports(active, *bounds, kind=None)
    before = filter_reports(active, *previous_bounds, kind=None)
    current, previous = (
        period.loc[period["kind"] == "unsafe"],
        before.loc[before["kind"] == "unsafe"],
    )
    count, previous_count = len(period), len(before)
    totals = Totals(
        count=count,
        previous=previous_count,
        change_pct=_change_pct(count, previous_count),
        unsafe=len(current),
        safe=int((period["kind"] == "safe").sum()),
    )
    suggestion_counts, grouped = _suggestions(period)
    if generated_on is None:
        generated_on = pd.Timestamp.now(tz=PUBLIC_TIME_ZONE).date()
    return PeriodReport(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        generated_on=generated_on,
        lang=lang,
        k=int(k),
        demo=bool(period["is_demo"].eq(True).any()),
        totals=totals,
        areas=_area_table(df, areas, bounds, previous_bounds),
        categories=_share_table(
            current["category"], previous["category"], CATEGORY_CODES, _CATEGORY_LABELS, lang
        ),
        time_bands=_share_table(
            current["time_of_day"], previous["time_of_day"], TIME_BANDS, BAND_LABELS, lang
        ),
        band_week=band_week_table(current),
        hotspots=_hotspot_summary(current, areas, study_cells, k, previous, places),
        accuracy=_accuracy_summary(previous, current, study_cells),
        suggestion_counts=suggestion_counts,
        suggestions=grouped if include_suggestions else None,
        activities=checked_activities,
    )
