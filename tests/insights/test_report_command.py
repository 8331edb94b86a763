from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from fankui.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt,magic", [("pdf", b"%PDF"), ("xlsx", b"PK"), ("html", b"<!doctype html>")])
def test_it_writes_the_report_in_each_format(walk: Callable[..., Case], tmp_path: Path, fmt: str, magic: bytes) -> None:
    walk("2026-10-02 09:00", to="closed", level=5)
    out = tmp_path / f"report.{fmt}"
    call_command("report", period="2026-10", format=fmt, out=str(out), language="en")
    assert out.read_bytes().startswith(magic)


def test_a_bad_period_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("report", period="October", format="pdf", out=str(tmp_path / "r.pdf"))


def test_an_output_in_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="existing folder"):
        call_command("report", period="2026-10", format="pdf", out=str(tmp_path / "nope" / "r.pdf"))
