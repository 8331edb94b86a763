"""Charts as inline SVG for the HTML report: no script, so they work offline, in e-mail and when printed."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape

from .tables import Table

WIDTH = 640
BAR_HEIGHT = 18
COLOUR = "#2f6fb0"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def bar(table: Table) -> str:
    """Horizontal bars: long Chinese labels fit on the left, values on the right."""
    assert table.chart is not None
    rows = table.rows[: table.chart.limit]
    if not rows:
        return ""
    label_width, gap = 200, 6
    values = [_number(r[table.chart.value_column]) for r in rows]
    top = max(values) or 1.0
    height = len(rows) * (BAR_HEIGHT + gap) + gap
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(table.title)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    span = WIDTH - label_width - 70
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = gap + i * (BAR_HEIGHT + gap)
        label = str(row[table.chart.label_column])
        label = label if len(label) <= 14 else label[:13] + "…"
        length = max(1.0, span * value / top) if value else 0.0
        parts.append(
            f'<text x="{label_width - 6}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" font-size="12">{escape(label)}'
            f'</text><rect x="{label_width}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" fill="{COLOUR}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + BAR_HEIGHT - 5}" font-size="12">{value:g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line(table: Table) -> str:
    assert table.chart is not None
    rows = table.rows[: table.chart.limit]
    if not rows:
        return ""
    height, left, bottom, top_pad = 200, 40, 24, 10
    values = [_number(r[table.chart.value_column]) for r in rows]
    top = max(values) or 1.0
    step = (WIDTH - left - 10) / max(1, len(rows) - 1)
    plot = height - bottom - top_pad

    def y(v: float) -> float:
        return top_pad + plot - plot * v / top

    points = " ".join(f"{left + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(table.title)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{WIDTH - 10}" y2="{y(0):.1f}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{y(top) + 4:.1f}" text-anchor="end" font-size="11">{top:g}</text>',
        f'<text x="{left - 4}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="11">0</text>',
        f'<polyline fill="none" stroke="{COLOUR}" stroke-width="2" points="{points}"/>',
    ]
    label_every = max(1, len(rows) // 8)
    for i, row in enumerate(rows):
        if i % label_every == 0 or i == len(rows) - 1:
            label = str(row[table.chart.label_column])[5:]  # "2026-10-01" -> "10-01"
            anchor = "end" if i == len(rows) - 1 and i else "middle"
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{height - 6}" text-anchor="{anchor}" font-size="11">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def chart(table: Table) -> str:
    if table.chart is None:
        return ""
    return line(table) if table.chart.kind == "line" else bar(table)
