"""The attachment store full (ENOSPC): the form is refused with 503 and Retry-After, saying so, and nothing of the
submission is kept: no row, no case, not the files written before the disk filled up (issue 17)."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.test import Client

from fankui.cases.models import Case
from fankui.intake.models import StoredFile, Submission

from .conftest import case_from_redirect, png_file

pytestmark = pytest.mark.django_db


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """The first ``files`` files are written whole; the next one half, then the disk is full."""
    real_save = FileSystemStorage._save
    written = [0]

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        if written[0] >= files:
            Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
            Path(self.path(name)).write_bytes(b"\x89PNG half")
            raise OSError(errno.ENOSPC, "No space left on device")
        written[0] += 1
        return str(real_save(self, name, content))

    monkeypatch.setattr(FileSystemStorage, "_save", save)


def _files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_full_store_refuses_the_form_with_503_and_keeps_nothing(
    en: Client, fresh_form: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _disk_full_after(monkeypatch, files=1)
    form = fresh_form(title="两张照片", attachments=[png_file("a.png"), png_file("b.png")])
    response = en.post("/", form)
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    page = response.content.decode()
    assert "The store for attachments is full, so nothing was stored." in page
    assert "两张照片" in page  # what was typed comes back
    assert not Submission.objects.exists() and not Case.objects.exists() and not StoredFile.objects.exists()
    assert _files() == []  # neither the whole first file nor the half second one


def test_the_same_form_is_stored_once_there_is_room_again(
    en: Client, fresh_form: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    form = fresh_form(attachments=[png_file()])
    with monkeypatch.context() as full:
        _disk_full_after(full, files=0)
        assert en.post("/", form).status_code == 503
    form["attachments"] = [png_file()]
    response = en.post("/", form)
    assert response.status_code == 302
    assert case_from_redirect(response["Location"]).submission.attachments.count() == 1
    assert len(_files()) == 1


def test_a_retried_key_leaves_no_orphan_file(en: Client) -> None:
    """The duplicate of an Idempotency-Key wrote its attachment before the unique key refused the row."""
    from fankui.cases.services.receiving import receive
    from fankui.intake.services import SubmissionInput

    def attempt() -> tuple[Case, bool]:
        return receive(
            SubmissionInput(body="小区门口的路灯坏了一个月。", idempotency_key="k-1", attachments=[_upload()])
        )

    first, created = attempt()
    again, created_again = attempt()
    assert (created, created_again) == (True, False) and again == first
    assert len(_files()) == 1


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", png_file().getvalue(), content_type="image/png")
