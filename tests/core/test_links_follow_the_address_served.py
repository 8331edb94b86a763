"""`make run PORT=8100`: the demo's "Open:" links and the links in messages use the address served; an explicit
FANKUI_PUBLIC_URL wins."""

from __future__ import annotations

from typing import Any

import pytest

from fankui.accounts.models import Role
from fankui.core.site import public_url, served_url
from fankui.demo.people import login_table
from tests import factories


@pytest.mark.parametrize(
    ("bind", "url"),
    [
        ("127.0.0.1:8100", "http://127.0.0.1:8100"),
        ("0.0.0.0:8100", "http://127.0.0.1:8100"),
        ("[::1]:8100", "http://[::1]:8100"),
        ("intranet.example:80", "http://intranet.example"),
        ("", "http://127.0.0.1:8000"),
    ],
)
def test_the_address_served_gives_the_links(bind: str, url: str) -> None:
    assert served_url(bind) == url


def test_links_follow_the_bind_unless_a_public_address_is_set(settings: Any) -> None:
    settings.FANKUI_BIND = "127.0.0.1:8100"
    settings.FANKUI_PUBLIC_URL = ""
    assert public_url() == "http://127.0.0.1:8100"
    settings.FANKUI_PUBLIC_URL = "https://feedback.example.gov.cn/"
    assert public_url() == "https://feedback.example.gov.cn"


@pytest.mark.django_db
def test_the_demo_prints_links_on_the_port_served(settings: Any) -> None:
    settings.FANKUI_BIND = "127.0.0.1:8100"
    settings.FANKUI_PUBLIC_URL = ""
    factories.user(Role.DISPATCHER, username="dispatcher")
    lines = login_table()
    opened = lines[lines.index("Open:") + 1 :]
    assert opened and all(line.strip().startswith("http://127.0.0.1:8100/") for line in opened)
