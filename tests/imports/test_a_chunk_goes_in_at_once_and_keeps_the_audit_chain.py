"""A chunk of rows goes through the bulk door at once (on PostgreSQL by COPY once it has 50 rows or more): the
timelines it writes are sealed and verified like any other, and rows repeating each other inside the chunk are
reported as such."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils import translation

from fankui.audit import chain
from fankui.audit.models import Event
from fankui.cases.models import Case, Reply
from fankui.imports.models import Outcome, Status

from .conftest import outcomes, run_file

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def history_rows(count: int) -> list[list[str]]:
    return [
        [str(n), "u", f"路灯{n}", "2019/4/25 9:32:09", f"{BODY}{n}", f"已修复{n}。", "2019/5/6 10:00"]
        for n in range(count)
    ]


def test_a_chunk_of_history_is_written_at_once_and_the_audit_chain_verifies(
    db: None, csv_file: Callable[..., Path]
) -> None:
    job = run_file(csv_file(history_rows(120)))
    assert job.status == Status.DONE
    assert Case.objects.filter(state="closed").count() == 120
    assert Reply.objects.count() == 120
    # receive, accept, dispatch, start, reply, close: in that order for every case.
    case = Case.objects.order_by("pk").last()
    assert list(Event.objects.filter(case=case).order_by("pk").values_list("action", flat=True)) == [
        "receive",
        "accept",
        "dispatch",
        "start",
        "reply",
        "close",
    ]
    assert chain.seal() > 0
    report = chain.verify()
    assert report.ok, report.problem

    again = run_file(csv_file(history_rows(120), name="again.csv"))
    assert {outcome for outcome, _reason in outcomes(again).values()} == {Outcome.SKIPPED}
    assert Case.objects.count() == 120


def test_a_row_repeated_in_its_chunk_is_skipped_and_a_repeat_of_a_failed_row_gets_its_own_chance(
    db: None, csv_file: Callable[..., Path]
) -> None:
    rows = [
        ["1", "u", "路灯", "2019/4/25 9:32:09", BODY, "已修复。", "2019/5/6 10:00"],
        ["1", "u", "路灯", "2019/4/25 9:32:09", BODY, "已修复。", "2019/5/6 10:00"],
        # The same identifier twice: the first has a text intake refuses (too long), the second is good.
        ["2", "u", "路灯", "2019/4/25 9:32:09", "长" * 20_000, "", ""],
        ["2", "u", "路灯", "2019/4/25 9:32:09", BODY + "二", "", ""],
    ]
    with translation.override("en"):
        job = run_file(csv_file(rows))
    found = outcomes(job)
    assert found[2][0] == Outcome.IMPORTED
    assert found[3] == (Outcome.SKIPPED, "Same as row 2 of this file.")
    assert found[4][0] == Outcome.FAILED and found[4][1].startswith("body:")
    assert found[5][0] == Outcome.IMPORTED
    assert Case.objects.count() == 2
