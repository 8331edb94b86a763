from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils import translation

from fankui.cases.models import Case
from fankui.imports.models import Outcome, Status
from fankui.intake.models import Submission

from .conftest import outcomes, run_file

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"
REPLY = "您好，经核实，路灯已于本周修复。"


def test_a_dry_run_names_each_bad_row_and_its_reason_and_writes_no_case(
    db: None, csv_file: Callable[..., Path]
) -> None:
    path = csv_file(
        [
            ["1", "u1", "路灯", "2019/4/25 9:32:09", BODY, REPLY, "2019/5/6 10:00:00"],  # row 2
            ["2", "u2", "路灯", "2019-07-11 00:00:00", BODY, REPLY, "2019-07-12T08:00:00+08:00"],  # row 3
            ["3", "u3", "路灯", "2019年4月25日", BODY, "", ""],  # row 4: an open case
            [],  # row 5
            ["4", "u4", "路灯", "昨天下午", BODY, REPLY, "2019/5/6"],  # row 6
            ["5", "u5", "路灯", "2019/4/25 9:32:09", "", REPLY, "2019/5/6"],  # row 7
            ["6", "u6", "路灯", "2019/4/25 9:32:09", BODY, REPLY, "2019/5/6", "多出来的一格"],  # row 8
            ["1", "u1", "路灯", "2019/4/25 9:32:09", BODY, REPLY, "2019/5/6 10:00:00"],  # row 9: row 2 again
            ["7", "u7", "路灯", "2030/1/1 8:00:00", BODY, "", ""],  # row 10
            ["8", "u8", "路灯", "2019/4/25 9:32:09", BODY, REPLY, ""],  # row 11
            ["9", "u9", "路灯", "2019/4/25 9:32:09", BODY, REPLY, "2019/4/20 9:00:00"],  # row 12
        ]
    )
    with translation.override("en"):
        job = run_file(path, dry_run=True)

    assert job.status == Status.DONE
    assert job.total_rows == 11
    found = outcomes(job)
    assert {row for row, (outcome, _reason) in found.items() if outcome == Outcome.VALID} == {2, 3, 4, 12}
    assert found[5] == (Outcome.FAILED, "Empty row.")
    assert found[6] == (Outcome.FAILED, "The time received “昨天下午” is not a date.")
    assert found[7] == (Outcome.FAILED, "body: Please describe your request.")
    assert found[8][0] == Outcome.FAILED and "8 cells where the header has 7" in found[8][1]
    assert found[9] == (Outcome.SKIPPED, "Same as row 2 of this file.")
    assert found[10] == (Outcome.FAILED, "The time received 2030/1/1 8:00:00 is in the future.")
    assert found[11] == (Outcome.FAILED, "The reply has no time (field “reply_time”).")
    # Kept, with a note: a reply cannot come before the request it answers.
    assert "was before the time received" in found[12][1]
    assert not Case.objects.exists()
    assert not Submission.objects.exists()


def test_a_dry_run_after_an_import_says_which_rows_are_there_already(db: None, csv_file: Callable[..., Path]) -> None:
    path = csv_file([["1", "u1", "路灯", "2019/4/25 9:32:09", BODY, REPLY, "2019/5/6 10:00:00"]])
    imported = run_file(path)
    case = Case.objects.get()
    with translation.override("en"):
        again = run_file(path, dry_run=True)
    assert imported.results.get().outcome == Outcome.IMPORTED
    assert outcomes(again) == {2: (Outcome.SKIPPED, f"Imported before as case {case.number}.")}
