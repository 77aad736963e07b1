"""Printable documents of partner reporting and safety walks: headings, text and tables as PDF.

The weekly lägesbild and the walk protocol are short documents of the same shape; both are
built from :class:`Section` values with reportlab, in the period report's typography
(Helvetica, A4, a footer with the page number).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from geoservice.core.reporting.pdf_report import pdf_text

__all__ = ["Section", "document_pdf"]


@dataclass(frozen=True)
class Section:
    """A heading, paragraphs under it, and optionally a table (first row: the header).

    ``numeric`` lists the table columns that hold figures (right-aligned).
    """

    heading: str
    paragraphs: Sequence[str] = ()
    table: Sequence[Sequence[object]] | None = None
    numeric: frozenset[int] = field(default_factory=frozenset)
    widths: Sequence[float] | None = None  # in cm


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=base["BodyText"], fontSize=8.5, leading=10.5)
    return {
        "title": base["Title"],
        "h1": base["Heading2"],
        "body": base["BodyText"],
        "cell": cell,
        "num": ParagraphStyle("num", parent=cell, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=cell, fontName="Helvetica-Bold"),
    }


def _table(section: Section, styles) -> Table:
    rows = section.table
    n = len(rows[0])
    widths = (
        [w * cm for w in section.widths]
        if section.widths
        else [5.5 * cm] + [11.5 * cm / max(n - 1, 1)] * (n - 1)
    )
    data = [
        [
            Paragraph(
                pdf_text(value),
                styles["head" if i == 0 else "num" if j in section.numeric else "cell"],
            )
            for j, value in enumerate(row)
        ]
        for i, row in enumerate(rows)
    ]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def document_pdf(
    title: str, lead: Sequence[str], sections: Sequence[Section], footer: str
) -> bytes:
    """Render a short A4 document.

    Parameters
    ----------
    title : str
        The document's title (also its PDF metadata title).
    lead : sequence of str
        Paragraphs under the title.
    sections : sequence of Section
        The document's sections in order; a table with only a header row is left out.
    footer : str
        Printed at the foot of every page, next to the page number.

    Returns
    -------
    bytes
        The PDF file.
    """
    styles = _styles()
    story: list = [Paragraph(pdf_text(title), styles["title"])]
    story += [Paragraph(pdf_text(text), styles["body"]) for text in lead]
    for section in sections:
        story.append(Paragraph(pdf_text(section.heading), styles["h1"]))
        story += [Paragraph(pdf_text(text), styles["body"]) for text in section.paragraphs]
        if section.table and len(section.table) > 1:
            story.append(_table(section, styles))
        story.append(Spacer(1, 6))

    def number_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, 1.2 * cm, unescape(pdf_text(footer))[:110])
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="Trygghetskartan Mellerud",
    )
    doc.build(story, onFirstPage=number_page, onLaterPages=number_page)
    return buffer.getvalue()
