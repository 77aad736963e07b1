"""Synthetic demo concerns for Mellerud: **every row produced here is invented**.

Nothing in this module comes from a resident, the police or the municipality. It generates
clearly labelled, plausible-looking *synthetic* concerns (``report`` rows, §2–§6 of the
specification) so that maps, hotspots, patrol plans and period reports have something
structured to show in development, tests and demonstrations. Rows made from it must be
stored with ``source = DEMO_SOURCE`` so ``geoservice seed-demo --remove`` can take exactly
them away again.

The structure is deliberate and visible:

* more concerns in Mellerud town centre, at the railway station and along the main
  streets; fewer in the villages; a thin scatter over the rest of the municipality;
* drugs and disorder mostly in the evening and at night, more often at weekends, with
  two planted night-time hotspots (by the station and in a park in the centre);
* poor-lighting concerns mostly in November–February and in the evening or at night;
* traffic along the main roads in daytime, theft spread over residential parts,
  vandalism near schools and the station;
* a seasonal component and a mild upward trend in the creation dates;
* a few bursts where one client reports the same spot several times on one day, to
  exercise the "one voice per place" rule.

All place coordinates below are **approximate** (town and village positions to roughly
100–1,000 m; street lines are crude straight-line stand-ins for the real streets) and
only give the synthetic scatter a recognisable shape. None of it is surveyed. Sources:

* Wikipedia infoboxes (Swedish/German articles, which cite Statistics Sweden's locality
  data): Åsensbruk 58°47′7″N 12°25′44″E; Håverud 58°49′N 12°25′E; Dals Rostock
  58°43′N 12°21′E; Mellerud town 58°42′N 12°28′E. The last three are given only to the
  minute, so they are good to about ±1 km.
* The town-centre point (58.7005 N, 12.4535 E) is a project estimate. It agrees with the
  Wikipedia town position within that rounding.
* Everything else comes from general knowledge of the map and was not checked against a
  survey: Melleruds station just east of the centre on the Göteborg–Kil line; the E45
  west of the town; road 166 west to Dals Rostock; Köpmannebro, Sunnanå and Bränna by
  Lake Vänern; Bolstad, Erikstad and Grinstad to the south; Dalskog to the west; the
  schools, the park and the residential districts.

Sources that fall outside a more detailed outline (for example one that leaves out Lake
Vänern) are redrawn, and in the end they fall back to a uniform scatter.

Free text: ``description`` is always ``None``; ``suggestion`` is either ``None`` or a
short phrase from a fixed list, always prefixed ``"[Demo] "``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geoservice.core.privacy.suppression import PUBLIC_TIME_ZONE

__all__ = [
    "AGE_BANDS",
    "CATEGORIES",
    "DEMO_SOURCE",
    "DEMO_TEXT_PREFIX",
    "ROLES",
    "TIME_BANDS",
    "synthesize_reports",
]

DEMO_SOURCE = "demo"
"""Value of the ``source`` field that marks a stored concern as synthetic demo data."""

DEMO_TEXT_PREFIX = "[Demo] "
"""Prefix of every synthetic free-text value, so it can never be mistaken for a resident's."""

CATEGORIES: tuple[str, ...] = (
    "drugs",
    "lighting",
    "vandalism",
    "disorder",
    "harassment",
    "traffic",
    "theft",
    "littering",
    "environment",
    "other",
)
TIME_BANDS: tuple[str, ...] = ("day", "evening", "night", "unknown")
ROLES: tuple[str, ...] = ("resident", "works", "visitor")
AGE_BANDS: tuple[str, ...] = ("under_18", "18_29", "30_49", "50_64", "65_plus")

_CAT_INDEX = {code: i for i, code in enumerate(CATEGORIES)}
_NS = 1_000_000_000
_METRIC_CRS = "EPSG:3006"
_LONLAT_CRS = "EPSG:4326"

# --------------------------------------------------------------------------------------
# Category mixes per kind of place (weights, normalised later).
# --------------------------------------------------------------------------------------
_MIX_CENTRE = {
    "drugs": 12, "lighting": 10, "vandalism": 10, "disorder": 18, "harassment": 12,
    "traffic": 8, "theft": 6, "littering": 10, "environment": 6, "other": 8,
}  # fmt: skip
_MIX_STATION = {
    "drugs": 18, "lighting": 10, "vandalism": 18, "disorder": 18, "harassment": 12,
    "traffic": 4, "theft": 8, "littering": 6, "environment": 3, "other": 3,
}  # fmt: skip
_MIX_HOTSPOT = {"drugs": 55, "disorder": 40, "harassment": 5}
_MIX_MAIN_ROAD = {
    "drugs": 4, "lighting": 12, "vandalism": 5, "disorder": 10, "harassment": 5,
    "traffic": 45, "theft": 5, "littering": 8, "environment": 3, "other": 3,
}  # fmt: skip
_MIX_HIGHWAY = {"traffic": 75, "lighting": 10, "littering": 8, "other": 7}
_MIX_RESIDENTIAL = {
    "drugs": 5, "lighting": 20, "vandalism": 8, "disorder": 5, "harassment": 4,
    "traffic": 10, "theft": 28, "littering": 6, "environment": 10, "other": 4,
}  # fmt: skip
_MIX_SCHOOL = {
    "drugs": 10, "lighting": 10, "vandalism": 30, "disorder": 5, "harassment": 12,
    "traffic": 20, "littering": 8, "other": 5,
}  # fmt: skip
_MIX_VILLAGE = {
    "drugs": 4, "lighting": 20, "vandalism": 8, "disorder": 6, "harassment": 4,
    "traffic": 20, "theft": 15, "littering": 7, "environment": 12, "other": 4,
}  # fmt: skip
_MIX_COUNTRYSIDE = {
    "lighting": 20, "traffic": 15, "theft": 15, "littering": 12, "environment": 25,
    "other": 13,
}  # fmt: skip
_MIX_SAFE = {"other": 45, "lighting": 20, "environment": 20, "traffic": 10, "littering": 5}


@dataclass(frozen=True)
class _Source:
    """One component of the spatial mixture.

    ``coords`` holds ``(lat, lon)`` pairs: one pair for a point centre, two or more for a
    polyline. ``sigma_m`` is the Gaussian scatter in metres (isotropic around a point,
    around a uniformly chosen position along a line). ``None`` coords means a uniform
    scatter over the whole outline.
    """

    name: str
    coords: tuple[tuple[float, float], ...] | None
    sigma_m: float
    weight: float
    mix: dict[str, float]
    safe_share: float = 0.10
    hotspot: bool = False


# All coordinates are APPROXIMATE (see the module docstring); (lat, lon) in WGS 84.
_SOURCES: tuple[_Source, ...] = (
    # Mellerud town (tätort, about 4,000 residents)
    _Source("Mellerud centrum (torget/Storgatan, approx.)", ((58.7005, 12.4535),), 160, 20,
            _MIX_CENTRE),
    _Source("Melleruds station / resecentrum (approx.)", ((58.7010, 12.4615),), 110, 10,
            _MIX_STATION),
    _Source("Storgatan, west-east through the centre (approx. line)",
            ((58.7000, 12.4420), (58.7005, 12.4535), (58.7010, 12.4615)), 60, 9,
            _MIX_MAIN_ROAD),
    _Source("Main street north-south through the town (approx. line)",
            ((58.6890, 12.4560), (58.7005, 12.4550), (58.7120, 12.4520)), 70, 7,
            _MIX_MAIN_ROAD),
    _Source("E45 past the west of the town (approx. line)",
            ((58.6800, 12.4420), (58.7000, 12.4340), (58.7250, 12.4330)), 90, 4,
            _MIX_HIGHWAY, safe_share=0.02),
    _Source("Road 166 towards Dals Rostock (approx. line)",
            ((58.7000, 12.4340), (58.7100, 12.4000), (58.7167, 12.3600)), 90, 2.5,
            _MIX_HIGHWAY, safe_share=0.02),
    _Source("Residential north of the centre (approx.)", ((58.7085, 12.4500),), 260, 5,
            _MIX_RESIDENTIAL),
    _Source("Residential south of the centre (approx.)", ((58.6925, 12.4575),), 260, 4.5,
            _MIX_RESIDENTIAL),
    _Source("Residential west of the centre (approx.)", ((58.7005, 12.4400),), 240, 3.5,
            _MIX_RESIDENTIAL),
    _Source("School area north-west of the centre (approx.)", ((58.7045, 12.4470),), 110, 3,
            _MIX_SCHOOL),
    _Source("School area south of the centre (approx.)", ((58.6955, 12.4510),), 110, 2,
            _MIX_SCHOOL),
    # Planted night-time hotspots for drugs and disorder
    _Source("Planted hotspot: behind the station (approx.)", ((58.7018, 12.4628),), 45, 5,
            _MIX_HOTSPOT, safe_share=0.0, hotspot=True),
    _Source("Planted hotspot: park in the centre (approx.)", ((58.6988, 12.4560),), 50, 4.5,
            _MIX_HOTSPOT, safe_share=0.0, hotspot=True),
    # Villages (tätorter and småorter), all approximate
    _Source("Åsensbruk (approx.)", ((58.7853, 12.4289),), 280, 4, _MIX_VILLAGE),
    _Source("Håverud (approx.)", ((58.8200, 12.4100),), 200, 1.5, _MIX_VILLAGE),
    _Source("Dals Rostock (approx.)", ((58.7167, 12.3500),), 260, 3.5, _MIX_VILLAGE),
    _Source("Köpmannebro (approx.)", ((58.7700, 12.5000),), 200, 1.2, _MIX_VILLAGE),
    _Source("Bränna (approx.)", ((58.6750, 12.4950),), 220, 1.8, _MIX_VILLAGE),
    _Source("Sunnanå (approx.)", ((58.6950, 12.4880),), 180, 1.2, _MIX_VILLAGE),
    _Source("Bolstad (approx.)", ((58.6400, 12.4150),), 250, 0.8, _MIX_VILLAGE),
    _Source("Erikstad (approx.)", ((58.6150, 12.4100),), 250, 0.6, _MIX_VILLAGE),
    _Source("Grinstad (approx.)", ((58.6050, 12.4650),), 250, 0.5, _MIX_VILLAGE),
    _Source("Dalskog (approx.)", ((58.7459, 12.2886),), 250, 0.5, _MIX_VILLAGE),
    # Thin scatter over the whole municipality
    _Source("Countryside scatter (uniform over the outline)", None, 0.0, 4.5,
            _MIX_COUNTRYSIDE),
)  # fmt: skip

# Time-of-day profile per category: probabilities of (day, evening, night, unknown).
_BAND_PROFILE = {
    "drugs": (0.10, 0.38, 0.47, 0.05),
    "disorder": (0.10, 0.40, 0.45, 0.05),
    "lighting": (0.04, 0.50, 0.41, 0.05),
    "traffic": (0.66, 0.20, 0.07, 0.07),
    "theft": (0.25, 0.25, 0.40, 0.10),
    "vandalism": (0.20, 0.35, 0.40, 0.05),
    "harassment": (0.25, 0.40, 0.30, 0.05),
    "littering": (0.60, 0.20, 0.10, 0.10),
    "environment": (0.35, 0.35, 0.20, 0.10),
    "other": (0.40, 0.25, 0.20, 0.15),
}
_HOTSPOT_BANDS = (0.03, 0.30, 0.65, 0.02)

# Probability that weekend is True for a given category ("helg" = Fri 18 – Mon 06 is
# 60 of 168 hours, about 36 %; drugs and disorder are over-represented at weekends).
_WEEKEND_SHARE = {"drugs": 0.62, "disorder": 0.66, "harassment": 0.45}
_WEEKEND_SHARE_DEFAULT = 0.33
_HOTSPOT_WEEKEND_SHARE = 0.75

# Plausible hours within each band (local time), with weights.
_BAND_HOURS = {
    "day": (tuple(range(6, 18)), (1, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 3)),
    "evening": ((18, 19, 20, 21), (3, 3, 3, 3)),
    "night": ((22, 23, 0, 1, 2, 3, 4, 5), (5, 5, 4, 3, 2, 1, 1, 1)),
}

# When a resident submits (local hour of created_at), relative weights for 0..23.
_SUBMIT_HOUR_WEIGHTS = np.array(
    [2, 1, 0.6, 0.4, 0.3, 0.4, 1, 2, 3, 4, 4, 4, 5, 5, 4, 4, 5, 6, 7, 8, 8, 7, 5, 3],
    dtype=float,
)

_ROLE_CHOICES = ("resident", "works", "visitor", None)
_ROLE_P = (0.70, 0.10, 0.08, 0.12)
_AGE_CHOICES = (None, "under_18", "18_29", "30_49", "50_64", "65_plus")
_AGE_P = (0.25, 0.06, 0.14, 0.25, 0.17, 0.13)

_SUGGESTIONS = {
    "drugs": (
        "Fler vuxna ute på kvällarna",
        "Mer polisnärvaro på helgkvällar",
        "Mer fritidsaktiviteter för unga på kvällstid",
    ),
    "disorder": (
        "Fler vuxna ute på kvällarna",
        "Nattvandrare på helgerna",
        "Mer polisnärvaro på helgkvällar",
    ),
    "lighting": (
        "Bättre belysning på gångvägen",
        "Byt ut trasiga gatlampor snabbare",
        "Belysning i parken",
    ),
    "vandalism": (
        "Snabbare sanering av klotter",
        "Fler vuxna ute på kvällarna",
        "Bättre belysning vid stationen",
    ),
    "harassment": (
        "Mer polisnärvaro på helgkvällar",
        "Fler vuxna ute på kvällarna",
    ),
    "traffic": (
        "Farthinder vid skolan",
        "Sänkt hastighet genom samhället",
        "Fler säkra övergångsställen",
    ),
    "theft": (
        "Grannsamverkan i området",
        "Bättre belysning vid parkeringen",
    ),
    "littering": (
        "Fler papperskorgar",
        "Städa området oftare",
    ),
    "environment": (
        "Röj buskar och sly längs gångvägen",
        "Klipp ner växtligheten vid gångtunneln",
    ),
    "other": (
        "Mer information från kommunen",
        "Fler vuxna ute på kvällarna",
    ),
}
_SUGGESTION_SHARE = 0.35

_AREA_PRECISION_SHARE = 0.05
_EXACT_HOUR_SHARE = 0.30
_WEEKEND_NONE_SHARE = 0.08

_COLUMNS = (
    "lon",
    "lat",
    "created_at",
    "kind",
    "category",
    "time_of_day",
    "weekend",
    "precision",
    "role",
    "age_band",
    "client_key",
    "exact_hour",
    "description",
    "suggestion",
)


def _as_utc(value: datetime) -> pd.Timestamp:
    """Return ``value`` as a UTC timestamp (a naive value is taken to be UTC already)."""
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        return ts.tz_localize("UTC")
    return ts.tz_convert("UTC")


def _normalised(mix: dict[str, float]) -> np.ndarray:
    """Return a probability vector over :data:`CATEGORIES` from a weight mapping."""
    vec = np.array([float(mix.get(code, 0.0)) for code in CATEGORIES])
    return vec / vec.sum()


def _outline_polygon(outline: gpd.GeoDataFrame) -> shapely.Geometry:
    """Return the union of the outline in EPSG:4326, prepared for fast point tests."""
    if outline is None or len(outline) == 0:
        raise ValueError("outline is empty: need the municipality polygon")
    frame = outline if outline.crs is not None else outline.set_crs(_LONLAT_CRS)
    geom = frame.to_crs(_LONLAT_CRS).geometry.union_all()
    if geom.is_empty or geom.area <= 0:
        raise ValueError("outline has no area: need the municipality polygon")
    shapely.prepare(geom)
    return geom


def _sample_source_points(
    source: _Source,
    count: int,
    rng: np.random.Generator,
    polygon: shapely.Geometry,
    to_metric: Transformer,
    to_lonlat: Transformer,
    metric_bounds: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``count`` lon/lat points for one source, all inside ``polygon``.

    Points are scattered in EPSG:3006 metres, transformed to EPSG:4326 and redrawn when
    they fall outside the outline. If a source keeps missing the outline (e.g. a centre in
    a lake on a detailed outline), the remainder falls back to a uniform scatter.
    """
    lon_out = np.empty(count)
    lat_out = np.empty(count)
    filled = 0
    if source.coords is not None:
        lats = np.array([c[0] for c in source.coords])
        lons = np.array([c[1] for c in source.coords])
        xs, ys = to_metric.transform(lons, lats)
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        if len(xs) > 1:
            seg_len = np.hypot(np.diff(xs), np.diff(ys))
            seg_p = seg_len / seg_len.sum()
        for _ in range(60):
            need = count - filled
            if need == 0:
                break
            batch = max(2 * need, 16)
            if len(xs) == 1:
                bx = np.full(batch, xs[0])
                by = np.full(batch, ys[0])
            else:
                seg = rng.choice(len(seg_p), size=batch, p=seg_p)
                t = rng.random(batch)
                bx = xs[seg] + t * (xs[seg + 1] - xs[seg])
                by = ys[seg] + t * (ys[seg + 1] - ys[seg])
            bx = bx + rng.normal(0.0, source.sigma_m, batch)
            by = by + rng.normal(0.0, source.sigma_m, batch)
            blon, blat = to_lonlat.transform(bx, by)
            blon, blat = np.asarray(blon, dtype=float), np.asarray(blat, dtype=float)
            ok = shapely.contains_xy(polygon, blon, blat)
            take = np.flatnonzero(ok)[:need]
            lon_out[filled : filled + len(take)] = blon[take]
            lat_out[filled : filled + len(take)] = blat[take]
            filled += len(take)
    # uniform scatter over the outline (the countryside source, or a fallback)
    minx, miny, maxx, maxy = metric_bounds
    guard = 0
    while filled < count:
        guard += 1
        if guard > 10_000:  # pragma: no cover - only for absurd outlines
            raise ValueError("could not place points inside the outline")
        need = count - filled
        batch = max(4 * need, 64)
        bx = rng.uniform(minx, maxx, batch)
        by = rng.uniform(miny, maxy, batch)
        blon, blat = to_lonlat.transform(bx, by)
        blon, blat = np.asarray(blon, dtype=float), np.asarray(blat, dtype=float)
        take = np.flatnonzero(shapely.contains_xy(polygon, blon, blat))[:need]
        lon_out[filled : filled + len(take)] = blon[take]
        lat_out[filled : filled + len(take)] = blat[take]
        filled += len(take)
    return lon_out, lat_out


def _season_weight(cat_idx: np.ndarray, doy: np.ndarray) -> np.ndarray:
    """Relative seasonal intensity (≤ 1.15) for each category at each day of year."""
    phase_summer = np.cos(2 * np.pi * (doy - 196) / 365.25)  # +1 mid-July
    phase_winter = np.cos(2 * np.pi * (doy - 355) / 365.25)  # +1 about 21 December
    phase_autumn = np.cos(2 * np.pi * (doy - 250) / 365.25)  # +1 early September
    w = (1 + 0.10 * phase_summer) / 1.15
    summer_cats = np.isin(
        cat_idx, [_CAT_INDEX[c] for c in ("drugs", "disorder", "littering", "harassment")]
    )
    w = np.where(summer_cats, (1 + 0.35 * phase_summer) / 1.35, w)
    w = np.where(cat_idx == _CAT_INDEX["traffic"], (1 + 0.2 * phase_autumn) / 1.2, w)
    lighting = (0.10 + ((1 + phase_winter) / 2) ** 2) / 1.10
    return np.where(cat_idx == _CAT_INDEX["lighting"], lighting, w)


def _sample_created_at(
    cat_idx: np.ndarray,
    start: pd.Timestamp,
    end: pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DatetimeIndex:
    """Draw creation instants in ``[start, end)`` by rejection sampling.

    The acceptance weight combines the category's season, a mild upward trend across the
    window and the local hour at which people tend to submit (more in the evening).
    """
    n = len(cat_idx)
    span_ns = int((end - start).value)
    max_s = max(-(-span_ns // _NS) - 1, 0)  # last whole second strictly before end
    start_ns = int(start.value)
    out = np.empty(n, dtype=np.int64)
    pending = np.arange(n)
    submit_w = _SUBMIT_HOUR_WEIGHTS / _SUBMIT_HOUR_WEIGHTS.max()
    for _ in range(500):
        if len(pending) == 0:
            break
        frac = rng.random(len(pending))
        # whole seconds after start (a submitted form carries no finer time)
        offs = np.minimum(np.floor(frac * (span_ns / _NS)).astype(np.int64), max_s) * _NS
        cand = pd.DatetimeIndex(start_ns + offs, tz="UTC")
        local = cand.tz_convert(PUBLIC_TIME_ZONE)
        doy = np.asarray(local.day_of_year, dtype=float)
        hour = np.asarray(local.hour, dtype=int)
        weight = _season_weight(cat_idx[pending], doy) * (0.75 + 0.25 * frac) * submit_w[hour]
        accept = rng.random(len(pending)) < weight
        out[pending[accept]] = start_ns + offs[accept]
        pending = pending[~accept]
    if len(pending):  # pragma: no cover - acceptance is never that low
        out[pending] = start_ns + (rng.random(len(pending)) * max_s).astype(np.int64) * _NS
    return pd.DatetimeIndex(out, tz="UTC")


def _client_keys(rng: np.random.Generator, count: int) -> list[str]:
    """Return ``count`` synthetic 64-hex-digit client keys (look like daily keyed hashes)."""
    raw = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
    return [row.tobytes().hex() for row in raw]


def synthesize_reports(
    outline: gpd.GeoDataFrame,
    n: int = 1500,
    start: datetime | None = None,
    end: datetime | None = None,
    seed: int = 1461,
) -> pd.DataFrame:
    """Generate clearly labelled, invented demo concerns for Mellerud.

    Parameters
    ----------
    outline : geopandas.GeoDataFrame
        The municipality outline (any CRS; a frame without CRS is taken as EPSG:4326).
        All geometries are unioned; every generated point lies inside the union.
    n : int, default 1500
        Number of rows to return.
    start, end : datetime, optional
        The window ``[start, end)`` for ``created_at``. Naive values are read as UTC.
        Default: the 365 days before the start of the current UTC day (so pass both for a
        fully reproducible result).
    seed : int, default 1461
        Seed of the :class:`numpy.random.Generator`; the same arguments and seed give the
        same frame.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows sorted by ``created_at`` with columns

        ``lon``, ``lat`` (float, EPSG:4326), ``created_at`` (UTC), ``kind``
        (``"unsafe"`` or about 8 % ``"safe"``), ``category`` (a §4 code),
        ``time_of_day`` (``day``/``evening``/``night``/``unknown``), ``weekend``
        (``bool`` or ``None``), ``precision`` (``"point"`` or a few ``"area"``; area rows
        still carry a plausible point for area assignment), ``role`` (``resident``/
        ``works``/``visitor`` or ``None``), ``age_band`` (a band code or ``None``),
        ``client_key`` (synthetic 64-digit hex; a few clients repeat on one day at one
        spot), ``exact_hour`` (``int`` 0–23 within the band, or ``None``),
        ``description`` (always ``None``) and ``suggestion`` (``None`` or
        ``"[Demo] ..."``). Nullable columns have ``object`` dtype holding ``None``.

    Raises
    ------
    ValueError
        If ``n`` is negative, the window is empty or the outline has no area.

    Notes
    -----
    The data are invented; store them with ``source = DEMO_SOURCE``. The place
    coordinates used to shape the scatter are approximate (see the module docstring).
    """
    if n < 0:
        raise ValueError("n must be zero or positive")
    if end is None:
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if start is None:
        start = _as_utc(end).to_pydatetime() - timedelta(days=365)
    start_ts, end_ts = _as_utc(start), _as_utc(end)
    if end_ts <= start_ts:
        raise ValueError("end must be after start")
    polygon = _outline_polygon(outline)
    if n == 0:
        return _empty_frame()

    rng = np.random.default_rng(seed)
    to_metric = Transformer.from_crs(_LONLAT_CRS, _METRIC_CRS, always_xy=True)
    to_lonlat = Transformer.from_crs(_METRIC_CRS, _LONLAT_CRS, always_xy=True)
    minx, miny, maxx, maxy = polygon.bounds
    bx, by = to_metric.transform(
        np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy])
    )
    metric_bounds = (float(np.min(bx)), float(np.min(by)), float(np.max(bx)), float(np.max(by)))

    # A few bursts: the same client several times on one day at one spot.
    n_burst_extra = int(round(0.02 * n)) if n >= 50 else 0
    n_base = n - n_burst_extra

    # 1. place kind (mixture component) of every base row
    weights = np.array([s.weight for s in _SOURCES])
    src_idx = rng.choice(len(_SOURCES), size=n_base, p=weights / weights.sum())

    lon = np.empty(n_base)
    lat = np.empty(n_base)
    cat_idx = np.empty(n_base, dtype=int)
    kind_safe = np.zeros(n_base, dtype=bool)
    hotspot = np.zeros(n_base, dtype=bool)
    safe_p = _normalised(_MIX_SAFE)
    for k, source in enumerate(_SOURCES):
        rows = np.flatnonzero(src_idx == k)
        if len(rows) == 0:
            continue
        lon[rows], lat[rows] = _sample_source_points(
            source, len(rows), rng, polygon, to_metric, to_lonlat, metric_bounds
        )
        safe = rng.random(len(rows)) < source.safe_share
        kind_safe[rows] = safe
        cat_idx[rows] = rng.choice(len(CATEGORIES), size=len(rows), p=_normalised(source.mix))
        n_safe = int(safe.sum())
        if n_safe:
            cat_idx[rows[safe]] = rng.choice(len(CATEGORIES), size=n_safe, p=safe_p)
        hotspot[rows] = source.hotspot

    # 2. time band, weekend and exact hour
    band_idx = np.empty(n_base, dtype=int)
    weekend_p = np.empty(n_base)
    for ci, code in enumerate(CATEGORIES):
        rows = np.flatnonzero((cat_idx == ci) & ~hotspot)
        if len(rows):
            band_idx[rows] = rng.choice(4, size=len(rows), p=_BAND_PROFILE[code])
        weekend_p[cat_idx == ci] = _WEEKEND_SHARE.get(code, _WEEKEND_SHARE_DEFAULT)
    hot_rows = np.flatnonzero(hotspot)
    if len(hot_rows):
        band_idx[hot_rows] = rng.choice(4, size=len(hot_rows), p=_HOTSPOT_BANDS)
        weekend_p[hot_rows] = _HOTSPOT_WEEKEND_SHARE
    weekend_val = rng.random(n_base) < weekend_p
    none_p = np.where(band_idx == 3, 0.5, _WEEKEND_NONE_SHARE)
    weekend_none = rng.random(n_base) < none_p

    exact_hour: list[int | None] = [None] * n_base
    give_hour = (rng.random(n_base) < _EXACT_HOUR_SHARE) & (band_idx != 3)
    for bi, band in enumerate(TIME_BANDS[:3]):
        rows = np.flatnonzero(give_hour & (band_idx == bi))
        hours, hw = _BAND_HOURS[band]
        hw_arr = np.asarray(hw, dtype=float)
        drawn = rng.choice(np.asarray(hours), size=len(rows), p=hw_arr / hw_arr.sum())
        for r, h in zip(rows, drawn, strict=True):
            exact_hour[r] = int(h)

    # 3. creation instants with seasonality and a mild trend
    created = _sample_created_at(cat_idx, start_ts, end_ts, rng)

    # 4. respondent details
    role_i = rng.choice(len(_ROLE_CHOICES), size=n_base, p=_ROLE_P)
    age_i = rng.choice(len(_AGE_CHOICES), size=n_base, p=_AGE_P)
    precision_area = rng.random(n_base) < _AREA_PRECISION_SHARE
    keys = _client_keys(rng, n_base)
    give_sugg = rng.random(n_base) < _SUGGESTION_SHARE
    sugg_pick = rng.random(n_base)

    records: dict[str, list] = {c: [] for c in _COLUMNS}
    for i in range(n_base):
        code = CATEGORIES[cat_idx[i]]
        options = _SUGGESTIONS[code]
        records["lon"].append(float(lon[i]))
        records["lat"].append(float(lat[i]))
        records["created_at"].append(created[i])
        records["kind"].append("safe" if kind_safe[i] else "unsafe")
        records["category"].append(code)
        records["time_of_day"].append(TIME_BANDS[band_idx[i]])
        records["weekend"].append(None if weekend_none[i] else bool(weekend_val[i]))
        records["precision"].append("area" if precision_area[i] else "point")
        records["role"].append(_ROLE_CHOICES[role_i[i]])
        records["age_band"].append(_AGE_CHOICES[age_i[i]])
        records["client_key"].append(keys[i])
        records["exact_hour"].append(exact_hour[i])
        records["description"].append(None)
        sugg = None
        if give_sugg[i] and not kind_safe[i]:
            sugg = DEMO_TEXT_PREFIX + options[int(sugg_pick[i] * len(options))]
        records["suggestion"].append(sugg)

    # 5. bursts: copies of a few unsafe point rows, same client and day, ~20 m away
    if n_burst_extra:
        _add_bursts(records, n_burst_extra, rng, polygon, to_metric, to_lonlat, end_ts)

    frame = pd.DataFrame(
        {
            "lon": np.asarray(records["lon"], dtype=float),
            "lat": np.asarray(records["lat"], dtype=float),
            "created_at": pd.DatetimeIndex(records["created_at"]).tz_convert("UTC"),
            **{c: pd.Series(records[c], dtype=object) for c in _COLUMNS[3:]},
        }
    )
    for col in ("kind", "category", "time_of_day", "precision", "client_key"):
        frame[col] = frame[col].astype(str)
    frame = frame.sort_values("created_at", kind="stable").reset_index(drop=True)
    return frame[list(_COLUMNS)]


def _add_bursts(
    records: dict[str, list],
    n_extra: int,
    rng: np.random.Generator,
    polygon: shapely.Geometry,
    to_metric: Transformer,
    to_lonlat: Transformer,
    end: pd.Timestamp,
) -> None:
    """Append ``n_extra`` repeat rows: one client, one spot, one day (in place)."""
    base_n = len(records["lon"])
    eligible = [
        i
        for i in range(base_n)
        if records["kind"][i] == "unsafe" and records["precision"][i] == "point"
    ]
    added = 0
    while added < n_extra:
        seed_row = eligible[int(rng.integers(len(eligible)))]
        size = min(int(rng.integers(2, 6)), n_extra - added)
        x0, y0 = to_metric.transform(records["lon"][seed_row], records["lat"][seed_row])
        t0: pd.Timestamp = records["created_at"][seed_row]
        day_end = min(t0.normalize() + pd.Timedelta(days=1), end)
        room_s = max(-(-(day_end - t0).value // _NS) - 1, 0)
        gaps = np.sort(rng.integers(0, room_s + 1, size))
        for j in range(size):
            lon_j, lat_j = records["lon"][seed_row], records["lat"][seed_row]
            dx, dy = rng.normal(0.0, 20.0, 2)
            cand_lon, cand_lat = to_lonlat.transform(x0 + dx, y0 + dy)
            if shapely.contains_xy(polygon, cand_lon, cand_lat):
                lon_j, lat_j = float(cand_lon), float(cand_lat)
            for col in _COLUMNS:
                records[col].append(records[col][seed_row])
            records["lon"][-1] = lon_j
            records["lat"][-1] = lat_j
            records["created_at"][-1] = t0 + pd.Timedelta(int(gaps[j]), unit="s")
            records["suggestion"][-1] = None
        added += size


def _empty_frame() -> pd.DataFrame:
    """Return an empty frame with the documented columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in _COLUMNS})
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    frame["created_at"] = pd.DatetimeIndex([], tz="UTC")
    return frame
