"""The printable poster of a service window or a member of staff (一次一评): its name, its QR code and a line on
what to do, on an A4 page as PNG (150 dpi), SVG and PDF.

One layout, three drawers: the lines and the QR code's modules (segno) are placed once, in millimetres, and each
format draws the same thing. The Chinese font is the analysis report's (docs/decisions/0004): WenQuanYi Micro Hei
from the system package ``fonts-wqy-microhei``, embedded in the PDF as TrueType and used for the PNG; the SVG names
it among the usual Chinese fonts of a browser or a print shop's software. ``fankui.insights.charts`` registers the
same file for the report; it sits above this app, so the file list is repeated here (both read the same paths).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from django.utils.translation import gettext as _

from fankui.core.vocab import Level

from .models import ServicePoint, StaffBadge
from .windows import Target, hall_of, rating_url

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian, Ubuntu: fonts-wqy-microhei
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora: wqy-microhei-fonts
)
PDF_FONT = "FankuiCJK"
PDF_FALLBACK_FONT = "STSong-Light"
SVG_FONTS = '"WenQuanYi Micro Hei", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}

# A4 portrait, in millimetres; the text is kept within the margins.
WIDTH, HEIGHT, MARGIN = 210.0, 297.0, 15.0
QR_SIZE = 120.0
PNG_DPI = 150
COLOUR = "#1f4e79"
BOLD = ' font-weight="bold"'


@dataclass(frozen=True)
class Line:
    text: str
    y: float  # baseline, mm from the top
    size: float  # font size, mm
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    lines: list[Line]
    modules: list[tuple[int, int]]  # the QR code's dark modules (column, row)
    count: int  # modules per side
    qr_x: float
    qr_y: float
    module: float  # one module's side, mm


def _em_width(text: str) -> float:
    """The text's width in font sizes: a Chinese character is one, a Latin letter or digit about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _fit(text: str, size: float) -> float:
    """``size``, or smaller so that the line fits between the margins."""
    width = _em_width(text) * size
    room = WIDTH - 2 * MARGIN
    return size if width <= room else room / _em_width(text)


def describe(target: Target) -> tuple[str, str]:
    """The poster's two naming lines: the window (number and name) or the person (name and staff number), and
    where: hall and department."""
    hall = hall_of(target)
    where = " · ".join(x for x in ((hall.name if hall else ""), target.department.name) if x)
    if isinstance(target, ServicePoint):
        return str(target), where
    assert isinstance(target, StaffBadge)
    name = target.name + (" · " + _("Staff no. %(number)s") % {"number": target.number} if target.number else "")
    return name, where


def layout(target: Target) -> Layout:
    url = rating_url(target)
    qr = segno.make(url, error="q")
    rows = list(qr.matrix_iter(border=0))
    count = len(rows)
    modules = [(x, y) for y, row in enumerate(rows) for x, dark in enumerate(row) if dark]
    name, where = describe(target)
    heading = _("Please rate our service") if isinstance(target, ServicePoint) else _("Please rate my service")
    levels = " · ".join(str(label) for _value, label in sorted(Level.choices, reverse=True))
    qr_y = 95.0
    lines = [
        Line(heading, 38.0, _fit(heading, 13.0), bold=True),
        Line(name, 62.0, _fit(name, 11.0), bold=True),
        Line(where, 78.0, _fit(where, 6.5)),
        Line(_("Scan the code with your phone's camera"), qr_y + QR_SIZE + 18.0, 6.5),
        Line(levels, qr_y + QR_SIZE + 32.0, _fit(levels, 5.0)),
        Line(_("Your rating is anonymous. Thank you!"), qr_y + QR_SIZE + 44.0, 5.0),
        Line(url, HEIGHT - 16.0, _fit(url, 3.2)),
    ]
    return Layout(lines, modules, count, (WIDTH - QR_SIZE) / 2, qr_y, QR_SIZE / count)


def font_file() -> Path | None:
    return next((Path(name) for name in FONT_FILES if Path(name).is_file()), None)


# --- SVG ----------------------------------------------------------------------------------------------------------
def svg(target: Target) -> bytes:
    page = layout(target)
    # One path for every module (1 x 1 squares in the QR code's own units), scaled into place.
    path = "".join(f"M{x} {y}h1v1h-1z" for x, y in page.modules)
    texts = "".join(
        f'<text x="{WIDTH / 2:.1f}" y="{line.y:.1f}" font-size="{line.size:.2f}"{BOLD if line.bold else ""} '
        f'text-anchor="middle">{escape(line.text)}</text>'
        for line in page.lines
    )
    document = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0f}mm" height="{HEIGHT:.0f}mm" '
        f'viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" role="img" aria-label="{escape(page.lines[1].text)}">'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<rect x="8" y="8" width="{WIDTH - 16:.0f}" height="{HEIGHT - 16:.0f}" fill="none" stroke="{COLOUR}" '
        f'stroke-width="1.2"/>'
        f"<g font-family='{SVG_FONTS}' fill=\"#111\">{texts}</g>"
        f'<path transform="translate({page.qr_x:.2f} {page.qr_y:.2f}) scale({page.module:.4f})" d="{path}" '
        f'fill="#000"/></svg>'
    )
    return document.encode()


# --- PNG ----------------------------------------------------------------------------------------------------------
def png(target: Target) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    page = layout(target)
    px = PNG_DPI / 25.4  # pixels per millimetre
    image = Image.new("RGB", (round(WIDTH * px), round(HEIGHT * px)), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([8 * px, 8 * px, (WIDTH - 8) * px, (HEIGHT - 8) * px], outline=COLOUR, width=round(1.2 * px))
    path = font_file()
    for line in page.lines:
        size = max(8, round(line.size * px))
        font = ImageFont.truetype(str(path), size, index=0) if path else ImageFont.load_default(size)
        draw.text((WIDTH / 2 * px, line.y * px), line.text, fill="#111", font=font, anchor="ms")
    step = page.module * px
    for x, y in page.modules:
        left, top = page.qr_x * px + x * step, page.qr_y * px + y * step
        # Whole pixels, overlapping by rounding up, so that no hairline gap shows between two dark modules.
        draw.rectangle([round(left), round(top), round(left + step), round(top + step)], fill="black")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(PNG_DPI, PNG_DPI), optimize=True)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------------
@cache
def pdf_font() -> str:
    """The poster's font, registered with reportlab once: the report's Chinese font, else the non-embedded CJK
    fallback (``fankui check``'s insights.W001 says what to install)."""
    from reportlab.pdfbase import pdfmetrics

    path = font_file()
    if path is None:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FALLBACK_FONT))
        return PDF_FALLBACK_FONT
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        pdfmetrics.getFont(PDF_FONT)  # registered by the report already: the same file
    except KeyError:
        pdfmetrics.registerFont(TTFont(PDF_FONT, str(path), subfontIndex=0))
    return PDF_FONT


def pdf(target: Target) -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    page = layout(target)
    font = pdf_font()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(WIDTH * mm, HEIGHT * mm), pageCompression=1)
    name, _where = describe(target)
    c.setTitle(name)
    c.setStrokeColor(HexColor(COLOUR))
    c.setLineWidth(1.2 * mm)
    c.rect(8 * mm, 8 * mm, (WIDTH - 16) * mm, (HEIGHT - 16) * mm)
    c.setFillColor(HexColor("#111111"))
    for line in page.lines:
        c.setFont(font, line.size * mm)
        c.drawCentredString(WIDTH / 2 * mm, (HEIGHT - line.y) * mm, line.text)
    c.setFillColor(HexColor("#000000"))
    side = page.module * mm
    for x, y in page.modules:
        left = (page.qr_x + x * page.module) * mm
        bottom = (HEIGHT - page.qr_y - (y + 1) * page.module) * mm
        # A hair larger than the module, so that viewers' anti-aliasing leaves no light seams between modules.
        c.rect(left, bottom, side + 0.05, side + 0.05, stroke=0, fill=1)
    c.showPage()
    c.save()
    return out.getvalue()


def poster(target: Target, fmt: str) -> bytes:
    return {"png": png, "svg": svg, "pdf": pdf}[fmt](target)
