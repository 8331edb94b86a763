from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fankui.accounts.models import Department, Role
from fankui.audit.models import Entry
from fankui.cases.models import Case
from fankui.core.management.commands.worker import sweeps
from fankui.imports import files
from fankui.imports.models import ImportJob, Status

from .. import factories

CSV = (
    "id,user,title,time,body,reply,reply_time\n"
    "2549,A1,路灯不亮,2019/4/25 9:32:09,小区门口的路灯坏了一个月。,已修复。,2019/5/6 10:00:00\n"
    "2550,A2,噪音,2019/4/26 9:00:00,,已处理。,2019/5/6 10:00:00\n"
).encode()


def _client(client_for: Callable[..., Any], role: str, department: Department) -> Any:
    client = client_for(factories.user(role, department))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.HANDLER, Role.DEPT_HEAD, Role.ANALYST, Role.AUDITOR])
def test_other_roles_cannot_open_the_import_pages(
    centre: Department, client_for: Callable[..., Any], role: str
) -> None:
    client = _client(client_for, role, centre)
    job = ImportJob.objects.create(original_name="x.csv", path="/nowhere", format="csv", created_at="2026-11-16T10:00Z")
    for url in ("/staff/imports/", f"/staff/imports/{job.pk}/", f"/staff/imports/{job.pk}/progress/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/imports/{job.pk}/cancel/").status_code == 403
    assert "/staff/imports/" not in client.get("/staff/cases/").content.decode()


def test_signed_out_visitors_are_sent_to_the_login(db: None, client: Any) -> None:
    response = client.get("/staff/imports/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
def test_an_administrator_uploads_dry_runs_imports_and_downloads_the_report(
    centre: Department, client_for: Callable[..., Any], role: str
) -> None:
    client = _client(client_for, role, centre)
    assert "/staff/imports/" in client.get("/staff/cases/").content.decode()
    upload = SimpleUploadedFile("问政.csv", CSV, content_type="text/csv")
    response = client.post("/staff/imports/", {"file": upload, "source": "wenzheng", "history": "on"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/imports/{job.pk}/"
    page = client.get(f"/staff/imports/{job.pk}/").content.decode()
    assert '<option value="body" selected>' in page  # the header was recognised

    mapping = {
        "id": "id",
        "title": "title",
        "body": "body",
        "time": "time",
        "reply": "reply",
        "reply_time": "reply_time",
    }
    assert client.post(f"/staff/imports/{job.pk}/", {**mapping, "run": "dry"}).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.dry_run) == (Status.QUEUED, True)
    assert 'hx-trigger="every 2s"' in client.get(f"/staff/imports/{job.pk}/progress/").content.decode()

    sweep = dict(sweeps())["imports_run"]  # what `fankui worker` runs every round
    assert sweep() == 2
    assert sweep() == 0  # nothing left to do
    fragment = client.get(f"/staff/imports/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment
    assert "1 valid" in fragment and "1 not imported" in fragment
    assert "body: Please describe your request." in fragment
    assert not Case.objects.exists()

    assert client.post(f"/staff/imports/{job.pk}/", {**mapping, "run": "import"}).status_code == 302
    sweep()
    job.refresh_from_db()
    assert (job.status, job.dry_run) == (Status.DONE, False)
    assert Case.objects.get().submission.external_id == "wenzheng:2549"
    # The upload held people's requests: it is deleted once imported (the report stays).
    assert job.path.startswith("imports/") and not files.exists(job.path)
    assert files.exists(job.report)

    report = client.get(f"/staff/imports/{job.pk}/report/")
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")
    assert b"Please describe your request." in b"".join(report.streaming_content)
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert {"import_dry_run", "import", "import_finished", "export"} <= kinds
    assert Entry.objects.filter(kind="import").get().actor is not None


def test_an_upload_that_is_not_a_table_is_refused_on_the_page(
    centre: Department, client_for: Callable[..., Any]
) -> None:
    client = _client(client_for, Role.ADMIN, centre)
    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="text/csv")
    response = client.post("/staff/imports/", {"file": upload, "source": "import"})
    assert response.status_code == 422
    assert "The file is not text" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_mapping_without_the_text_column_is_refused_beside_the_form(
    centre: Department, client_for: Callable[..., Any]
) -> None:
    client = _client(client_for, Role.ADMIN, centre)
    client.post("/staff/imports/", {"file": SimpleUploadedFile("a.csv", CSV), "source": "import"})
    job = ImportJob.objects.get()
    response = client.post(f"/staff/imports/{job.pk}/", {"title": "title", "run": "import"})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    job.refresh_from_db()
    assert job.status == Status.UPLOADED
