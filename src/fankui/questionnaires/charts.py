"""The results page's charts as inline SVG drawn on the server: no JavaScript, nothing from outside the page, and a
text alternative (the table beside every chart carries the same numbers; the SVG has a title for screen readers)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .services.results import Bar

COLOUR = "#2f6fb0"
LOW_COLOUR = "#b5473a"
WIDTH = 560
ROW = 22
LABEL = 150


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bars_svg(bars: Sequence[Bar], *, title: str) -> SafeString:
    """Horizontal bars, one per answer, with its count and share written at the end of the bar."""
    height = ROW * len(bars) + 8
    top = max((b.count for b in bars), default=0) or 1
    room = WIDTH - LABEL - 90
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        width = round(room * bar.count / top, 1)
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(_short(bar.label))}</text>'
        )
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{width}" height="{ROW - 6}" fill="{COLOUR}"></rect>')
        parts.append(f'<text x="{LABEL + width + 4}" y="{y + 15}" font-size="12">{bar.count} ({bar.share:g}%)</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def trend_svg(points: Sequence[tuple[str, float | None]], *, title: str) -> SafeString:
    """A line of one figure by month (NPS may be negative: the scale includes zero)."""
    values = [v for _label, v in points if v is not None]
    if not values:
        return mark_safe("")
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0
    height, left, bottom = 180, 40, 24
    step = (WIDTH - left - 20) / max(1, len(points) - 1)

    def y(value: float) -> float:
        return round(10 + (height - bottom - 10) * (high - value) / span, 1)

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" x2="{WIDTH - 10}" y1="{y(0)}" y2="{y(0)}" stroke="#999" stroke-width="1"></line>',
    ]
    line = []
    for i, (label, value) in enumerate(points):
        x = round(left + i * step, 1)
        parts.append(f'<text x="{x}" y="{height - 6}" text-anchor="middle" font-size="11">{escape(label)}</text>')
        if value is None:
            continue
        line.append(f"{x},{y(value)}")
        parts.append(f'<circle cx="{x}" cy="{y(value)}" r="3" fill="{COLOUR}"></circle>')
        parts.append(f'<text x="{x}" y="{y(value) - 6}" text-anchor="middle" font-size="11">{value:g}</text>')
    if len(line) > 1:
        parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{COLOUR}" stroke-width="2"></polyline>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
