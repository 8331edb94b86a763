"""404, 403, 405 and 500 are pages of the site, in the reader's language, with a way back; the API answers JSON."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from fankui.accounts.models import Role
from fankui.urls import urlpatterns as site_urls
from tests import factories


def _boom(request: object) -> None:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", _boom), path("api/v1/boom/", _boom), *site_urls]
handler404 = "fankui.errorpages.page_not_found"
handler500 = "fankui.errorpages.server_error"


@pytest.mark.django_db
def test_a_missing_page_has_the_public_look_a_way_back_and_the_readers_language() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/", HTTP_REFERER="http://testserver/track/")
    text = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en">' in text and "Page not found" in text
    assert 'href="/track/"' in text  # back where the reader came from
    assert "Follow a request" in text and 'class="topbar"' in text


@pytest.mark.django_db
def test_a_page_from_elsewhere_is_not_offered_as_the_way_back() -> None:
    text = Client().get("/no-such-page/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in text


@pytest.mark.django_db
def test_staff_get_their_own_header_and_a_way_to_their_work(dept: object) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(factories.user(Role.HANDLER, dept))
    response = client.get("/staff/cases/999999/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "To my work" in text and "Sign out" in text


@pytest.mark.django_db
def test_a_link_to_a_post_only_address_is_a_405_page_that_keeps_the_allow_header(dept: object) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(factories.user(Role.HANDLER, dept))
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert "This page cannot be opened this way" in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_is_a_403_page() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(factories.user(Role.ADMIN))
    response = client.get("/admin/accounts/apitoken/add/")
    assert response.status_code == 403
    assert "You may not open this page" in response.content.decode()


@pytest.mark.django_db
def test_the_api_keeps_answering_json() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    wrong = client.put("/api/v1/submissions")
    assert wrong.status_code == 405 and wrong.json()["code"] == "method_not_allowed"
    assert "POST" in wrong["Allow"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_a_page_of_the_site_or_json_under_the_api() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    page = client.get("/boom/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode() and "app.css" in page.content.decode()
    api = client.get("/api/v1/boom/")
    assert api.status_code == 500 and api.json()["code"] == "server_error"


@pytest.mark.django_db
def test_a_request_for_a_host_we_do_not_serve_gets_a_400_not_a_500() -> None:
    # Scanners send these all day, often with a Referer: the way back must not ask for the refused host again.
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    response = client.get("/x/", HTTP_HOST="evil.example", HTTP_REFERER="http://a/")
    assert response.status_code == 400
    assert 'class="topbar"' in response.content.decode()


@pytest.mark.django_db
def test_a_form_sent_without_its_security_token_says_what_to_do() -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/", {"body": "路灯坏了。"})
    text = response.content.decode()
    assert response.status_code == 403
    assert "reload the page and send it again" in text and 'class="topbar"' in text
    assert "CSRF verification failed" not in text
