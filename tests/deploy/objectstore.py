"""An S3-compatible object store for the deployment tests: moto's S3 server on a loopback port (the fixtures are
made available to every test of this folder by its conftest)."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings as django_settings

from fankui import settings as fankui_settings

BUCKET = "fankui-attachments"
KEYS = {"aws_access_key_id": "fankui", "aws_secret_access_key": "fankui-secret", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3() -> Iterator[Any]:
    """moto's S3 server on a loopback port with an empty bucket; yields a boto3 client of it."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", **KEYS)
        client.create_bucket(Bucket=BUCKET)
        yield client
    finally:
        # moto keeps its buckets in the process, not in the server: the next test starts with none.
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"))
        server.stop()


@pytest.fixture
def s3_storage(s3: Any, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The site's storage as FANKUI_ATTACHMENT_STORAGE=s3 makes it, pointed at the test's server."""
    monkeypatch.setenv("FANKUI_ATTACHMENT_STORAGE", "s3")
    monkeypatch.setenv("FANKUI_S3_BUCKET", BUCKET)
    monkeypatch.setenv("FANKUI_S3_ENDPOINT_URL", s3.meta.endpoint_url)
    monkeypatch.setenv("FANKUI_S3_REGION", KEYS["region_name"])
    monkeypatch.setenv("FANKUI_S3_ACCESS_KEY", KEYS["aws_access_key_id"])
    monkeypatch.setenv("FANKUI_S3_SECRET_KEY", KEYS["aws_secret_access_key"])
    monkeypatch.setenv("FANKUI_S3_PREFIX", "site1")
    settings.STORAGES = {**django_settings.STORAGES, "default": fankui_settings.attachment_storage()}
    settings.MEDIA_ROOT = tmp_path / "media"
    return s3
