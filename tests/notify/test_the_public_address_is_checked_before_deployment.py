from __future__ import annotations

from typing import Any

from fankui.notify import checks


def test_a_deployment_without_a_public_address_is_warned(settings: Any) -> None:
    settings.FANKUI_PUBLIC_URL = ""
    (warning,) = checks.public_url_is_set()
    assert warning.id == "notify.W001" and "FANKUI_PUBLIC_URL" in warning.msg


def test_a_public_address_silences_it(settings: Any) -> None:
    settings.FANKUI_PUBLIC_URL = "https://12345.example.gov.cn"
    assert checks.public_url_is_set() == []
