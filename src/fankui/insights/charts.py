"""The report's charts and its Chinese font: one reportlab drawing per chart, embedded in the PDF as vector graphics
and written as inline SVG for the HTML report by reportlab's own SVG renderer, so both formats show the same chart.

The font is WenQuanYi Micro Hei (文泉驿微米黑) from the operating system's package (Debian and Ubuntu:
``fonts-wqy-microhei``, which ``make install`` and CI install): its glyphs are TrueType outlines, which reportlab
embeds as a subset. Noto Sans CJK (Debian's ``fonts-noto-cjk``) cannot be used: its outlines are PostScript (CFF),
which reportlab refuses. Without the package the PDF still renders, with reportlab's built-in Chinese font
STSong-Light, which is named but not embedded (the reader's PDF viewer supplies the glyphs), and ``fankui check``
says what to install.
"""

from __future__ import annotations

import html
import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.core import checks
from django.utils.translation import gettext as _

from .tables import Table

log = logging.getLogger(__name__)

FONT = "FankuiCJK"
FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian, Ubuntu: fonts-wqy-microhei
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora: wqy-microhei-fonts
)
FALLBACK_FONT = "STSong-Light"
COLOUR = "#2f6fb0"
# The browser's fonts for the SVG's text, as the HTML report's own text (reportlab's name means nothing there).
SVG_FONTS = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
# A PDF chart is as wide as the A4 page's text (180 mm); on screen it is drawn this much larger, so that its 7-point
# labels read as 12 pixels.
SVG_SCALE = 1.7
PDF_WIDTH = 510.0


def font_file() -> Path | None:
    return next((Path(name) for name in FONT_FILES if Path(name).is_file()), None)


@cache
def register_font() -> str:
    """The name under which the report's Chinese font is registered with reportlab (registered once)."""
    from reportlab.pdfbase import pdfmetrics

    path = font_file()
    if path is None:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        log.warning("No embeddable Chinese font (%s): PDF reports use %s, not embedded", FONT_FILES[0], FALLBACK_FONT)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return FALLBACK_FONT
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


def check_font(**kwargs: Any) -> list[checks.CheckMessage]:
    if font_file() is not None:
        return []
    return [
        checks.Warning(
            _("No Chinese font to embed in PDF reports: their text uses a font the reader's PDF viewer must have."),
            hint=_("Install the fonts-wqy-microhei package (apt-get install fonts-wqy-microhei)."),
            id="insights.W001",
        )
    ]


def drawing(table: Table, width: float = PDF_WIDTH) -> Any:
    """``table``'s chart as a reportlab ``Drawing`` ``width`` points wide: bars for counts, a line for a trend."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    assert table.chart is not None
    font = register_font()
    rows = table.rows[: table.chart.limit]
    values = [float(r[table.chart.value_column] or 0) for r in rows]
    labels = [str(r[table.chart.label_column]) for r in rows]
    if table.chart.kind == "line":
        chart_drawing = Drawing(width, 150)
        chart: Any = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 30, 20, width - 40, 120
        chart.data = [values]
        chart.lines[0].strokeColor = colors.HexColor(COLOUR)
        every = max(1, len(labels) // 8)
        chart.categoryAxis.categoryNames = [lab[5:] if i % every == 0 else "" for i, lab in enumerate(labels)]
    else:
        labels = [lab if len(lab) <= 12 else lab[:11] + "…" for lab in labels]
        height = 16 * len(rows) + 30
        chart_drawing = Drawing(width, height)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 130, 15, width - 170, height - 25
        chart.data = [list(reversed(values))]
        chart.bars[0].fillColor = colors.HexColor(COLOUR)
        chart.categoryAxis.categoryNames = list(reversed(labels))
        chart.barLabelFormat = "%g"
        chart.barLabels.fontName = font
        chart.barLabels.fontSize = 7
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 3
    chart.valueAxis.valueMin = 0
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart_drawing.add(chart)
    return chart_drawing


_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.DOTALL)
_INDENT = re.compile(r">\s+<")  # the renderer's pretty-printing (text is never only blanks here)
_PLACEHOLDERS = re.compile(r"<title>\.\.\.</title><desc>\.\.\.</desc>")


def svg(table: Table) -> str:
    """``table``'s chart as an ``<svg>`` element to put inline in a page ("" without a chart or rows): the same
    drawing as the PDF's, written by reportlab's SVG renderer."""
    if table.chart is None or not table.rows:
        return ""
    from reportlab.graphics import renderSVG

    chart = drawing(table)
    text = renderSVG.drawToString(
        chart,
        fontHacks={register_font(): {"family": SVG_FONTS}},
        useClip=True,  # a clip property, not a clipPath with an id that every chart on the page would repeat
        svgAttrs={
            "class": "chart",
            "role": "img",
            "aria-label": table.title,
            "width": f"{chart.width * SVG_SCALE:.0f}",
            "height": f"{chart.height * SVG_SCALE:.0f}",
        },
    )
    # Inline in HTML: no XML declaration or doctype, no id repeated by every chart; the renderer's placeholder
    # title becomes the table's.
    text = _PROLOGUE.sub("", text, count=1).replace(' id="group"', "", 1)
    text = _INDENT.sub("><", text)
    return _PLACEHOLDERS.sub(f"<title>{html.escape(table.title)}</title>", text.strip(), count=1)
