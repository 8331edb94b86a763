"""An attacker's fields in the staff API of 好差评 change nothing: a body's extra fields (a state, who submitted or
decided, another department, the rating's exclusion) are ignored; each step sets only what its service decides."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.accounts.services import issue_token
from fankui.surveys import windows
from fankui.surveys.models import Appeal, Rectification, ServicePoint

pytestmark = pytest.mark.django_db


def api(user: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'test')}", HTTP_ACCEPT_LANGUAGE="en")


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def test_extra_fields_are_ignored(
    point: ServicePoint, handler: User, head: User, supervisor: User, other_dept: Department
) -> None:
    rating = windows.rate_window(point, 1, "态度差")
    assert rating is not None
    rectification = Rectification.objects.get()
    own = api(handler)
    submitted = post(
        own,
        f"/rectifications/{rectification.pk}/submit",
        {"measures": "培训。", "state": "done", "submitted_by": head.pk, "checked_by": head.pk, "reported": True},
    )
    assert submitted.status_code == 200
    rectification.refresh_from_db()
    assert (rectification.state, rectification.submitted_by, rectification.checked_by) == ("submitted", handler, None)

    filed = post(
        own,
        f"/ratings/{rating.pk}/appeals",
        {"grounds": "mistaken", "evidence": "误评。", "department": other_dept.pk, "state": "upheld", "excluded": True},
    )
    assert filed.status_code == 201
    appeal = Appeal.objects.get()
    assert (appeal.state, appeal.department_id) == ("pending", point.department_id)
    rating.refresh_from_db()
    assert not rating.excluded

    decided = post(
        api(supervisor),
        f"/appeals/{appeal.pk}/decision",
        {"uphold": False, "note": "证据不足", "state": "upheld", "decided_by": handler.pk, "excluded_reason": "x"},
    )
    assert decided.status_code == 200
    appeal.refresh_from_db()
    rating.refresh_from_db()
    assert (appeal.state, appeal.decided_by, rating.excluded, rating.excluded_reason) == (
        "rejected",
        supervisor,
        False,
        "",
    )
