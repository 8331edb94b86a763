"""Import files in S3-compatible object storage, beside the attachments: a file uploaded on a web machine is scanned by
one worker machine and its chunks worked by another, each reading its own local copy; the report the worker wrote
is downloaded on the web machine; the upload and the rows made from it leave the bucket once imported, and the
workers' copies with them. Each "machine" is a data folder of its own (FANKUI_DATA_DIR: where the local copies are)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from fankui.cases.models import Case
from fankui.imports import files, services, tasks
from fankui.imports.models import Status

from .objectstore import BUCKET

pytestmark = pytest.mark.django_db


def xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "time", "body"])
    for n in range(1, 6):
        sheet.append([f"{n}", "路灯", "2019/4/25 9:32", f"第{n}条：滨江路的路灯坏了，晚上很黑。"])
    path = Path(__file__).parent / ".upload.xlsx"
    try:
        book.save(path)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def on(machine: str, settings: Any, tmp_path: Path) -> Path:
    settings.FANKUI_DATA_DIR = tmp_path / machine
    settings.FANKUI_DATA_DIR.mkdir(exist_ok=True)
    return settings.FANKUI_DATA_DIR


def keys(client: Any) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_import_uploaded_on_the_web_is_read_by_workers_on_other_machines(
    s3_storage: Any, settings: Any, tmp_path: Path
) -> None:
    web = on("web", settings, tmp_path)
    job = services.save_upload(SimpleUploadedFile("旧系统.xlsx", xlsx()), None, chunk_size=2)
    job = services.start(job, None, dry_run=False)
    assert keys(s3_storage) == [f"site1/{job.path}"]
    assert not [p for p in web.rglob("*") if p.is_file()]  # nothing kept on the web machine

    first = on("worker-1", settings, tmp_path)
    assert services.scan(job)
    assert f"site1/{files.rows_name(job.pk)}" in keys(s3_storage)  # the workbook's rows, for every worker
    assert services.work_chunk(job) == 2

    second = on("worker-2", settings, tmp_path)
    assert tasks.run_imports() == 3  # the two chunks left, read from this machine's own copies
    job.refresh_from_db()
    assert job.status == Status.DONE
    assert Case.objects.count() == 5
    assert keys(s3_storage) == [f"site1/{job.report}"]  # upload and rows gone, the report kept
    assert not [p for p in (second / "cache").rglob("*") if p.is_file()]  # and this worker's copies

    on("worker-1", settings, tmp_path)
    tasks.run_imports()  # the next round of the first worker drops its copies of finished jobs' files
    assert not [p for p in (first / "cache").rglob("*") if p.is_file()]

    on("web", settings, tmp_path)
    with services.report_download(job, None) as report:  # type: ignore[union-attr]
        assert report.read().decode("utf-8").count("\n") == 6
