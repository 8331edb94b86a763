"""Attachments in S3-compatible object storage (FANKUI_ATTACHMENT_STORAGE=s3, django-storages): kept in the bucket,
nothing on the web process's disk, downloaded by staff through the site as from the local folder, deleted from the
bucket when a submission is anonymised. Against moto's S3 server, started on loopback by the test."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from PIL import Image

from fankui import settings as fankui_settings
from fankui.accounts.models import User
from fankui.intake import services as intake
from fankui.intake.models import StoredFile

from .objectstore import BUCKET


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_attachments_live_in_the_bucket_and_download_through_the_site(
    s3_storage: Any, dispatcher: User, client_for: Callable[[User], Client], tmp_path: Path
) -> None:
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    token = re.search(r'name="token" value="([0-9a-f]{32})"', public.get("/").content.decode())
    assert token
    upload = io.BytesIO(png())
    upload.name = "photo.png"
    response = public.post("/", {"token": token.group(1), "body": "路灯坏了，见照片。", "attachments": [upload]})
    assert response.status_code == 302

    stored = StoredFile.objects.get()
    keys = [item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [f"site1/{stored.file.name}"]
    assert not (tmp_path / "media").exists()  # nothing on the web process's disk

    download = client_for(dispatcher).get(f"/staff/attachments/{stored.token}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png()  # type: ignore[attr-defined]

    # Erasing the submitter's data deletes the object as well.
    assert intake.anonymise(stored.owner, lambda text: text) == 1
    assert s3_storage.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_s3_without_a_bucket_is_refused_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANKUI_ATTACHMENT_STORAGE", "s3")
    monkeypatch.delenv("FANKUI_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="FANKUI_S3_BUCKET"):
        fankui_settings.attachment_storage()
    monkeypatch.setenv("FANKUI_ATTACHMENT_STORAGE", "ftp")
    with pytest.raises(ImproperlyConfigured, match="FANKUI_ATTACHMENT_STORAGE"):
        fankui_settings.attachment_storage()
    monkeypatch.setenv("FANKUI_ATTACHMENT_STORAGE", "local")
    assert fankui_settings.attachment_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
