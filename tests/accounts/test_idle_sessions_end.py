"""A staff session unused for FANKUI_SESSION_IDLE_HOURS (8 by default) ends; one in use goes on."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from fankui.accounts.models import User

HOUR = 3600


@pytest.mark.django_db
def test_a_session_in_use_goes_on_and_an_idle_one_ends(
    dispatcher: User, _frozen_time: time_machine.Coordinates
) -> None:
    client = Client()
    client.force_login(dispatcher)
    for _ in range(3):  # a long working day, a page every seven hours
        _frozen_time.shift(7 * HOUR)
        assert client.get("/staff/cases/").status_code == 200
    _frozen_time.shift(8 * HOUR + 60)
    response = client.get("/staff/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_idle_time_is_a_setting(dispatcher: User, _frozen_time: time_machine.Coordinates, settings: object) -> None:
    settings.SESSION_COOKIE_AGE = 1 * HOUR  # type: ignore[attr-defined]
    client = Client()
    client.force_login(dispatcher)
    _frozen_time.shift(HOUR + 60)
    assert client.get("/staff/cases/").status_code == 302


def test_eight_hours_is_the_default() -> None:
    from django.conf import settings

    assert settings.FANKUI_SESSION_IDLE_HOURS == 8 and settings.SESSION_COOKIE_AGE == 8 * HOUR
