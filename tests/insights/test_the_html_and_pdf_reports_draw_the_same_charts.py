"""The HTML report's charts are the PDF's: one reportlab drawing, written as inline SVG by reportlab's renderer."""

from __future__ import annotations

import re

from fankui.insights import charts
from fankui.insights.tables import Chart, Table


def channels() -> Table:
    rows = [["网页表单", 20], ["A&B <部门>", 14], ["一个超过十二个字的很长很长的部门名称", 2]]
    return Table("按来源渠道 <x>", ["渠道", "本期"], rows, chart=Chart("bar"))


def test_a_chart_is_an_svg_element_to_put_inside_a_page() -> None:
    svg = charts.svg(channels())
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    # Several charts on one page: no id of the renderer's may repeat.
    assert not re.search(r'\bid="', svg)
    assert 'class="chart"' in svg and 'role="img"' in svg and 'aria-label="按来源渠道 &lt;x&gt;"' in svg
    assert "<title>按来源渠道 &lt;x&gt;</title>" in svg and "<desc>" not in svg


def test_labels_are_text_escaped_and_cut_as_in_the_pdf() -> None:
    svg = charts.svg(channels())
    assert "A&amp;B &lt;部门&gt;" in svg and "<部门>" not in svg
    assert "一个超过十二个字的很长…" in svg
    drawing = charts.drawing(channels())
    bars = drawing.contents[0]
    assert list(bars.categoryAxis.categoryNames) == ["一个超过十二个字的很长…", "A&B <部门>", "网页表单"]


def test_the_browser_gets_its_own_chinese_fonts_for_the_chart() -> None:
    svg = charts.svg(channels())
    assert "PingFang SC" in svg and charts.FONT not in svg


def test_a_table_without_a_chart_or_rows_draws_nothing() -> None:
    assert charts.svg(Table("t", ["a"], [["x"]])) == ""
    assert charts.svg(Table("t", ["a", "b"], [], chart=Chart("bar"))) == ""


def test_a_trend_is_a_line() -> None:
    rows = [[f"2026-11-{day:02d}", day % 4] for day in range(1, 31)]
    svg = charts.svg(Table("每日", ["日期", "工单"], rows, chart=Chart("line", limit=400)))
    assert "<path" in svg and ">11-01<" in svg
