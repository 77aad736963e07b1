"""The printable period report (*lägesbild*) as an A4 PDF (SPEC §2, lag 2023:196, 4 §).

Drawn with reportlab's platypus in the built-in Helvetica, in black, white and greys so
that it prints on any office printer. The structure follows the law and Brå's guidance:
*1 Kartläggning* (where, what, when, hot zones), *2 Annan information* (the action plan,
figures from other sources, the residents' suggestions), *3 Analys* (what changed and
where, predictive accuracy) and *Källor och begränsningar*. The charts are the page's
charts (:mod:`geoservice.core.reporting.charts`) as 200 dpi images, each followed by its
figures in a table; the area map is drawn from the area polygons in EPSG:3006
(:mod:`geoservice.core.reporting.pdf_map`). Nothing is fetched from the network.
"""

from __future__ import annotations

import io

import geopandas as gpd
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm, inch
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from geoservice.core.analysis.emerging import CLASSES
from geoservice.core.reporting.charts import Chart
from geoservice.core.reporting.narrative import (
    analysis_sentences,
    missing_notes,
    sources_and_limits,
)
from geoservice.core.reporting.pdf_map import _maps, _plain
from geoservice.core.reporting.pdf_parts import HEADINGS, Writer, pdf_text, styles, table
from geoservice.core.reporting.period_report import (
    ACTIVITY_STATUSES,
    BAND_LABELS,
    RESPONSIBLE,
    Lang,
    PeriodReport,
)
from geoservice.core.reporting.report_charts import report_charts
from geoservice.core.reporting.timeseries import SEASONS
from geoservice.core.typography import format_day

__all__ = ["HEADINGS", "pdf_text", "render_pdf"]

_CLASS_LABELS = {
    "hot_99": ("Het (99 %)", "Hot (99 %)"),
    "hot_95": ("Het (95 %)", "Hot (95 %)"),
    "hot_90": ("Het (90 %)", "Hot (90 %)"),
    "not_significant": ("Ej signifikant", "Not significant"),
}
_WIDTH = A4[0] - 4 * cm


def _image(chart: Chart) -> Image:
    width, height = chart.size_in
    scale = min(1.0, _WIDTH / (width * inch))
    return Image(io.BytesIO(chart.png()), width=width * inch * scale, height=height * inch * scale)


def _summary(report: PeriodReport, w: Writer, s) -> list:
    t = report.totals
    if w.lang == "sv":
        text = (
            f"Under perioden kom {w.number(t.count)} synpunkter ({w.number(t.unsafe)} om otrygga "
            f"och {w.number(t.safe)} om trygga platser), mot {w.number(t.previous)} under lika "
            f"lång tid före (förändring {w.signed_pct(t.change_pct)}) och "
            f"{w.number(report.year.earlier)} otrygga samma period året före."
        )
    else:
        text = (
            f"In the period {w.number(t.count)} concerns came in ({w.number(t.unsafe)} about "
            f"unsafe and {w.number(t.safe)} about safe places), against {w.number(t.previous)} "
            f"in as long a time before (change {w.signed_pct(t.change_pct)}) and "
            f"{w.number(report.year.earlier)} unsafe in the same period a year before."
        )
    out = [Paragraph(pdf_text(text), s["body"])]
    rated = report.areas.dropna(subset=["rate_per_1000"])
    if len(rated) and t.unsafe:
        best = rated.loc[rated["rate_per_1000"].astype(float).idxmax()]
        top_cat = report.categories.loc[report.categories["count"].idxmax()]
        label, rate, n = (
            w.category(top_cat["code"]),
            w.number(best["rate_per_1000"], 1),
            w.number(top_cat["count"]),
        )
        line = (
            f"Flest per invånare: {best['name']} ({rate} per 1 000). Vanligast: {label} ({n})."
            if w.lang == "sv"
            else f"Most per resident: {best['name']} ({rate} per 1,000). "
            f"Most common: {label} ({n})."
        )
        out.append(Paragraph(pdf_text(line), s["body"]))
    out.append(Paragraph(pdf_text(w("tables_note")), s["small"]))
    return out


def _area_section(report: PeriodReport, areas, w: Writer, s) -> list:
    rows = [
        [w("area"), w("population"), w("count"), w("rate"), w("before"), w("earlier"), w("change")]
    ]
    a = report.areas
    earlier = dict(zip(report.year.areas["code"], report.year.areas["earlier"], strict=True))
    for r in a.itertuples(index=False):
        rows.append(
            [
                r.name,
                w.number(r.population),
                w.number(r.count),
                w.number(r.rate_per_1000, 1),
                w.number(r.previous_count),
                w.number(earlier.get(r.area_id)),
                w.signed_pct(r.change_pct),
            ]
        )
    population = float(a["population"].astype(float).sum(skipna=True))
    count, previous = int(a["count"].sum()), int(a["previous_count"].sum())
    rows.append(
        [
            w("total"),
            w.number(population),
            w.number(count),
            w.number(count / population * 1000 if population else None, 1),
            w.number(previous),
            w.number(report.year.areas["earlier"].sum()),
            w.signed_pct((count - previous) / previous * 100 if previous else None),
        ]
    )
    widths = [4.4 * cm, 2 * cm, 1.7 * cm, 2.3 * cm, 2.2 * cm, 2 * cm, 2.2 * cm]
    top = max([r for r in a["rate_per_1000"] if r is not None] + [0.0])
    legend = w("legend").format(top=w.number(top, 1))
    return [
        KeepTogether([_maps(report, areas), Paragraph(pdf_text(legend), s["small"])]),
        Spacer(1, 6),
        KeepTogether([table(rows, s, widths, total_row=True)]),
    ]


def _share_rows(frame, labels, w: Writer, head: str, earlier=None) -> list[list[str]]:
    rows = [[w(head), w("count"), w("share"), w("before")] + ([w("earlier")] if earlier else [])]
    for r in frame.itertuples(index=False):
        row = [labels(r.code), w.number(r.count), w.share(r.share), w.number(r.previous)]
        if earlier:
            row.append(w.number(earlier.get(r.code)))
        rows.append(row)
    return rows


def _category_section(report: PeriodReport, charts: dict, w: Writer, s) -> list:
    earlier = dict(
        zip(report.year.categories["code"], report.year.categories["earlier"], strict=True)
    )
    widths = [6.5 * cm, 2.2 * cm, 2.2 * cm, 2.4 * cm, 2.4 * cm]
    return [
        _image(charts["categories"]),
        table(_share_rows(report.categories, w.category, w, "category", earlier), s, widths),
    ]


def _months_section(report: PeriodReport, charts: dict, w: Writer, s) -> list:
    series = report.series
    months = list(series.months)
    by_area = series.by_area
    names = dict(zip(report.areas["area_id"], report.areas["name"], strict=True))
    area_ids = list(by_area.columns)
    rows = [[w("month"), *(names.get(a, a) for a in area_ids), w("total")]]
    for i, month in enumerate(months):
        rows.append(
            [
                month.strftime("%Y-%m"),
                *(w.number(by_area[a].iloc[i]) for a in area_ids),
                w.number(series.total[i]),
            ]
        )
    n = len(area_ids) + 2
    widths = [2.2 * cm] + [(_WIDTH - 2.2 * cm) / (n - 1)] * (n - 1)
    note = (
        "Synpunkter om otrygga platser per månad och område. Sista månaden pågår."
        if w.lang == "sv"
        else "Concerns about unsafe places per month and area. The last month is not over."
    )
    if not series.partial:
        note = note.rsplit(".", 2)[0] + "."
    return [
        _image(charts["trend"]),
        Paragraph(pdf_text(note), s["small"]),
        table(rows, s, widths),
    ]


def _time_section(report: PeriodReport, charts: dict, w: Writer, s) -> list:
    def band(code):
        return BAND_LABELS[code][w.i]

    bw = report.band_week
    week = [[w("band"), w("weekday"), w("weekend"), w("unknown")]] + [
        [band(code), *(w.number(v) for v in row)]
        for code, row in zip(bw.index, bw.to_numpy().tolist(), strict=True)
    ]
    seasons = [[w("season"), w("count"), w("per_month")]] + [
        [SEASONS[r.code][w.i], w.number(r.count), w.number(r.per_month, 1)]
        for r in report.seasons.itertuples(index=False)
    ]
    return [
        _image(charts["band-week"]),
        table(week, s),
        Spacer(1, 8),
        table(_share_rows(report.time_bands, band, w, "band"), s),
        Spacer(1, 8),
        table(seasons, s),
    ]


def _zone_trend_part(report: PeriodReport, charts: dict, w: Writer, s) -> list:
    """The zones of the 24-month look-back, with their emerging trend, and their map."""
    zones = report.zones
    title = "Zonerna över tid (24 månader)" if w.lang == "sv" else "Zones over time (24 months)"
    out = [Paragraph(pdf_text(title), s["h3"])]
    if not len(zones):
        return [*out, Paragraph(pdf_text(w("no_zones")), s["body"])]
    if "map-zones" in charts:
        out.append(_image(charts["map-zones"]))
    rows = [["#", w("zone"), w("in_period"), w("months_total"), w("trend")]]
    for i, z in enumerate(zones.itertuples(index=False), start=1):
        rows.append([i, z.name, w.number(z.count), w.number(z.total), CLASSES[z.trend_class][w.i]])
    out.append(table(rows, s, [0.8 * cm, 7 * cm, 2.2 * cm, 2.2 * cm, 3.4 * cm], text=(1, 4)))
    return out


def _hotspot_section(report: PeriodReport, charts: dict, w: Writer, s, top: int = 10) -> list:
    out = [Paragraph(pdf_text(report.hotspots.explanation(w.lang)), s["body"])]
    zones = getattr(report.hotspots, "zones", [])[:top]
    if zones:
        # Hot zones by name (the gazetteer), whole counts; H3 ids stay in the exports.
        place, prev = ("Plats", "Föregående period") if w.lang == "sv" else ("Place", "Previous")
        rows = [["#", place, w("count"), prev, w("class")]]
        for z in zones:
            rows.append(
                [
                    z.rank,
                    z.name(w.lang),
                    w.number(z.voices),
                    "–" if z.previous_voices is None else w.number(z.previous_voices),
                    _CLASS_LABELS.get(z.hotspot_class, (z.hotspot_class,) * 2)[w.i],
                ]
            )
        widths = [0.8 * cm, 7.2 * cm, 2.2 * cm, 2.8 * cm, 3.2 * cm]
        out.append(table(rows, s, widths, text=(1, 4)))
    out += _zone_trend_part(report, charts, w, s)
    if zones:
        return out
    cells = report.hotspots.cells.head(top)
    if not len(cells):
        return [*out, Paragraph(pdf_text(w("no_cells")), s["body"])]
    rows = [["#", w("cell"), w("area"), w("count"), "Gi* z", w("class")]]
    for i, r in enumerate(cells.itertuples(index=False), start=1):
        count = w.number(r.count) if r.count is not None else f"{w('fewer')} {report.k}"
        label = (
            _CLASS_LABELS.get(r.hotspot_class, (r.hotspot_class,) * 2)[w.i]
            if report.hotspots.significant
            else w("most")
        )
        where = getattr(r, "place", None) or r.cell
        rows.append([i, where, r.area_name or "–", count, w.number(r.gi_z, 2), label])
    widths = [0.8 * cm, 4.2 * cm, 3.6 * cm, 2.4 * cm, 1.6 * cm, 3 * cm]
    return [*out, Spacer(1, 6), table(rows, s, widths, text=(1, 2, 5))]


def _accuracy_section(report: PeriodReport, w: Writer, s) -> list:
    acc = report.accuracy
    if acc is None:
        return [Paragraph(pdf_text(w("no_accuracy")), s["body"])]
    rows = [[w("map"), w("coverage"), w("cells"), w("hits"), w("hit_rate"), "PAI", "PEI"]]
    for r in acc.table.itertuples(index=False):
        rows.append(
            [
                w(r.method),
                w.share(r.coverage),
                w.number(r.cells),
                f"{w.number(r.hits)} / {w.number(r.concerns)}",
                w.share(r.hit_rate),
                w.number(r.pai, 1),
                w.number(r.pei, 2),
            ]
        )
    # Wide enough for every header on one line ("Träffandel" broke in two before).
    widths = [4.2 * cm, 1.6 * cm, 1.5 * cm, 2.6 * cm, 2.4 * cm, 1.6 * cm, 1.6 * cm]
    return [Paragraph(pdf_text(acc.explanation(w.lang)), s["small"]), table(rows, s, widths)]


def _suggestion_section(report: PeriodReport, w: Writer, s) -> list:
    if not any(report.suggestion_counts.values()):
        return [Paragraph(pdf_text(w("no_suggestions")), s["body"])]
    if not report.themes:
        counts = {c: n for c, n in report.suggestion_counts.items() if n}
        rows = [[w("category"), w("count")]]
        rows += [[w.category(c), w.number(n)] for c, n in counts.items()]
        return [Paragraph(pdf_text(w("text_hidden")), s["body"]), table(rows, s)]
    out = [Paragraph(pdf_text(w("themes_note")), s["small"])]
    for code, themes in report.themes.items():
        rows = [[w("theme"), w("count"), w("quotes")]]
        for theme in themes:
            quotes = " · ".join(f"”{q}”" for q in theme.quotes) or "–"
            rows.append([theme.label, w.number(theme.count), quotes])
        out.append(
            KeepTogether(
                [
                    Paragraph(
                        pdf_text(f"{w.category(code)} ({w.number(sum(t.count for t in themes))})"),
                        s["h3"],
                    ),
                    table(rows, s, [6 * cm, 1.6 * cm, 9.4 * cm], text=(2,)),
                ]
            )
        )
    return out


def _figures_section(report: PeriodReport, w: Writer, s) -> list:
    if not report.figures:
        return [Paragraph(pdf_text(w("no_figures")), s["body"])]
    rows = [[w("measure"), w("year"), w("value"), w("source")]]
    for f in report.figures:
        value = w.number(f["value"], 0 if float(f["value"]).is_integer() else 1)
        rows.append([f["measure"], str(f["year"]), f"{value} {f['unit']}".strip(), f["source"]])
    return [table(rows, s, [6 * cm, 1.4 * cm, 2.4 * cm, 7.2 * cm], text=(3,))]


def _plan_section(report: PeriodReport, w: Writer, s) -> list:
    if not report.activities:
        return [Paragraph(pdf_text(w("no_activities")), s["body"])]
    out = []
    for a in report.activities:
        facts = (
            f"{w('responsible')}: {RESPONSIBLE[a['responsible']][w.i]} · "
            f"{w('status')}: {ACTIVITY_STATUSES[a['status']][w.i]} · "
            f"{w('areas_of')}: {', '.join(map(str, a['area_names'])) or '–'} · "
            f"{w('period')}: {w.days(a['start_on'], a['end_on'])}"
        )
        followup = a["followup_sv"] if w.lang == "sv" else a["followup_en"]
        block = [Paragraph(pdf_text(a["title"]), s["h3"]), Paragraph(pdf_text(facts), s["body"])]
        if followup:
            block.append(Paragraph(pdf_text(followup), s["body"]))
        out.append(KeepTogether(block))
    return out


def _analysis_section(report: PeriodReport, names: dict, w: Writer, s) -> list:
    return [
        Paragraph(pdf_text(line), s["bullet"], bulletText="•")
        for line in analysis_sentences(report, names, w.lang)
    ]


def _sources_section(report: PeriodReport, w: Writer, s) -> list:
    return [
        Paragraph(f"<b>{pdf_text(title)}.</b> {pdf_text(text)}", s["body"])
        for title, text in sources_and_limits(report, w.lang)
    ]


def render_pdf(
    report: PeriodReport,
    areas,
    *,
    lang: Lang = "sv",
    charts: dict[str, Chart] | None = None,
    places: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Render the period report as an A4 PDF.

    Parameters
    ----------
    report : PeriodReport
        From :func:`~geoservice.core.reporting.period_report.build_period_report`.
    areas : geopandas.GeoDataFrame
        The areas the report was built on (``id``, ``name``, geometry); drawn in
        EPSG:3006.
    lang : {"sv", "en"}, default "sv"
        Language of the headings, labels and sentences.
    charts : dict of str to Chart, optional
        The page's charts (:func:`~geoservice.core.reporting.report_charts.report_charts`);
        drawn here when not given.
    places : geopandas.GeoDataFrame, optional
        Named places for the zone map.

    Returns
    -------
    bytes
        The PDF: a title block (period, previous period, the same period a year before,
        date generated, a demo-data warning and what the period lacks), a summary, then
        the sections of :data:`HEADINGS`.
    """
    if not isinstance(report, PeriodReport):
        raise ValueError(f"'report' should be a PeriodReport, got {type(report)}")
    w, s = Writer(lang), styles()
    if charts is None:
        charts = report_charts(report, areas, lang=lang, places=places)
    names = dict(zip(report.areas["area_id"], report.areas["name"], strict=True))
    period = w.days(report.start, report.end)
    story = [
        Paragraph(pdf_text(w("title")), s["title"]),
        Paragraph(pdf_text(w("service")), s["h2"]),
        Paragraph(
            pdf_text(
                f"{w('period')}: {period} ({w('previous')}: "
                f"{w.days(report.previous_start, report.previous_end)}; {w('year_before')}: "
                f"{w.days(report.year.start, report.year.end)})"
            ),
            s["body"],
        ),
        Paragraph(
            pdf_text(f"{w('generated')}: {format_day(report.generated_on, w.lang)}"), s["body"]
        ),
    ]
    all_demo = report.coverage is not None and report.coverage.demo == report.totals.count
    if report.demo and not all_demo:  # when all are, the notes below say so
        story.append(Paragraph(pdf_text(w("demo")), s["warning"]))
    for note in missing_notes(report, lang):
        story.append(Paragraph(pdf_text(note), s["warning"]))

    def heading(key: str, level: str = "h1") -> Paragraph:
        return Paragraph(pdf_text(w(key)), s[level])

    def section(key: str, flowables: list, level: str = "h2", above: str | None = None) -> list:
        # A heading never ends a page alone: it keeps its first chart, table or paragraph
        # (and the part heading above it, if any).
        first = [heading(above)] if above else []
        first += [heading(key, level), *flowables[:1]]
        return [KeepTogether(first), *flowables[1:]]

    story += section("summary", _summary(report, w, s), "h1")
    story += section("areas", _area_section(report, areas, w, s), above="mapping")
    story += section("categories", _category_section(report, charts, w, s))
    story += section("months", _months_section(report, charts, w, s))
    story += section("time", _time_section(report, charts, w, s))
    story += section("hotspots", _hotspot_section(report, charts, w, s))
    story += section("plan", _plan_section(report, w, s), above="other")
    story += section("figures", _figures_section(report, w, s))
    story += section("suggestions", _suggestion_section(report, w, s))
    story += section("analysis", _analysis_section(report, names, w, s), "h1")
    story += section("accuracy", _accuracy_section(report, w, s))
    story += section("sources", _sources_section(report, w, s), "h1")

    footer = _plain(f"{w('service')} – {w('title')} {period}")

    def number_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, 1.2 * cm, footer)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"{w('page')} {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=f"{w('title')} {period}",
        author=w("service"),
    )
    doc.build(story, onFirstPage=number_page, onLaterPages=number_page)
    return buffer.getvalue()
