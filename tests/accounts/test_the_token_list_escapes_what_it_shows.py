"""XSS payloads in every text the API token list (/accounts/tokens/) shows: each token's name (given when an
administrator or `fankui tokens` issued it), the user's own name in the staff header, and the confirmation after a
revocation. Nothing of them may reach the page as live markup."""

from __future__ import annotations

from typing import Any

from fankui.accounts.models import Department, Role
from fankui.accounts.services import issue_token
from tests import factories
from tests.xss import PAYLOADS, live_markup, payload


def test_token_names_and_the_users_name_are_shown_as_text(dept: Department, client_for: Any) -> None:
    user = factories.user(Role.HANDLER, dept)
    user.first_name = payload("first name")[:150]
    user.save()
    for n, text in enumerate([*PAYLOADS, payload("token name")]):
        issue_token(user, text[:96] + f" {n}")
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/accounts/tokens/").content.decode()
    assert live_markup(page) == []
    assert "token name" in page and "first name" in page and "&lt;script&gt;" in page

    revoked = client.post(f"/accounts/tokens/{user.api_tokens.earliest('id').pk}/revoke/", follow=True)
    page = revoked.content.decode()
    assert revoked.status_code == 200 and live_markup(page) == []
    assert "The token was revoked" in page and "Revoked" in page
