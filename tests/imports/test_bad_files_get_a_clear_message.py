from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation

from fankui.cases.models import Case
from fankui.core.errors import ValidationFailed
from fankui.imports import reading, services
from fankui.imports.models import Status

from .conftest import run_file


def _message(job_or_error: object) -> str:
    return str(getattr(job_or_error, "error", job_or_error))


def test_a_file_without_the_text_column_fails_naming_the_columns_it_has(
    db: None, csv_file: Callable[..., Path]
) -> None:
    path = csv_file([["1", "路灯坏了"]], header=["编号", "说明"])
    with translation.override("en"):
        job = services.create_job(path, path.name)
        with pytest.raises(ValidationFailed) as refused:
            services.start(job, None, dry_run=True)
    assert "No column holds the text" in refused.value.errors["mapping"][0]
    assert "编号, 说明" in refused.value.errors["mapping"][0]


def test_a_mapping_to_a_column_the_file_lacks_is_refused(db: None, csv_file: Callable[..., Path]) -> None:
    path = csv_file([["1", "路灯坏了"]], header=["编号", "内容"])
    with translation.override("en"):
        job = services.create_job(path, path.name, given={"title": "标题"})
        with pytest.raises(ValidationFailed) as refused:
            services.start(job, None, dry_run=False)
    assert refused.value.errors["mapping"] == ["The file has no column title=标题. Its columns: 编号, 内容."]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "The file is not text"),
        (b"PK\x03\x04\x14\x00", "book.csv", "This is an Excel workbook"),
        (b"PK\x03\x04\x14\x00 broken", "book.xlsx", "not a readable .xlsx workbook"),
        (b"\r\n\r\n", "blank.csv", "no header row"),
    ],
)
def test_files_that_are_not_a_table_are_refused_when_added(
    db: None, tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with translation.override("en"), pytest.raises(reading.BadFile, match=message):
        services.create_job(path, name)


def test_a_header_without_rows_and_a_file_neither_utf8_nor_gbk_fail_the_job(db: None, tmp_path: Path) -> None:
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,title,body\n", encoding="utf-8")
    # Valid at its start, which is all that is read when the file is added; the scan reads the rest.
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"id,body\n1," + b"\xff\xfe\xfa caf\xe9\n")
    with translation.override("en"):
        empty = run_file(header_only)
        unreadable = run_file(latin)
    assert (empty.status, empty.error) == (Status.FAILED, "The file has a header but no rows.")
    assert unreadable.status == Status.FAILED
    assert "neither UTF-8 nor GB18030/GBK" in unreadable.error
    assert not Case.objects.exists()


def test_only_csv_and_xlsx_files_are_taken(db: None, tmp_path: Path) -> None:
    path = tmp_path / "cases.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with translation.override("en"), pytest.raises(reading.BadFile, match=r"Only \.csv and \.xlsx"):
        services.create_job(path, path.name)
