"""Staff API tokens work until they expire (FANKUI_API_TOKEN_DAYS, 90 by default) or are revoked (a command, the
admin, or their owner's page); then the API answers 401 with JSON."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import ApiToken, Role, User
from fankui.accounts.services import issue_token
from tests import factories

DAY = 86400


def api(token: str) -> Any:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/cases")


@pytest.mark.django_db
def test_a_token_stops_working_when_it_expires(dispatcher: User, _frozen_time: time_machine.Coordinates) -> None:
    token = issue_token(dispatcher, "script")
    assert ApiToken.objects.get().expires_at == timezone.now() + timedelta(days=90)
    _frozen_time.shift(89 * DAY)
    assert api(token).status_code == 200
    _frozen_time.shift(2 * DAY)
    response = api(token)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_the_lifetime_is_a_setting(settings: Any, dispatcher: User, _frozen_time: time_machine.Coordinates) -> None:
    settings.FANKUI_API_TOKEN_DAYS = 7
    token = issue_token(dispatcher, "script")
    _frozen_time.shift(8 * DAY)
    assert api(token).status_code == 401


@pytest.mark.django_db
def test_the_command_lists_and_revokes(dispatcher: User) -> None:
    token = issue_token(dispatcher, "nightly export")
    out = StringIO()
    call_command("tokens", stdout=out)
    assert token[:8] in out.getvalue() and "nightly export" in out.getvalue() and "works" in out.getvalue()
    call_command("tokens", "--revoke", token[:8], stdout=StringIO())
    assert api(token).status_code == 401
    assert ApiToken.objects.get().revoked_at == timezone.now()
    out = StringIO()
    call_command("tokens", "--user", dispatcher.username, stdout=out)
    assert "revoked" in out.getvalue()


@pytest.mark.django_db
def test_the_owner_sees_their_tokens_and_revokes_one(dispatcher: User, handler: User) -> None:
    mine = issue_token(dispatcher, "my script")
    theirs = issue_token(handler, "their script")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(dispatcher)
    page = client.get("/accounts/tokens/").content.decode()
    assert "my script" in page and mine[:8] in page and "their script" not in page
    other = ApiToken.objects.get(user=handler)
    client.post(f"/accounts/tokens/{other.pk}/revoke/")
    assert api(theirs).status_code == 200  # not theirs to revoke
    own = ApiToken.objects.get(user=dispatcher)
    response = client.post(f"/accounts/tokens/{own.pk}/revoke/", follow=True)
    assert "The token was revoked" in response.content.decode() and "Revoked" in response.content.decode()
    assert api(mine).status_code == 401


@pytest.mark.django_db
def test_the_admin_action_revokes(dispatcher: User) -> None:
    token = issue_token(dispatcher, "script")
    client = Client()
    client.force_login(factories.user(Role.ADMIN))
    client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [ApiToken.objects.get().pk]})
    assert api(token).status_code == 401
