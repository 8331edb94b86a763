from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation

from fankui.cases.models import Case
from fankui.insights import builders, charts, periods, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(walk: Callable[..., Case]) -> queries.Report:
    walk("2026-11-02 09:00", to="closed", level=5, channel="phone")
    walk("2026-11-03 09:00", to="reopened", level=1)
    walk("2026-10-03 09:00", to="received")
    return queries.build(queries.whole_organisation(), periods.parse("2026-11"))


def test_the_html_report_is_one_self_contained_page_with_svg_charts(report: queries.Report) -> None:
    page = builders.html(report).decode()
    assert page.startswith("<!doctype html>") and '<html lang="en">' in page
    assert "<svg" in page and "<style>" in page
    # Nothing to fetch: no script, no stylesheet link, no image from elsewhere.
    assert not re.search(r"<script|<link|<img|src=\"http", page)
    assert "Response rate" in page and "Definitions" in page
    assert "On-time rates" in page and "Improvement actions" in page


def test_the_xlsx_report_has_a_sheet_per_section_with_numbers_as_numbers(report: queries.Report) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(builders.xlsx(report)))
    assert {"Summary", "Volume and trend", "Hot topics", "Definitions"} <= set(book.sheetnames)
    summary = book["Summary"]
    received = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Cases received")
    assert received[1:4] == (2, 1, 1)
    rates = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Satisfaction rate")
    assert rates[1] == 50.0 and isinstance(rates[2], int)
    assert book["Definitions"].max_row > 5


def test_the_pdf_report_embeds_a_chinese_font(report: queries.Report, tmp_path: Path) -> None:
    if charts.font_file() is None and not os.environ.get("CI"):
        pytest.skip("the fonts-wqy-microhei package is not installed (make install installs it; CI must have it)")
    with translation.override("zh-hans"):
        chinese = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
        content = builders.pdf(chinese)
    assert content.startswith(b"%PDF")
    assert b"/FontFile2" in content and b"WenQuanYiMicroHei" in content
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the text check needs it")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "非常满意" in text  # a Chinese label comes back out as text, not boxes


def test_every_format_renders_an_empty_period() -> None:
    empty = queries.build(queries.whole_organisation(), periods.parse("2025-02"))
    for fmt in builders.FORMATS:
        assert builders.render(empty, fmt)
