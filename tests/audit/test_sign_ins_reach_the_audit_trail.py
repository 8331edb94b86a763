"""Every sign-in and every refused one (wrong password, locked out, wrong second-factor code, /admin/ too) goes
through the audit's one door, ``audit.services.record_login``, with the client's address."""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from tests import factories


@pytest.fixture
def recorded() -> Iterator[mock.MagicMock]:
    with mock.patch("fankui.audit.services.record_login") as record:
        yield record


@pytest.mark.django_db
def test_a_sign_in_and_a_refused_one_are_recorded(dispatcher: User, recorded: mock.MagicMock) -> None:
    client = Client(REMOTE_ADDR="10.0.0.7")
    client.post("/accounts/login/", {"username": "nosuchuser", "password": "guess"})
    client.post("/accounts/login/", {"username": dispatcher.username, "password": factories.PASSWORD})
    assert recorded.call_args_list == [
        mock.call("nosuchuser", False, "10.0.0.7"),
        mock.call(dispatcher, True, "10.0.0.7"),
    ]


@pytest.mark.django_db
def test_refusals_during_a_lockout_and_on_the_admin_are_recorded(recorded: mock.MagicMock) -> None:
    admin = factories.user(Role.ADMIN)
    client = Client(REMOTE_ADDR="10.0.0.8")
    for _ in range(6):
        client.post("/admin/login/", {"username": admin.username, "password": "wrong"})
    client.post("/admin/login/", {"username": admin.username, "password": factories.PASSWORD})
    assert recorded.call_count == 7
    assert {c.args for c in recorded.call_args_list} == {(admin.username, False, "10.0.0.8")}
