from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils import translation

from fankui.cases.models import Case
from fankui.imports.models import Outcome

from .conftest import outcomes, run_file

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def test_the_same_file_imported_twice_creates_each_case_once(db: None, csv_file: Callable[..., Path]) -> None:
    path = csv_file(
        [[str(n), "u", f"路灯{n}", "2019/4/25 9:32:09", f"{BODY}{n}", "已修复。", "2019/5/6 10:00"] for n in range(5)]
    )
    first = run_file(path, chunk_size=2)
    numbers = set(Case.objects.values_list("number", flat=True))
    with translation.override("en"):
        second = run_file(path, chunk_size=2)

    assert {o for o, _r in outcomes(first).values()} == {Outcome.IMPORTED}
    assert Case.objects.count() == 5
    assert set(Case.objects.values_list("number", flat=True)) == numbers
    assert all(o == Outcome.SKIPPED and r.startswith("Imported before as case") for o, r in outcomes(second).values())


def test_rows_without_an_identifier_are_known_again_by_their_content(db: None, csv_file: Callable[..., Path]) -> None:
    header = ["标题", "内容", "时间"]
    path = csv_file([["路灯", BODY, "2019/4/25"], ["噪音", "夜里工地施工噪音太大。", "2019/4/26"]], header=header)
    run_file(path, history=False)
    run_file(path, history=False)
    assert Case.objects.count() == 2


def test_the_same_identifier_from_another_source_system_is_another_request(
    db: None, csv_file: Callable[..., Path]
) -> None:
    path = csv_file([["1", "u", "路灯", "2019/4/25 9:32:09", BODY, "", ""]])
    run_file(path, source="old-hotline")
    run_file(path, source="mayor-mailbox")
    assert sorted(Case.objects.values_list("submission__external_id", flat=True)) == [
        "mayor-mailbox:1",
        "old-hotline:1",
    ]


def test_a_changed_text_under_an_identifier_imported_before_is_reported_not_merged(
    db: None, csv_file: Callable[..., Path]
) -> None:
    run_file(csv_file([["1", "u", "路灯", "2019/4/25 9:32:09", BODY, "", ""]], name="a.csv"))
    with translation.override("en"):
        job = run_file(csv_file([["1", "u", "路灯", "2019/4/25 9:32:09", "另一段文字。", "", ""]], name="b.csv"))
    outcome, reason = outcomes(job)[2]
    assert outcome == Outcome.FAILED
    assert "identifier 1 was imported before with a different text" in reason
    assert Case.objects.get().submission.body == BODY
