"""The printable period report (*lägesbild*) as an A4 PDF (SPEC §2).

Drawn with reportlab's platypus in the built-in Helvetica, in black, white and greys so
that it prints on any office printer, with a small map drawn from the area polygons
(EPSG:4326 reprojected to SWEREF 99 TM, EPSG:3006, for drawing; see
:mod:`geoservice.core.reporting.pdf_map`). Nothing is fetched from the network. Helvetica covers
Windows-1252 only, so :func:`pdf_text` replaces the few characters the service writes
outside it (the minus sign U+2212, thin spaces, inequality signs) and anything else
becomes ``?`` rather than a black box.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from geoservice.core.categories import category_by_code
from geoservice.core.reporting.pdf_map import _maps, _plain
from geoservice.core.reporting.period_report import (
    ACTIVITY_STATUSES,
    BAND_LABELS,
    RESPONSIBLE,
    Lang,
    PeriodReport,
)

__all__ = ["HEADINGS", "pdf_text", "render_pdf"]

HEADINGS: dict[str, tuple[str, str]] = {
    "title": ("Lägesbild", "Situation report"),
    "summary": ("Sammanfattning", "Summary"),
    "areas": ("Per område", "By area"),
    "categories": ("Per kategori", "By category"),
    "time": ("Tid på dygnet", "Time of day"),
    "hotspots": ("Hotspots", "Hotspots"),
    "accuracy": ("Träffsäkerhet", "Predictive accuracy"),
    "suggestions": ("Invånarnas förslag", "Residents' suggestions"),
    "plan": ("Åtgärdsplan", "Action plan"),
}
"""Section headings in Swedish and English, in the order of the report."""

_WORDS: dict[str, tuple[str, str]] = {
    "service": ("Trygghetskartan Mellerud", "Trygghetskartan Mellerud (Safety map)"),
    "period": ("Period", "Period"),
    "previous": ("föregående period", "previous period"),
    "generated": ("Skapad", "Generated"),
    "demo": (
        "Demodata: perioden innehåller påhittade synpunkter. Siffrorna beskriver inte Mellerud.",
        "Demo data: the period holds made-up concerns. The figures do not describe Mellerud.",
    ),
    "area": ("Område", "Area"),
    "population": ("Invånare", "Residents"),
    "count": ("Antal", "Count"),
    "rate": ("Per 1 000 inv.", "Per 1,000 res."),
    "before": ("Föreg. period", "Prev. period"),
    "change": ("Förändring", "Change"),
    "total": ("Totalt", "Total"),
    "category": ("Kategori", "Category"),
    "share": ("Andel", "Share"),
    "band": ("Tid", "Time"),
    "weekday": ("Vardag", "Weekday"),
    "weekend": ("Helg", "Weekend"),
    "unknown": ("Ej angivet", "Not given"),
    "cell": ("Plats", "Place"),
    "class": ("Klass", "Class"),
    "map": ("Karta", "Map"),
    "coverage": ("Yta", "Area"),
    "cells": ("Rutor", "Cells"),
    "hits": ("Träffar", "Hits"),
    "hit_rate": ("Träffandel", "Hit rate"),
    "gi_star": ("Gi*-karta", "Gi* map"),
    "naive": ("Förra periodens antal", "Last period's counts"),
    "responsible": ("Ansvarig", "Responsible"),
    "status": ("Status", "Status"),
    "areas_of": ("Områden", "Areas"),
    "fewer": ("färre än", "fewer than"),
    "most": ("Många synpunkter", "Many concerns"),
    "legend": (
        "Gråskala: synpunkter om otrygga platser per 1 000 invånare, i fem steg upp till {top} "
        "(mörkare = fler). Svarta rutor: hotspots; ramade rutor: flest synpunkter. Till höger "
        "samma rutor närmare.",
        "Grey scale: concerns about unsafe places per 1,000 residents, in five steps up to {top} "
        "(darker = more). Black cells: hotspots; outlined cells: most concerns. On the right "
        "the same cells closer.",
    ),
    "tables_note": (
        "Tabellerna gäller otrygga platser; synpunkter som moderering tagit bort räknas inte.",
        "The tables are about unsafe places; concerns removed by moderation are not counted.",
    ),
    "no_cells": ("Inga rutor att visa.", "No cells to show."),
    "no_accuracy": (
        "Ingen jämförelse: föregående period har inga synpunkter i studieområdet.",
        "No comparison: the previous period has no concerns in the study area.",
    ),
    "text_hidden": (
        "Förslagens text visas inte för din roll. Antal förslag per kategori:",
        "The suggestions' text is not shown to your role. Suggestions per category:",
    ),
    "no_suggestions": ("Inga förslag under perioden.", "No suggestions in the period."),
    "masked": (
        "Telefonnummer, e-postadresser och personnummer är maskerade.",
        "Phone numbers, e-mail addresses and personal identity numbers are masked.",
    ),
    "no_activities": ("Inga aktiviteter i åtgärdsplanen.", "No activities in the action plan."),
    "page": ("sida", "page"),
}

_CLASS_LABELS = {
    "hot_99": ("Het (99 %)", "Hot (99 %)"),
    "hot_95": ("Het (95 %)", "Hot (95 %)"),
    "hot_90": ("Het (90 %)", "Hot (90 %)"),
    "not_significant": ("Ej signifikant", "Not significant"),
}


def pdf_text(text: object) -> str:
    """Return ``text`` as Paragraph markup that Helvetica can draw.

    Parameters
    ----------
    text : object
        Any value; ``str(text)`` is used.

    Returns
    -------
    str
        Known characters outside Windows-1252 replaced by look-alikes, the rest by
        ``?``, and ``&``, ``<`` and ``>`` escaped so free text cannot inject markup.
    """
    return escape(_plain(text))


class _Writer:
    """Formats numbers and words in one language."""

    def __init__(self, lang: Lang) -> None:
        if lang not in ("sv", "en"):
            raise ValueError(f"'lang' should be 'sv' or 'en', got {lang!r}")
        self.lang = lang
        self.i = 0 if lang == "sv" else 1

    def __call__(self, key: str) -> str:
        return (HEADINGS.get(key) or _WORDS[key])[self.i]

    def number(self, value, digits: int = 0) -> str:
        if value is None or pd.isna(value):
            return "–"
        text = f"{float(value):,.{digits}f}"
        return text.replace(",", " ").replace(".", ",") if self.lang == "sv" else text

    def category(self, code: str) -> str:
        found = category_by_code(code)
        return found.label_sv if self.lang == "sv" else found.label_en

    def signed_pct(self, value) -> str:
        if value is None:
            return "–"
        return ("+" if value > 0 else "") + self.number(value) + " %"

    def share(self, value) -> str:
        return "–" if value is None else self.number(value * 100) + " %"

    def days(self, start, end) -> str:
        def show(day):
            return day.isoformat() if isinstance(day, dt.date) else ("" if day is None else day)

        return f"{show(start)} – {show(end)}".strip()


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10)
    cell = ParagraphStyle("cell", parent=base["BodyText"], fontSize=8.5, leading=10.5)
    return {
        "title": base["Title"],
        "h1": base["Heading1"],
        "h2": base["Heading2"],
        "h3": base["Heading3"],
        "body": base["BodyText"],
        "bullet": ParagraphStyle("bullet", parent=base["BodyText"], leftIndent=12),
        "small": small,
        "cell": cell,
        "num": ParagraphStyle("num", parent=cell, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold"),
        "warning": ParagraphStyle(
            "warning",
            parent=base["BodyText"],
            fontName="Helvetica-Bold",
            borderWidth=1,
            borderColor=colors.black,
            borderPadding=4,
            spaceBefore=6,
            spaceAfter=8,
        ),
    }


def _table(rows: Sequence[Sequence[object]], styles, widths=None, total_row=False) -> Table:
    """Grid table: header row bold on light grey, label column left, figures right."""
    n = len(rows[0])
    if widths is None:
        widths = [6.5 * cm] + [min(2.4 * cm, 10.5 * cm / max(n - 1, 1))] * (n - 1)
    data = [
        [
            Paragraph(pdf_text(v), styles["head" if i == 0 else "cell" if j == 0 else "num"])
            for j, v in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.2, colors.black))
    table.setStyle(TableStyle(commands))
    return table


def _summary(report: PeriodReport, w: _Writer, s) -> list:
    t = report.totals
    if w.lang == "sv":
        text = (
            f"Under perioden kom {w.number(t.count)} synpunkter ({w.number(t.unsafe)} om otrygga "
            f"och {w.number(t.safe)} om trygga platser), mot {w.number(t.previous)} under lika "
            f"lång tid före (förändring {w.signed_pct(t.change_pct)})."
        )
    else:
        text = (
            f"In the period {w.number(t.count)} concerns came in ({w.number(t.unsafe)} about "
            f"unsafe and {w.number(t.safe)} about safe places), against {w.number(t.previous)} "
            f"in as long a time before (change {w.signed_pct(t.change_pct)})."
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
    out.append(Paragraph(pdf_text(report.hotspots.explanation(w.lang)), s["body"]))
    out.append(Paragraph(pdf_text(w("tables_note")), s["small"]))
    return out


def _area_section(report: PeriodReport, areas, w: _Writer, s) -> list:
    rows = [[w("area"), w("population"), w("count"), w("rate"), w("before"), w("change")]]
    a = report.areas
    for r in a.itertuples(index=False):
        rows.append(
            [
                r.name,
                w.number(r.population),
                w.number(r.count),
                w.number(r.rate_per_1000, 1),
                w.number(r.previous_count),
                w.signed_pct(r.change_pct),
            ]
        )
    population = float(np.nansum(a["population"].astype(float)))
    count, previous = int(a["count"].sum()), int(a["previous_count"].sum())
    rows.append(
        [
            w("total"),
            w.number(population),
            w.number(count),
            w.number(count / population * 1000 if population else None, 1),
            w.number(previous),
            w.signed_pct((count - previous) / previous * 100 if previous else None),
        ]
    )
    widths = [5 * cm, 2.2 * cm, 1.8 * cm, 2.4 * cm, 2.4 * cm, 2.2 * cm]
    top = max([r for r in a["rate_per_1000"] if r is not None] + [0.0])
    legend = w("legend").format(top=w.number(top, 1))
    return [
        KeepTogether([_maps(report, areas), Paragraph(pdf_text(legend), s["small"])]),
        Spacer(1, 6),
        _table(rows, s, widths, total_row=True),
    ]


def _share_rows(frame, labels, w: _Writer, head: str) -> list[list[str]]:
    rows = [[w(head), w("count"), w("share"), w("before")]]
    for r in frame.itertuples(index=False):
        rows.append([labels(r.code), w.number(r.count), w.share(r.share), w.number(r.previous)])
    return rows


def _time_section(report: PeriodReport, w: _Writer, s) -> list:
    def band(code):
        return BAND_LABELS[code][w.i]

    bw = report.band_week
    week = [[w("band"), w("weekday"), w("weekend"), w("unknown")]] + [
        [band(code), *(w.number(v) for v in row)]
        for code, row in zip(bw.index, bw.to_numpy().tolist(), strict=True)
    ]
    return [
        _table(_share_rows(report.time_bands, band, w, "band"), s),
        Spacer(1, 8),
        _table(week, s),
    ]


def _hotspot_section(report: PeriodReport, w: _Writer, s, top: int = 10) -> list:
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
        return [*out, _table(rows, s, widths)]
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
    widths = [0.8 * cm, 3.4 * cm, 4 * cm, 2.2 * cm, 1.8 * cm, 3 * cm]
    return [*out, _table(rows, s, widths)]


def _accuracy_section(report: PeriodReport, w: _Writer, s) -> list:
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
    return [Paragraph(pdf_text(acc.explanation(w.lang)), s["body"]), _table(rows, s)]


def _suggestion_section(report: PeriodReport, w: _Writer, s) -> list:
    label = w.category
    counts = {c: n for c, n in report.suggestion_counts.items() if n}
    if not counts:
        return [Paragraph(pdf_text(w("no_suggestions")), s["body"])]
    if report.suggestions is None:
        rows = [[w("category"), w("count")]] + [[label(c), w.number(n)] for c, n in counts.items()]
        return [Paragraph(pdf_text(w("text_hidden")), s["body"]), _table(rows, s)]
    out = [Paragraph(pdf_text(w("masked")), s["small"])]
    for code, texts in report.suggestions.items():
        out.append(Paragraph(pdf_text(f"{label(code)} ({len(texts)})"), s["h3"]))
        out.extend(Paragraph(pdf_text(t), s["bullet"], bulletText="•") for t in texts)
    return out


def _plan_section(report: PeriodReport, w: _Writer, s) -> list:
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


def render_pdf(report: PeriodReport, areas, *, lang: Lang = "sv") -> bytes:
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

    Returns
    -------
    bytes
        The PDF: a title block (period, previous period, date generated and a demo-data
        warning when the period holds demo concerns), then the sections of
        :data:`HEADINGS`.
    """
    if not isinstance(report, PeriodReport):
        raise ValueError(f"'report' should be a PeriodReport, got {type(report)}")
    w, s = _Writer(lang), _styles()
    period = w.days(report.start, report.end)
    story = [
        Paragraph(pdf_text(w("title")), s["title"]),
        Paragraph(pdf_text(w("service")), s["h2"]),
        Paragraph(
            pdf_text(
                f"{w('period')}: {period} ({w('previous')}: "
                f"{w.days(report.previous_start, report.previous_end)})"
            ),
            s["body"],
        ),
        Paragraph(pdf_text(f"{w('generated')}: {report.generated_on.isoformat()}"), s["body"]),
    ]
    if report.demo:
        story.append(Paragraph(pdf_text(w("demo")), s["warning"]))
    sections = (
        ("summary", _summary(report, w, s)),
        ("areas", _area_section(report, areas, w, s)),
        ("categories", [_table(_share_rows(report.categories, w.category, w, "category"), s)]),
        ("time", _time_section(report, w, s)),
        ("hotspots", _hotspot_section(report, w, s)),
        ("accuracy", _accuracy_section(report, w, s)),
        ("suggestions", _suggestion_section(report, w, s)),
        ("plan", _plan_section(report, w, s)),
    )
    for key, flowables in sections:
        story += [Paragraph(pdf_text(w(key)), s["h1"]), *flowables, Spacer(1, 6)]

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
