from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from fankui.cases.models import Case

TOKEN = re.compile(r'name="token" value="([0-9a-f]{32})"')


@pytest.fixture
def en() -> Client:
    """An anonymous visitor whose browser asks for English."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def fresh_form(en: Client) -> Callable[..., dict[str, Any]]:
    """``fresh_form(**fields)``: what the submit page's form posts, with the token of a freshly rendered page."""

    def make(**fields: Any) -> dict[str, Any]:
        page = en.get("/")
        match = TOKEN.search(page.content.decode())
        assert match, "the form carries a per-render token"
        return {"token": match.group(1), "body": "小区门口的路灯坏了一个月，请尽快修理。", **fields}

    return make


def png_file(name: str = "photo.png") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def case_from_redirect(location: str) -> Case:
    code = location.rstrip("/").rsplit("/", 1)[-1]
    return Case.objects.get(tracking_code=code)
