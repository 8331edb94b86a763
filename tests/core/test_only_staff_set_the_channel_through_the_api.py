"""The public API: anybody may submit, but only staff and partner systems (with an API token) may say the message
came by phone, e-mail or another channel; an anonymous caller gets a clear 422."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role
from fankui.accounts.services import issue_token
from fankui.cases.models import Case
from tests import factories

BODY = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"


def _submit(client: Client, channel: str | None, **headers: str) -> object:
    payload: dict[str, object] = {"body": BODY}
    if channel is not None:
        payload["channel"] = channel
    return client.post("/api/v1/submissions", payload, content_type="application/json", headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["phone", "email", "open311", "import"])
def test_an_anonymous_caller_cannot_claim_another_channel(channel: str) -> None:
    response = _submit(Client(), channel, **{"Accept-Language": "en"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    answer = response.json()  # type: ignore[attr-defined]
    assert answer["code"] == "validation_failed" and "API token" in answer["errors"]["channel"][0]
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("channel", "stored"), [(None, "api"), ("api", "api"), ("web", "web")])
def test_an_anonymous_caller_submits_as_api_or_web(channel: str | None, stored: str) -> None:
    assert _submit(Client(), channel).status_code == 201  # type: ignore[attr-defined]
    assert Case.objects.get().submission.channel == stored


@pytest.mark.django_db
def test_staff_with_a_token_record_a_phone_call(centre: Department) -> None:
    token = issue_token(factories.user(Role.DISPATCHER, centre), "hotline desk")
    response = _submit(Client(), "phone", Authorization=f"Bearer {token}")
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert Case.objects.get().submission.channel == "phone"


@pytest.mark.django_db
def test_a_wrong_token_does_not_unlock_the_channel() -> None:
    response = _submit(Client(), "phone", Authorization="Bearer fk_not-a-token")
    assert response.status_code == 422  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_an_unknown_channel_gets_intakes_own_message() -> None:
    response = _submit(Client(), "fax", **{"Accept-Language": "en"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Unknown channel" in response.json()["errors"]["channel"][0]  # type: ignore[attr-defined]
