"""An unknown code and a malformed one answer the same: nothing tells "exists" from "does not exist"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from fankui.core import codes

MALFORMED = "NOT-A-CODE"


def unknown_code() -> str:
    return codes.new_code()


def without_csrf(page: bytes) -> str:
    return re.sub(r'value="[A-Za-z0-9]{64}"', "", re.sub(r'"X-CSRFToken": "[^"]+"', "", page.decode()))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/track/{}/", "/submitted/{}/"])
def test_unknown_and_malformed_codes_get_the_same_friendly_404(en: Client, path: str) -> None:
    unknown_code_ = unknown_code()
    unknown = en.get(path.format(unknown_code_))
    malformed = en.get(path.format(MALFORMED))
    assert unknown.status_code == malformed.status_code == 404
    assert "We could not find this request" in unknown.content.decode()
    # The pages differ only in the CSRF token and the URL the language switch returns to.
    assert without_csrf(unknown.content).replace(unknown_code_, "X") == without_csrf(malformed.content).replace(
        MALFORMED, "X"
    )


@pytest.mark.django_db
def test_rating_an_unknown_code_is_the_same_404(en: Client) -> None:
    assert en.post(f"/track/{unknown_code()}/rate/", {"level": "5"}).status_code == 404
    assert en.post(f"/track/{MALFORMED}/rate/", {"level": "5"}).status_code == 404


@pytest.mark.django_db
def test_the_404_is_ours_even_in_debug_mode(en: Client, settings: Any) -> None:
    settings.DEBUG = True
    page = en.get(f"/track/{MALFORMED}/").content.decode()
    assert "We could not find this request" in page
    assert "Using the URLconf" not in page
