from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from fankui.audit.models import Entry
from fankui.cases.models import Case

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def test_the_command_maps_columns_dry_runs_and_imports_with_its_report(
    db: None, csv_file: Callable[..., Path], tmp_path: Path
) -> None:
    header = ["工单号", "诉求", "来电时间", "备注"]
    path = csv_file([["A-1", BODY, "2019/4/25 9:32:09", ""], ["A-2", "", "2019/4/25", ""]], header=header)
    out = io.StringIO()
    with translation.override("en"):
        call_command("import", str(path), "--map", "body=诉求,time=来电时间", "--dry-run", stdout=out)
    assert "Dry run: 2 rows" in out.getvalue()
    assert "row 3: Not imported: body: Please describe your request." in out.getvalue()
    assert not Case.objects.exists()

    report = tmp_path / "report.csv"
    with translation.override("en"):
        call_command("import", str(path), "--map", "body=诉求,time=来电时间", "--report", str(report), stdout=out)
    assert Case.objects.get().submission.external_id == "import:A-1"
    assert report.read_text(encoding="utf-8").splitlines()[0] == "row,outcome,case,source_id,reason"
    assert Entry.objects.filter(kind="import", actor_name="command").exists()


def test_the_command_says_what_is_wrong_with_a_file_in_one_line(db: None, csv_file: Callable[..., Path]) -> None:
    path = csv_file([["1", "路灯"]], header=["编号", "说明"])
    with translation.override("en"), pytest.raises(CommandError, match="No column holds the text"):
        call_command("import", str(path))
    with translation.override("en"), pytest.raises(CommandError, match="Unknown field"):
        call_command("import", str(path), "--map", "texte=说明")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", str(path.with_name("missing.csv")))
