"""`fankui createuser ... --token` run by a script (no terminal) without --password: a clear error, no traceback."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fankui.accounts.models import User


@pytest.mark.django_db
def test_without_a_terminal_a_missing_password_is_a_command_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a pipe at its end, as under cron or `docker exec`
    with pytest.raises(CommandError, match="--password"):
        call_command("createuser", "partner", "--role", "analyst", "--token", "partner", stdout=io.StringIO())
    assert not User.objects.filter(username="partner").exists()


@pytest.mark.django_db
def test_a_closed_prompt_is_a_command_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def closed(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", closed)
    with pytest.raises(CommandError, match="No password given"):
        call_command("createuser", "partner", "--role", "analyst", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_language_of_the_notices_can_be_given(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command(
        "createuser", "li", "--role", "analyst", "--password", "s3cret-pass", "--language", "en", stdout=io.StringIO()
    )
    assert User.objects.get(username="li").language == "en"
