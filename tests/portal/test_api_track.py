"""GET /api/v1/track/{code} and POST /api/v1/track/{code}/rating."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core import codes
from fankui.surveys.models import Rating
from tests import factories


def rate(client: Client, code: str, payload: object) -> object:
    return client.post(f"/api/v1/track/{code}/rating", json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_it_shows_the_public_view(en: Client, dispatcher: User, handler: User, dept: Department) -> None:
    case = factories.case(title="路灯不亮", kind="complaint")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修。")

    response = en.get(f"/api/v1/track/{case.display_code.lower()}")
    assert response.status_code == 200
    data = response.json()
    assert data["tracking_code"] == case.tracking_code
    assert (data["state"], data["state_label"], data["kind"]) == ("replied", "Replied", "complaint")
    assert data["title"] == "路灯不亮"
    assert data["submitted_text"] == case.submission.body
    assert data["received_at"] == "2026-11-16T10:00:00+08:00"
    assert data["merged"] is False
    assert data["can_rate"] is True
    assert [e["action"] for e in data["timeline"]] == ["receive", "accept", "dispatch", "start", "reply"]
    dispatch = data["timeline"][2]
    assert (dispatch["label"], dispatch["department"]) == ("Sent to the responsible department", dept.name)
    assert data["replies"] == [{"body": "已安排维修。", "at": "2026-11-16T10:00:00+08:00", "department": dept.name}]


@pytest.mark.django_db
def test_unknown_and_malformed_codes_get_the_same_404(en: Client) -> None:
    unknown = en.get(f"/api/v1/track/{codes.new_code()}")
    malformed = en.get("/api/v1/track/NOT-A-CODE")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.json() == malformed.json()
    assert unknown.json()["code"] == "not_found"
    assert rate(en, codes.new_code(), {"level": 5}).status_code == 404  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_good_rating_closes_and_a_bad_one_reopens(en: Client, dispatcher: User, handler: User) -> None:
    good = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    bad = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)

    response = rate(en, good.tracking_code, {"level": 5, "comment": "很好"})
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "tracking_code": good.tracking_code,
        "level": 5,
        "level_label": "Very satisfied",
        "state": "closed",
        "state_label": "Closed",
        # The optional sub-scores (docs/surveys.md), none given here.
        "attitude": None,
        "efficiency": None,
        "outcome": None,
        "convenience": None,
    }
    assert rate(en, bad.tracking_code, {"level": 2}).json()["state"] == State.REOPENED  # type: ignore[attr-defined]
    assert Rating.objects.count() == 2


@pytest.mark.django_db
def test_nothing_to_rate_is_a_409(en: Client, dispatcher: User, handler: User) -> None:
    fresh = factories.case()
    response = rate(en, fresh.tracking_code, {"level": 5})
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert response.json()["detail"] == "There is no reply to rate yet."  # type: ignore[attr-defined]

    rated = factories.case_in("closed", dispatcher=dispatcher, lead=handler.department, handler=handler)
    assert rate(en, rated.tracking_code, {"level": 1}).status_code == 409  # type: ignore[attr-defined]


@pytest.mark.django_db
@pytest.mark.parametrize("payload", [{"level": 0}, {"level": 6}, {"level": "great"}, {}, {"level": 5, "comment": 7}])
def test_a_bad_level_is_a_422(en: Client, dispatcher: User, handler: User, payload: object) -> None:
    case = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    response = rate(en, case.tracking_code, payload)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["code"] == "validation_failed"  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.state == State.REPLIED
