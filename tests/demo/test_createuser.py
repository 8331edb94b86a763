from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fankui.accounts.models import Department, Role, User
from fankui.accounts.services import user_for_token


def create(*args: str) -> str:
    out = StringIO()
    call_command("createuser", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_a_handler_in_a_department_and_prints_a_usable_token(dept: Department) -> None:
    output = create(
        *("li.na", "--role", "handler", "--department", dept.code, "--name", "李娜"),
        *("--password", "s3cret-pass", "--token", "cli"),
    )
    user = User.objects.get(username="li.na")
    # Not is_staff: the Django admin is for administrators only.
    assert (user.role, user.department, user.first_name, user.is_staff) == (Role.HANDLER, dept, "李娜", False)
    assert user.check_password("s3cret-pass")
    token = output.strip().splitlines()[-1]
    assert user_for_token(token) == user


@pytest.mark.django_db
def test_it_asks_for_the_password_when_none_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed-pass-1")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)  # someone at a terminal
    output = create("wang", "--role", "analyst")
    assert User.objects.get(username="wang").check_password("typed-pass-1")
    assert "token" not in output.lower()


@pytest.mark.django_db
def test_an_admin_is_a_superuser() -> None:
    create("boss", "--role", "admin", "--password", "s3cret-pass")
    assert User.objects.get(username="boss").is_superuser


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x", "--role", "wizard"], "Unknown role"),
        (["x", "--role", "handler", "--department", "nowhere"], "Unknown department"),
        (["x", "--role", "handler"], "department"),
        (["taken", "--role", "analyst"], "taken"),
    ],
)
def test_bad_input_is_a_command_error_and_creates_nobody(args: list[str], message: str) -> None:
    User.objects.create(username="taken")
    with translation.override("en"), pytest.raises(CommandError, match=message):
        create(*args, "--password", "s3cret-pass")
    assert User.objects.count() == 1
