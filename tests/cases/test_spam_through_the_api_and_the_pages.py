"""Marking spam or abuse through the staff API (``POST /api/v1/cases/{id}/actions/mark-spam``) and the case page;
the lists show a badge and the all-cases list filters on it; department staff cannot mark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.workflow import State
from tests import factories

pytestmark = pytest.mark.django_db
ApiFor = Callable[[User], Client]
PageFor = Callable[[User], Client]
CaseIn = Callable[[str], Case]
BODY = {"spam_kind": "spam", "reason": "推销广告"}


def act(client: Client, case: Case, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"/api/v1/cases/{case.pk}/actions/{action}", body or {}, content_type="application/json")


def test_mark_spam_through_the_api_ends_the_case_and_unmark_spam_takes_it_back(
    dispatcher: User, supervisor: User, api_for: ApiFor
) -> None:
    case = factories.case()
    assert "mark-spam" in api_for(dispatcher).get(f"/api/v1/cases/{case.pk}").json()["available_actions"]
    response = act(api_for(dispatcher), case, "mark-spam", BODY)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == "spam" and data["spam_kind"] == "spam"
    assert data["timeline"][-1]["action"] == "mark_spam"
    assert act(api_for(dispatcher), case, "unmark-spam", {"reason": "误判"}).status_code == 403
    assert api_for(supervisor).get(f"/api/v1/cases/{case.pk}").json()["available_actions"] == ["unmark-spam"]
    response = act(api_for(supervisor), case, "unmark-spam", {"reason": "误判"})
    assert response.status_code == 200 and response.json()["state"] == "received"
    assert response.json()["spam_kind"] == ""


def test_the_api_refuses_with_the_documented_statuses(
    dispatcher: User, handler: User, outsider: User, case_in: CaseIn, api_for: ApiFor
) -> None:
    case = case_in("dispatched")
    # A department handler may not mark (403); a dispatcher may not mark what a department holds (403).
    for user in (handler, dispatcher):
        response = act(api_for(user), case, "mark-spam", BODY)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    # Outside the user's scope: 404.
    assert act(api_for(outsider), case, "mark-spam", BODY).status_code == 404
    received = factories.case()
    for body, field in (({"spam_kind": "spam"}, "reason"), ({"reason": "广告"}, "spam_kind")):
        response = act(api_for(dispatcher), received, "mark-spam", body)
        assert response.status_code == 422 and field in response.json()["errors"], response.json()
    # A kind outside the two is refused by the schema, never a 500.
    assert act(api_for(dispatcher), received, "mark-spam", {"spam_kind": "rude", "reason": "x"}).status_code == 422
    rejected = case_in("rejected")
    assert act(api_for(dispatcher), rejected, "mark-spam", BODY).status_code == 409
    case.refresh_from_db()
    assert case.state == State.DISPATCHED


def test_the_openapi_document_describes_mark_spam() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/cases/{case_id}/actions/{action}"]["post"]
    (action,) = [p for p in operation["parameters"] if p["name"] == "action"]
    assert {"mark-spam", "unmark-spam"} <= set(action["schema"]["enum"])
    assert "`mark-spam`" in operation["description"] and "409" in operation["description"]
    body = schema["components"]["schemas"]["ActionIn"]["properties"]
    assert body["spam_kind"]["enum"] == ["", "spam", "abuse"]


def test_the_case_page_offers_the_mark_to_triage_and_not_to_the_department(
    dispatcher: User, handler: User, case_in: CaseIn, page_for: PageFor
) -> None:
    case = case_in("accepted")
    page = page_for(dispatcher).get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Mark as spam or abuse" in page
    dispatched = case_in("dispatched")
    assert "Mark as spam or abuse" not in page_for(handler).get(f"/staff/cases/{dispatched.pk}/").content.decode()
    response = page_for(handler).post(f"/staff/cases/{dispatched.pk}/mark_spam/", BODY)
    assert response.status_code == 403
    dispatched.refresh_from_db()
    assert dispatched.state == State.DISPATCHED


def test_marking_through_the_page_says_so_and_the_lists_show_the_badge(
    dispatcher: User, supervisor: User, page_for: PageFor
) -> None:
    spam, ordinary = factories.case(), factories.case()
    client = page_for(dispatcher)
    missing = client.post(f"/staff/cases/{spam.pk}/mark_spam/", {"spam_kind": "abuse"})
    assert missing.status_code == 422 and "Please give a reason." in missing.content.decode()
    response = client.post(f"/staff/cases/{spam.pk}/mark_spam/", {"spam_kind": "abuse", "reason": "辱骂"}, follow=True)
    page = response.content.decode()
    assert "The case was marked as spam or abuse; the submitter is not told." in page
    assert '<span class="badge spam">Abuse</span>' in page
    listed = client.get("/staff/cases/?state=spam").content.decode()
    assert f"/staff/cases/{spam.pk}/" in listed and f"/staff/cases/{ordinary.pk}/" not in listed
    assert '<span class="badge spam">Abuse</span>' in listed
    undo = page_for(supervisor).get(f"/staff/cases/{spam.pk}/").content.decode()
    assert "Undo the spam mark" in undo
