"""The *lägesbild*'s charts, drawn once with matplotlib for the page (SVG) and the PDF (PNG).

Every chart reads in black and white: lines differ by dash and marker, bars by fill and
hatching, the heat table writes its numbers in the cells, and the map draws outlines,
names and black zones rather than colours. Figures are made with
:class:`matplotlib.figure.Figure` (no pyplot, so no global state between requests) and
the Agg/SVG backends; the SVG keeps its text as text (a sans-serif the browser has),
so that names can be found, read aloud and printed sharply. Each chart comes with a text
alternative (see :class:`Chart`); the page also shows the numbers in a table.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")  # no display; set before any figure is made

import geopandas as gpd  # noqa: E402
import h3  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from geoservice.core.analysis.hexgrid import cell_boundaries  # noqa: E402
from geoservice.core.typography import format_number  # noqa: E402

__all__ = [
    "A4_WIDTH_IN",
    "Chart",
    "band_week_chart",
    "category_chart",
    "map_chart",
    "trend_chart",
]

A4_WIDTH_IN = 6.7
LAYOUT = "constrained"
"""Width of a chart in inches: A4 less 2 cm margins each side."""

_MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_RC = {
    "font.size": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "geoservice",
}


@dataclass(frozen=True, eq=False)
class Chart:
    """One drawn chart, rendered on demand (the page needs SVG only, the PDF PNG only).

    Attributes
    ----------
    key : str
        Short name, also the element id on the page.
    figure : matplotlib.figure.Figure
    alt : str
        One or two sentences saying what the chart shows, for screen readers.
    """

    key: str
    figure: Figure
    alt: str
    _rendered: dict = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def size_in(self) -> tuple[float, float]:
        """Width and height in inches."""
        width, height = self.figure.get_size_inches()
        return float(width), float(height)

    def _render(self, kind: str, make):
        # A figure is drawn once per format, and never by two threads at once.
        with self._lock:
            if kind not in self._rendered:
                with matplotlib.rc_context(_RC):
                    self._rendered[kind] = make()
                # The layout is now computed: keep it for the other format.
                self.figure.set_layout_engine("none")
            return self._rendered[kind]

    def svg(self) -> str:
        """The chart as an SVG element (no XML prolog), for inline use on the page."""

        def make() -> str:
            out = io.StringIO()
            self.figure.savefig(out, format="svg", metadata={"Date": None})
            text = out.getvalue()
            return text[text.index("<svg") :]

        return self._render("svg", make)

    def png(self, dpi: int = 200) -> bytes:
        """The chart as a PNG (200 dpi prints sharp on A4)."""

        def make() -> bytes:
            out = io.BytesIO()
            self.figure.savefig(out, format="png", dpi=dpi)
            return out.getvalue()

        return self._render(f"png{dpi}", make)


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width, height), layout=LAYOUT)


def _finish(fig: Figure, key: str, alt: str) -> Chart:
    return Chart(key, fig, alt)


def _month_label(period: pd.Period, lang: str, with_year: bool) -> str:
    name = _MONTHS["en" if lang == "en" else "sv"][period.month - 1]
    return f"{name}\n{period.year}" if with_year else name


def trend_chart(
    months: Sequence[pd.Period],
    total: Sequence[int],
    *,
    lang: str = "sv",
    partial: bool = False,
    lines: Mapping[str, Sequence[int]] | None = None,
) -> Chart:
    """Concerns per month: the last 12 months against the 12 before, and optional lines.

    Parameters
    ----------
    months : sequence of pandas.Period
        The months, oldest first (usually 24).
    total : sequence of int
        Concerns per month.
    lang : {"sv", "en"}
    partial : bool
        Whether the last month is cut short by the period's end (drawn hollow).
    lines : mapping of str to sequence of int, optional
        Further series (e.g. the largest categories) drawn thin with their own dashes.
    """
    with matplotlib.rc_context(_RC):
        fig = _figure(A4_WIDTH_IN, 2.9)
        ax = fig.add_subplot()
        x = np.arange(len(months))
        values = np.asarray(total, dtype=float)
        ax.plot(
            x,
            values,
            color="black",
            linewidth=2,
            marker="o",
            markersize=3.5,
            label="Alla synpunkter" if lang != "en" else "All concerns",
        )
        if partial and len(x):
            ax.plot(
                x[-1:],
                values[-1:],
                marker="o",
                markersize=7,
                markerfacecolor="white",
                color="black",
                linestyle="none",
                label="Månaden pågår" if lang != "en" else "Month not over",
            )
        for (name, series), dash in zip(
            (lines or {}).items(), ((0, (4, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2))), strict=False
        ):
            ax.plot(
                x,
                np.asarray(series, dtype=float),
                color="0.35",
                linewidth=1.1,
                linestyle=dash,
                label=name,
            )
        step = 1 if len(months) <= 12 else 2
        ax.set_xticks(x[::step])
        ax.set_xticklabels(
            [_month_label(m, lang, i == 0 or m.month == 1) for i, m in enumerate(months)][::step]
        )
        ax.set_ylabel("Synpunkter per månad" if lang != "en" else "Concerns per month")
        ax.set_ylim(bottom=0)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color="0.85", linewidth=0.6)
        ax.legend(loc="upper left", frameon=False, fontsize=7.5, ncols=2)
    peak = int(np.argmax(values)) if len(values) and values.max() > 0 else None
    if lang == "en":
        alt = f"Line chart of concerns per month over {len(months)} months"
        alt += (
            f"; most in {months[peak].strftime('%Y-%m')} ({int(values[peak])})."
            if peak is not None
            else "; no concerns."
        )
    else:
        alt = f"Linjediagram över synpunkter per månad under {len(months)} månader"
        alt += (
            f"; flest {months[peak].strftime('%Y-%m')} ({format_number(values[peak])})."
            if peak is not None
            else "; inga synpunkter."
        )
    return _finish(fig, "trend", alt)


def category_chart(
    labels: Sequence[str],
    now: Sequence[int],
    earlier: Sequence[int],
    *,
    lang: str = "sv",
    now_label: str,
    earlier_label: str,
) -> Chart:
    """Horizontal bars per category: this period (black) and a year earlier (hatched)."""
    with matplotlib.rc_context(_RC):
        n = len(labels)
        fig = _figure(A4_WIDTH_IN, 0.9 + 0.32 * max(n, 1))
        ax = fig.add_subplot()
        y = np.arange(n)
        a, b = np.asarray(now, dtype=float), np.asarray(earlier, dtype=float)
        ax.barh(y - 0.19, a, height=0.36, color="black", label=now_label)
        ax.barh(
            y + 0.19,
            b,
            height=0.36,
            color="white",
            edgecolor="black",
            hatch="////",
            linewidth=0.6,
            label=earlier_label,
        )
        top = max(float(a.max(initial=0)), float(b.max(initial=0)), 1.0)
        for yi, value in zip(y - 0.19, a, strict=True):
            ax.text(value + top * 0.01, yi, format_number(value, lang), va="center", fontsize=7)
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.12)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("Synpunkter" if lang != "en" else "Concerns")
        ax.legend(loc="lower right", frameon=False, fontsize=7.5)
    order = np.argsort(-a, kind="stable")[:3] if n else []
    named = ", ".join(f"{labels[i]} ({format_number(a[i], lang)})" for i in order if a[i] > 0)
    alt = (
        f"Stapeldiagram per kategori, perioden mot samma period året före. Flest: {named or '–'}."
        if lang != "en"
        else f"Bar chart by category, the period against the same period a year earlier. "
        f"Most: {named or '–'}."
    )
    return _finish(fig, "categories", alt)


def band_week_chart(
    table: pd.DataFrame,
    *,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    lang: str = "sv",
) -> Chart:
    """Heat table: time band (rows) by weekday/weekend (columns), numbers in the cells."""
    values = table.to_numpy(dtype=float)
    with matplotlib.rc_context(_RC):
        fig = _figure(A4_WIDTH_IN * 0.7, 0.7 + 0.42 * len(row_labels))
        ax = fig.add_subplot()
        top = values.max(initial=0) or 1.0
        ax.imshow(values / top, cmap="Greys", vmin=0, vmax=1.25, aspect="auto")
        for (i, j), v in np.ndenumerate(values):
            ax.text(
                j,
                i,
                format_number(v, lang),
                ha="center",
                va="center",
                fontsize=9,
                color="white" if v / top > 0.55 else "black",
            )
        ax.set_xticks(range(len(column_labels)))
        ax.set_xticklabels(column_labels)
        ax.set_yticks(range(len(row_labels)))
        ax.set_yticklabels(row_labels)
        ax.tick_params(length=0)
        ax.xaxis.tick_top()
        for side in ax.spines.values():
            side.set_visible(False)
    if values.size and values.max() > 0:
        i, j = np.unravel_index(int(np.argmax(values)), values.shape)
        most = f"{row_labels[i]}, {column_labels[j]} ({format_number(values[i, j], lang)})"
    else:
        most = "–"
    alt = (
        f"Tabell i gråskala: tid på dygnet mot vardag och helg. Flest: {most}."
        if lang != "en"
        else f"Grey-scale table: time of day against weekday and weekend. Most: {most}."
    )
    return _finish(fig, "band-week", alt)


def map_chart(
    areas: gpd.GeoDataFrame,
    *,
    zones: Sequence[tuple[str, np.ndarray]] = (),
    places: gpd.GeoDataFrame | None = None,
    lang: str = "sv",
    focus_on_zones: bool = False,
) -> Chart:
    """The areas outlined and named, hot zones in black and named places, in EPSG:3006.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        ``name`` and polygons (CRS honoured; EPSG:4326 when unset).
    zones : sequence of (str, array of uint64)
        Each hot zone's name and H3 cells.
    places : geopandas.GeoDataFrame, optional
        Named places (``name`` and points) drawn as small squares with their name.
    focus_on_zones : bool
        Zoom to the zones (with 600 m around) instead of the whole municipality.
    """
    frame = areas if areas.crs is not None else areas.set_crs("EPSG:4326")
    metric = frame.to_crs("EPSG:3006")
    zone_shapes = []
    for name, cells in zones:
        cells = np.asarray(cells, dtype=np.uint64)
        if cells.size:
            union = shapely.union_all(cell_boundaries(cells))
            zone_shapes.append((name, gpd.GeoSeries([union], crs="EPSG:4326").to_crs(3006)[0]))
    with matplotlib.rc_context(_RC):
        fig = _figure(A4_WIDTH_IN, 4.6)
        ax = fig.add_subplot()
        metric.plot(ax=ax, facecolor="white", edgecolor="black", linewidth=0.8)
        for _, shape in zone_shapes:
            gpd.GeoSeries([shape], crs=3006).plot(ax=ax, color="black")
        if focus_on_zones and zone_shapes:
            minx, miny, maxx, maxy = shapely.total_bounds([s for _, s in zone_shapes])
            pad = 600.0
        else:
            minx, miny, maxx, maxy = metric.total_bounds
            pad = 300.0
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        box = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
        halo = {
            "boxstyle": "round,pad=0.15",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        }
        for name, geom in zip(metric["name"], metric.geometry, strict=True):
            inside = geom.intersection(box)
            if not inside.is_empty and inside.area > box.area * 0.01:
                spot = inside.representative_point()
                ax.text(
                    spot.x,
                    spot.y,
                    str(name),
                    ha="center",
                    va="center",
                    fontsize=8,
                    fontweight="bold",
                    bbox=halo,
                )
        if places is not None and len(places):
            pts = (places if places.crs is not None else places.set_crs(4326)).to_crs(3006)
            pts = pts[pts.geometry.within(box)]
            for name, point in zip(pts["name"], pts.geometry.representative_point(), strict=True):
                ax.plot(point.x, point.y, marker="s", markersize=3, color="0.25")
                ax.text(point.x + 60, point.y + 60, str(name), fontsize=6.5, color="0.1", bbox=halo)
        for number, (_name, shape) in enumerate(zone_shapes, start=1):
            spot = shape.representative_point()
            ax.annotate(
                str(number),
                (spot.x, spot.y),
                xytext=(6, 6),
                textcoords="offset points",
                fontsize=7.5,
                fontweight="bold",
                bbox={
                    "boxstyle": "circle,pad=0.2",
                    "facecolor": "white",
                    "edgecolor": "black",
                    "linewidth": 0.6,
                },
            )
        _scale_bar(ax, minx - pad, miny - pad, maxx - minx + 2 * pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
    alt = (
        f"Karta över områdena med {len(zone_shapes)} hotspotzoner i svart, numrerade som i "
        "tabellen."
        if lang != "en"
        else f"Map of the areas with {len(zone_shapes)} hot zones in black, numbered as in "
        "the table."
    )
    return _finish(fig, "map-zones" if focus_on_zones else "map", alt)


def _scale_bar(ax, x0: float, y0: float, width: float) -> None:
    target = width / 5
    length = max(n * 10**e for e in range(1, 6) for n in (1, 2, 5) if n * 10**e <= target)
    x, y = x0 + width * 0.03, y0 + width * 0.03
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt")
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    ax.text(x + length / 2, y + width * 0.012, label, ha="center", fontsize=7)
    ax.annotate(
        "N",
        xy=(x0 + width * 0.97, y0 + width * 0.12),
        xytext=(x0 + width * 0.97, y0 + width * 0.05),
        ha="center",
        fontsize=8,
        arrowprops={"arrowstyle": "-|>", "color": "black"},
    )


def cells_polygons(cells: Sequence[str]) -> list:
    """H3 strings to their polygons (EPSG:4326), for callers holding string ids."""
    return list(cell_boundaries(np.array([h3.str_to_int(c) for c in cells], dtype=np.uint64)))
