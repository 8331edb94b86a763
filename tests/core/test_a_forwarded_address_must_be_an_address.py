"""Behind a trusted proxy the client's address is read from X-Forwarded-For; a value there that is not an address
(a header passed on unchecked, too many proxies counted) is not taken: a refused sign-in stores the address, and
PostgreSQL's inet column refused anything else with a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from fankui.core.throttle import client_address


@pytest.mark.parametrize("forwarded", ["not-an-address", "999.999.999.999", "x" * 3000, "1.2.3.4, \xff"])
def test_a_forwarded_value_that_is_not_an_address_falls_back_to_the_connection(settings: Any, forwarded: str) -> None:
    settings.FANKUI_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == "10.0.0.1"


def test_a_forwarded_address_is_taken(settings: Any) -> None:
    settings.FANKUI_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5, 2001:db8::1")
    assert client_address(request) == "2001:db8::1"


@pytest.mark.django_db
def test_a_refused_sign_in_with_a_bogus_forwarded_address_is_refused_not_a_500(settings: Any) -> None:
    settings.FANKUI_TRUSTED_PROXIES = 1
    client = Client(HTTP_X_FORWARDED_FOR="not-an-address", HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code in (200, 403, 429)
