"""Issue 14: after 20 wrong passwords the right one still logged in, on the staff login and on /admin/. Now an
account, and separately an address, is locked out for a while after FANKUI_LOGIN_FAILURE_LIMIT failures
(django-axes), and the login page says so."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from fankui.accounts.models import Role, User
from tests import factories

LOGIN = "/accounts/login/"


def sign_in(client: Client, username: str, password: str, url: str = LOGIN) -> Any:
    return client.post(url, {"username": username, "password": password})


@pytest.mark.django_db
def test_after_20_wrong_passwords_the_right_one_is_refused(dispatcher: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(20):
        sign_in(client, dispatcher.username, "wrong-password")
    response = sign_in(client, dispatcher.username, factories.PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "locked for 15 minutes" in page
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_fifth_failure_locks_the_account_even_from_another_address(dispatcher: User) -> None:
    for n in range(5):
        sign_in(Client(REMOTE_ADDR=f"10.0.0.{n}"), dispatcher.username, "wrong-password")
    assert sign_in(Client(REMOTE_ADDR="10.0.0.99"), dispatcher.username, factories.PASSWORD).status_code == 429


@pytest.mark.django_db
def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(dispatcher: User) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, dispatcher.username, "wrong-password")
    assert sign_in(client, dispatcher.username, factories.PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        sign_in(client, dispatcher.username, "wrong-password")
    assert sign_in(client, dispatcher.username, factories.PASSWORD).status_code == 302


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked(dispatcher: User, handler: User) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong-password")
    assert sign_in(client, handler.username, factories.PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="203.0.113.8"), handler.username, factories.PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_after_its_time(dispatcher: User, _frozen_time: time_machine.Coordinates) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, dispatcher.username, "wrong-password")
    assert sign_in(client, dispatcher.username, factories.PASSWORD).status_code == 429
    _frozen_time.shift(16 * 60)
    assert sign_in(client, dispatcher.username, factories.PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_locked_out_too(db: None) -> None:
    admin = factories.user(Role.ADMIN)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(20):
        sign_in(client, admin.username, "wrong-password", url="/admin/login/")
    response = sign_in(client, admin.username, factories.PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_limit_and_the_time_are_settings(settings: Any, dispatcher: User) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        sign_in(client, dispatcher.username, "wrong-password")
    assert sign_in(client, dispatcher.username, factories.PASSWORD).status_code == 429


@pytest.mark.django_db
def test_login_posts_are_rate_limited_per_address(settings: Any, dispatcher: User) -> None:
    settings.FANKUI_RATE_LIMITS = {"login": (3, 600)}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for n in range(3):
        sign_in(client, f"nobody{n}", "x")
    response = sign_in(client, dispatcher.username, factories.PASSWORD)
    assert response.status_code == 429 and int(response["Retry-After"]) <= 600
    assert "Too many requests" in response.content.decode()
