"""Shared parts of the printable *lägesbild*: words, styles, number writer and tables.

Helvetica covers Windows-1252 only, so :func:`pdf_text` replaces the few characters the
service writes outside it (the minus sign U+2212, thin spaces, inequality signs) and
anything else becomes ``?`` rather than a black box. Numbers, percentages and days are
written by :mod:`geoservice.core.typography`, as on the pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, Table, TableStyle

from geoservice.core.categories import category_by_code
from geoservice.core.reporting.pdf_map import _plain
from geoservice.core.reporting.period_report import Lang
from geoservice.core.typography import format_day, format_number, format_percent

__all__ = ["HEADINGS", "Writer", "pdf_text", "styles", "table"]

HEADINGS: dict[str, tuple[str, str]] = {
    "title": ("Lägesbild", "Situation report"),
    "summary": ("Sammanfattning", "Summary"),
    "mapping": ("1 Kartläggning", "1 Mapping"),
    "areas": ("Per område", "By area"),
    "categories": ("Per kategori", "By category"),
    "months": ("Över tid", "Over time"),
    "time": ("Tid på dygnet, veckodel och årstid", "Time of day, part of week and season"),
    "hotspots": ("Hotspots och zoner", "Hotspots and zones"),
    "other": ("2 Annan information", "2 Other information"),
    "plan": ("Åtgärdsplan", "Action plan"),
    "figures": ("Andra källor", "Other sources"),
    "suggestions": ("Invånarnas förslag", "Residents' suggestions"),
    "analysis": ("3 Analys", "3 Analysis"),
    "accuracy": ("Träffsäkerhet", "Predictive accuracy"),
    "sources": ("Källor och begränsningar", "Sources and limitations"),
}
"""Section headings in Swedish and English, in the order of the report: the structure of
lag 2023:196, 4 § (mapping, other relevant information, analysis) and Brå's guidance."""

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
    "year_before": ("samma period året före", "same period a year before"),
    "earlier": ("Året före", "Year before"),
    "this_period": ("Perioden", "The period"),
    "month": ("Månad", "Month"),
    "zone": ("Zon", "Zone"),
    "trend": ("Utveckling", "Trend"),
    "in_period": ("Perioden", "Period"),
    "months_total": ("24 mån.", "24 mo."),
    "no_zones": (
        "Inga hotspotzoner att följa över tid.",
        "No hot zones to follow over time.",
    ),
    "season": ("Årstid", "Season"),
    "per_month": ("Per månad", "Per month"),
    "measure": ("Mått", "Measure"),
    "year": ("År", "Year"),
    "value": ("Värde", "Value"),
    "source": ("Källa", "Source"),
    "no_figures": (
        "Inga andra källor är inlagda. Personal kan lägga in t.ex. polisens trygghetsmätning "
        "eller NTU per år på sidan Lägesbild.",
        "No other sources have been added. Staff can add e.g. the police's safety survey or "
        "NTU per year on the report page.",
    ),
    "theme": ("Tema", "Theme"),
    "quotes": ("Citat", "Quotes"),
    "themes_note": (
        "Svaren på dialogfrågan grupperade i teman per kategori, med antal och citat. "
        "Telefonnummer, e-postadresser och personnummer är dolda.",
        "The answers to the dialogue question grouped into themes per category, with counts "
        "and quotes. Phone numbers, e-mail addresses and personal identity numbers are masked.",
    ),
    "missing": ("Att tänka på", "Please note"),
    "alt_table": ("Siffrorna i diagrammet", "The chart's figures"),
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


class Writer:
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
        return format_number(float(value), self.lang, decimals=digits)

    def category(self, code: str) -> str:
        found = category_by_code(code)
        return found.label_sv if self.lang == "sv" else found.label_en

    def signed_pct(self, value) -> str:
        if value is None or pd.isna(value):
            return "–"
        return ("+" if value > 0 else "") + format_percent(value / 100, self.lang)

    def share(self, value) -> str:
        return "–" if value is None or pd.isna(value) else format_percent(value, self.lang)

    def days(self, start, end) -> str:
        def show(day):
            if isinstance(day, dt.date):
                return format_day(day, self.lang)
            return "" if day is None else str(day)

        return f"{show(start)} – {show(end)}".strip()


def styles() -> dict[str, ParagraphStyle]:
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


def table(rows: Sequence[Sequence[object]], styles, widths=None, total_row=False, text=()) -> Table:
    """Grid table: header row bold on light grey, label column left, figures right.

    Columns listed in ``text`` (positions) hold words, not figures, and stay left.
    """
    n = len(rows[0])
    if widths is None:
        widths = [6.5 * cm] + [min(2.4 * cm, 10.5 * cm / max(n - 1, 1))] * (n - 1)
    data = [
        [
            Paragraph(
                pdf_text(v),
                styles["head" if i == 0 else "cell" if j == 0 or j in text else "num"],
            )
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
