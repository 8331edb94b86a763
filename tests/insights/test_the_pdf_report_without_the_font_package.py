"""Without the operating system's font package the PDF report still renders (with reportlab's built-in Chinese
font, which it names but does not embed), and ``fankui check`` says what to install."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fankui.insights import builders, charts, periods, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_font_package(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(charts, "FONT_FILES", ("/nonexistent/wqy-microhei.ttc",))
    charts.register_font.cache_clear()
    yield
    charts.register_font.cache_clear()


def test_the_pdf_uses_the_built_in_font_and_the_check_warns(no_font_package: None) -> None:
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    content = builders.pdf(report)
    assert content.startswith(b"%PDF") and b"STSong-Light" in content and b"/FontFile2" not in content
    assert [message.id for message in charts.check_font()] == ["insights.W001"]


def test_the_check_is_quiet_with_the_font_package() -> None:
    if charts.font_file() is None:
        pytest.skip("the fonts-wqy-microhei package is not installed")
    assert charts.check_font() == []
