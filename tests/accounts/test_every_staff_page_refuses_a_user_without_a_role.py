"""Every address under /staff/ is a staff page (accounts.views.staff_required), found by walking the URL resolver so
that a page added later is checked too: a stranger is asked to sign in, and someone signed in without a role is told
to ask for one, whatever the page and the method. Before, the stored-file download (a case's attachments, an
action's evidence) only asked for a login."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fankui.accounts.models import User
from tests import factories

# A value for each path converter; the user is refused before any object is looked up.
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x"}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?\w+>")


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route


def staff_addresses() -> list[str]:
    found = sorted({route for route in routes(get_resolver().url_patterns) if route.startswith("staff/")})
    return ["/" + PARAMETER.sub(lambda m: SAMPLES[m.group("converter") or "str"], route) for route in found]


def test_the_walk_finds_the_staff_pages_of_every_app() -> None:
    addresses = staff_addresses()
    for known in (
        "/staff/",
        "/staff/cases/1/x/",
        "/staff/analysis/cases/1/correct/",
        "/staff/topics/1/label/",
        "/staff/sla/board/",
        "/staff/actions/1/step/x/",
        "/staff/notifications/",
        "/staff/dashboard/",
        "/staff/attachments/x/",
        "/staff/actions/evidence/x/",
    ):
        assert known in addresses


@pytest.mark.django_db
@pytest.mark.parametrize("address", staff_addresses())
def test_a_staff_page_refuses_a_user_without_a_role_and_asks_a_stranger_to_sign_in(address: str) -> None:
    nobody = Client()
    nobody.force_login(User.objects.create_user("nobody", password=factories.PASSWORD))
    for method in (nobody.get, nobody.post):
        response = method(address)
        assert response.status_code == 403
        assert "accounts/forbidden.html" in [t.name for t in response.templates]
    for method in (Client().get, Client().post):
        response = method(address)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
