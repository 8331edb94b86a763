"""`make run PORT=8100`: the demo's "Open:" links and the links in messages use the address served; an explicit
FANKUI_PUBLIC_URL wins."""

from __future__ import annotations

import pytest

from fankui.accounts.models import Role
from fankui.demo.people import login_table
from fankui.notify import conf
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
    assert conf.served_url(bind) == url


def test_links_follow_the_bind_unless_a_public_address_is_set(
    monkeypatch: pytest.MonkeyPatch, settings: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("FANKUI_BIND", "127.0.0.1:8100")
    monkeypatch.delenv("FANKUI_PUBLIC_URL", raising=False)
    assert conf.public_url() == "http://127.0.0.1:8100"
    settings.FANKUI_PUBLIC_URL = "https://feedback.example.gov.cn/"  # type: ignore[attr-defined]
    assert conf.public_url() == "https://feedback.example.gov.cn"


@pytest.mark.django_db
def test_the_demo_prints_links_on_the_port_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FANKUI_BIND", "127.0.0.1:8100")
    monkeypatch.delenv("FANKUI_PUBLIC_URL", raising=False)
    factories.user(Role.DISPATCHER, username="dispatcher")
    lines = login_table()
    opened = lines[lines.index("Open:") + 1 :]
    assert opened and all(line.strip().startswith("http://127.0.0.1:8100/") for line in opened)
