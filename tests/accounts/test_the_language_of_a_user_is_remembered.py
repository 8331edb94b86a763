"""Staff notices are written in the language a person uses the site in: remembered at sign-in and on each switch."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.accounts.services import remember_language
from tests import factories


@pytest.mark.django_db
def test_signing_in_remembers_the_language_of_the_page(handler: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/accounts/login/", {"username": handler.username, "password": factories.PASSWORD})
    handler.refresh_from_db()
    assert handler.language == "en"


@pytest.mark.django_db
def test_switching_the_language_remembers_it(handler: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(handler)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/staff/"})
    assert response.status_code == 302
    handler.refresh_from_db()
    assert handler.language == "zh-hans"


@pytest.mark.django_db
def test_an_unknown_language_is_not_kept(handler: User) -> None:
    remember_language(handler, "klingon")
    handler.refresh_from_db()
    assert handler.language == ""


@pytest.mark.django_db
def test_a_visitor_switching_language_changes_no_user() -> None:
    assert Client().post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
