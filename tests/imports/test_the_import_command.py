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
from fankui.core.management.commands.worker import sweeps
from fankui.imports import files
from fankui.imports.models import ImportJob, Status

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


def test_a_background_import_keeps_a_copy_for_a_worker_on_any_machine(db: None, csv_file: Callable[..., Path]) -> None:
    path = csv_file([["A-1", "u", "路灯", "2019/4/25 9:32", BODY, "", ""]])
    out = io.StringIO()
    call_command("import", str(path), "--background", stdout=out)
    job = ImportJob.objects.get()
    assert job.path.startswith("imports/") and files.exists(job.path)
    path.unlink()  # the worker is on another machine: it never sees the operator's file

    assert dict(sweeps())["imports_run"]() == 1
    job.refresh_from_db()
    assert job.status == Status.DONE and not files.exists(job.path)
    assert Case.objects.get().submission.external_id == "import:A-1"
