from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import User
from tests import factories


@pytest.mark.django_db
def test_the_login_page_renders_in_english_and_chinese() -> None:
    assert "Staff sign in" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/accounts/login/").content.decode()
    assert Client().get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_signing_in_leads_to_the_users_work(dispatcher: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": dispatcher.username, "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/")["Location"] == "/staff/triage/"


@pytest.mark.django_db
def test_a_wrong_password_is_refused_with_a_message_and_keeps_the_username(dispatcher: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": dispatcher.username, "password": "wrong-password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "correct username and password" in page
    assert f'value="{dispatcher.username}"' in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_signed_in_user_opening_the_login_page_goes_to_work(dispatcher: User) -> None:
    client = Client()
    client.force_login(dispatcher)
    assert client.get("/accounts/login/")["Location"] == "/staff/"


@pytest.mark.django_db
def test_signing_out_needs_a_post(dispatcher: User) -> None:
    client = Client()
    client.force_login(dispatcher)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/staff/")["Location"].startswith("/accounts/login/?next=/staff/")


@pytest.mark.django_db
def test_the_login_form_is_protected_against_cross_site_posts(dispatcher: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": dispatcher.username, "password": factories.PASSWORD})
    assert response.status_code == 403
