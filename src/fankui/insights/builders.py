"""The analysis report in three formats from the same tables (layout.py): a self-contained HTML page, an xlsx
workbook and a PDF with an embedded Chinese font; the HTML page and the PDF draw the same charts (charts.py)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fankui.nlp.cells import neutralise_row

from . import charts, layout
from .queries import Report
from .tables import Section, Table

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import TableStyle

FORMATS = ("html", "xlsx", "pdf")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def cell_text(value: Any, percent: bool = False) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}%" if percent else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def display_rows(table: Table) -> list[list[str]]:
    return [[cell_text(v, i in table.percent_columns) for i, v in enumerate(row)] for row in table.rows]


def title(report: Report) -> str:
    return _("Feedback analysis report %(period)s — %(scope)s") % {
        "period": report.period.key,
        "scope": report.scope_label,
    }


# --- HTML -------------------------------------------------------------------------------------------------------
@dataclass
class _HtmlTable:
    table: Table
    rows: list[list[tuple[str, bool]]]  # (text, right-aligned)
    chart: SafeString


def _flagged(rows: list[list[str]]) -> list[list[tuple[str, bool]]]:
    return [[(c, bool(i) and _numeric(c)) for i, c in enumerate(row)] for row in rows]


def html(report: Report) -> bytes:
    sections = [
        (section, [_HtmlTable(t, _flagged(display_rows(t)), mark_safe(charts.svg(t))) for t in section.tables])
        for section in layout.sections(report)
    ]
    page = render_to_string(
        "insights/report.html",
        {"report": report, "title": title(report), "sections": sections, "definitions": layout.definitions()},
    )
    return page.encode()


# --- xlsx -------------------------------------------------------------------------------------------------------
def _sheet_name(text: str, used: set[str]) -> str:
    name = "".join(c for c in text if c not in "[]:*?/\\")[:28] or "Sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:25]} {n}", n + 1
    used.add(candidate)
    return candidate


def xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    cover = book.active
    assert cover is not None
    used: set[str] = set()
    cover.title = _sheet_name(pgettext("document", "Report"), used)
    cover.append(neutralise_row([title(report)]))
    cover["A1"].font = Font(bold=True, size=14)
    cover.append(neutralise_row([_("Period"), report.period.key]))
    cover.append(neutralise_row([_("Previous period"), report.previous_period.key]))
    cover.append(neutralise_row([_("Scope"), report.scope_label]))
    cover.append(neutralise_row([_("Generated at"), report.generated_at.strftime("%Y-%m-%d %H:%M")]))
    cover.column_dimensions["A"].width = 28
    for section in layout.sections(report):
        sheet = book.create_sheet(_sheet_name(section.title, used))
        sheet.append(neutralise_row([section.title]))
        sheet["A1"].font = Font(bold=True, size=13)
        if section.note:
            sheet.append(neutralise_row([section.note]))
        for table in section.tables:
            sheet.append([])
            sheet.append(neutralise_row([table.title]))
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.append(neutralise_row(table.headers))
            header_row = sheet.max_row
            for cell in sheet[header_row]:
                cell.font = bold
            for row in table.rows:
                sheet.append(neutralise_row(row))
                for i in table.percent_columns:
                    sheet.cell(sheet.max_row, i + 1).number_format = "0.0"
            if table.chart and table.rows:
                last = header_row + min(len(table.rows), table.chart.limit)
                chart = LineChart() if table.chart.kind == "line" else BarChart()
                chart.title = table.title
                chart.legend = None
                col = table.chart.value_column + 1
                chart.add_data(Reference(sheet, min_col=col, min_row=header_row, max_row=last), titles_from_data=True)
                chart.set_categories(
                    Reference(sheet, min_col=table.chart.label_column + 1, min_row=header_row + 1, max_row=last)
                )
                sheet.add_chart(chart, f"{chr(ord('A') + len(table.headers) + 1)}{header_row}")
        sheet.column_dimensions["A"].width = 30
    definitions = book.create_sheet(_sheet_name(_("Definitions"), used))
    definitions.append(neutralise_row([_("Term"), _("Definition")]))
    for cell in definitions[1]:
        cell.font = bold
    for term, text in layout.definitions():
        definitions.append(neutralise_row([term, text]))
    definitions.column_dimensions["A"].width = 28
    definitions.column_dimensions["B"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------------------------
NUMBER = re.compile(r"^(—|[-+]?[\d,]+(\.\d+)?%?)$")


def _numeric(text: str) -> bool:
    """A count, a rate or "—": right-aligned. A case number (2026-000123) or a date is text."""
    return bool(NUMBER.match(text))


def _widths(table: Table, total: float) -> list[float]:
    """Share the page width by how much text each column holds, within limits."""
    rows = [table.headers, *display_rows(table)[:50]]
    weights = [min(40.0, max(4.0, sum(len(r[i]) for r in rows) / len(rows))) for i in range(len(table.headers))]
    return [total * w / sum(weights) for w in weights]


def _paragraph_styles(font: str) -> tuple[ParagraphStyle, ...]:
    """The PDF's paragraph styles: body, cell, number, h1, h2, h3, muted."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    # CJK text wraps between any two characters.
    body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.5)
    number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=17, spaceBefore=10, spaceAfter=4)
    h3 = ParagraphStyle("h3", parent=body, fontSize=9.5, leading=13, spaceBefore=6, spaceAfter=2)
    muted = ParagraphStyle("muted", parent=body, textColor=colors.HexColor("#555555"))
    return body, cell, number, h1, h2, h3, muted


def _table_style(font: str) -> TableStyle:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ]
    )


def pdf(report: Report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable
    from reportlab.platypus.flowables import Flowable

    font = charts.register_font()
    body, cell, number, h1, h2, h3, muted = _paragraph_styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=title(report),
        author="Fankui",
    )

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)

    story: list[Flowable] = [
        p(title(report), h1),
        p(
            _("Period %(period)s, compared with %(previous)s. Generated %(at)s.")
            % {
                "period": report.period.key,
                "previous": report.previous_period.key,
                "at": report.generated_at.strftime("%Y-%m-%d %H:%M"),
            },
            muted,
        ),
    ]
    style = _table_style(font)
    for section in layout.sections(report):
        # The section's heading travels with its first table's heading, so it never ends a page alone.
        heading: list[Flowable] = [p(section.title, h2)]
        if section.note:
            heading.append(p(section.note, muted))
        if not section.tables:
            story.extend(heading)
        for table in section.tables:
            parts: list[Flowable] = [*heading, p(table.title, h3)]
            heading = []
            if table.chart and table.rows:
                parts.append(charts.drawing(table, doc.width))
            data = [[p(h, cell) for h in table.headers]] + [
                [p(c, number if i and _numeric(c) else cell) for i, c in enumerate(r)] for r in display_rows(table)
            ]
            if not table.rows:
                data.append([p(_("None in this period."), cell)] + [""] * (len(table.headers) - 1))
            pdf_table = PdfTable(data, colWidths=_widths(table, doc.width), repeatRows=1, hAlign="LEFT")
            pdf_table.setStyle(style)
            if not table.rows:
                pdf_table.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
            # A short table stays on the page of its title; a long one may break (its header row repeats).
            if len(table.rows) <= 15:
                story.append(KeepTogether([*parts, pdf_table]))
            else:
                story.append(KeepTogether(parts))
                story.append(pdf_table)
        story.append(Spacer(1, 4))
    story.append(p(_("Definitions"), h2))
    for term, text in layout.definitions():
        story.append(p(f"{term}: {text}", body))
        story.append(Spacer(1, 2))
    doc.build(story)
    return buffer.getvalue()


def render(report: Report, fmt: str) -> bytes:
    return {"html": html, "xlsx": xlsx, "pdf": pdf}[fmt](report)


__all__ = ["CONTENT_TYPES", "FORMATS", "Section", "html", "pdf", "render", "xlsx"]
