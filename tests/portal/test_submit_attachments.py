"""Photos and PDFs: checked by their content, not their name; too big is refused; browsers cannot keep files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fankui.cases.models import Case
from fankui.intake.models import StoredFile

from .conftest import case_from_redirect, png_file


@pytest.mark.django_db
def test_a_real_png_is_accepted(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    response = en.post("/", fresh_form(attachments=[png_file("路灯.png")]))
    assert response.status_code == 302
    case = case_from_redirect(response["Location"])
    attachment = case.submission.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("路灯.png", "image/png")


@pytest.mark.django_db
def test_a_file_named_like_a_photo_that_is_not_one_is_refused(
    en: Client, fresh_form: Callable[..., dict[str, Any]]
) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program, not a picture", content_type="image/jpeg")
    response = en.post("/", fresh_form(title="路灯不亮", attachments=[fake]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "“photo.jpg” is not a picture (JPEG, PNG, GIF, WebP) or a PDF." in page
    assert "please choose your photos or PDF again" in page
    assert 'value="路灯不亮"' in page
    assert Case.objects.count() == 0
    assert StoredFile.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(
    en: Client, fresh_form: Callable[..., dict[str, Any]], settings: Any
) -> None:
    settings.FANKUI_MAX_ATTACHMENT_BYTES = 1024 * 1024
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024), content_type="application/pdf")
    response = en.post("/", fresh_form(attachments=[big]))
    assert response.status_code == 200
    assert "“scan.pdf” is larger than 1 MB." in response.content.decode()
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_a_file_of_10_mb_and_one_byte_is_refused(en: Client, fresh_form: Callable[..., dict[str, Any]]) -> None:
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n".ljust(10 * 1024 * 1024 + 1, b"0"))
    response = en.post("/", fresh_form(attachments=[big]))
    assert response.status_code == 200
    assert "“scan.pdf” is larger than 10 MB." in response.content.decode()
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_the_form_asks_for_photos_and_pdfs(en: Client) -> None:
    page = en.get("/").content.decode()
    assert 'type="file" name="attachments" id="id_attachments" multiple accept="image/*,application/pdf"' in page
    assert 'enctype="multipart/form-data"' in page
