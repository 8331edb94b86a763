from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError
from django.utils import translation

from fankui.cases.models import Case
from fankui.cases.services import history
from fankui.imports.models import Outcome, Status

from .conftest import outcomes, run_file

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def test_a_database_error_in_one_rows_history_fails_that_row_and_keeps_the_others(
    db: None, csv_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        [str(n), "u", f"路灯{n}", "2019/4/25 9:32:09", f"{BODY}{n}", "已修复。", "2019/5/6 10:00"] for n in range(4)
    ]
    real_replay = history.replay_many

    def breaks_on_the_third(histories: Any) -> Any:
        if any(case.submission.external_id == "import:2" for case, _steps in histories):
            raise DatabaseError("deadlock detected")
        return real_replay(histories)

    # The chunk's bulk replay fails; worked again row by row, only the third row does.
    monkeypatch.setattr(history, "replay_many", breaks_on_the_third)
    with translation.override("en"):
        job = run_file(csv_file(rows))

    assert job.status == Status.DONE
    found = outcomes(job)
    assert found[4] == (Outcome.FAILED, "This row could not be imported (DatabaseError).")
    assert [found[n][0] for n in (2, 3, 5)] == [Outcome.IMPORTED] * 3
    # The failed row left nothing behind: its submission and case were rolled back with its savepoint.
    assert sorted(Case.objects.values_list("submission__external_id", flat=True)) == [
        "import:0",
        "import:1",
        "import:3",
    ]
