"""The staff API of 好差评: rectifications and appeals in the token's scope, the same steps as the pages (the same
services), JSON refusals (403, 404, 409, 422, 429), and another department's rectification or appeal left as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.accounts.services import issue_token
from fankui.audit.models import Entry
from fankui.cases.models import Case
from fankui.surveys import rates, windows
from fankui.surveys.models import Appeal, Rating, RatingKind, Rectification, ServicePoint
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db
ApiFor = Callable[[User], Client]


@pytest.fixture
def api_for() -> ApiFor:
    def make(user: User) -> Client:
        token = issue_token(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")

    return make


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(f"/api/v1{path}", body, content_type="application/json")


def test_a_department_works_its_window_rectification_through_the_api(
    point: ServicePoint, handler: User, head: User, api_for: ApiFor
) -> None:
    rating = windows.rate_window(point, 1, "态度差，电话 13812345678")
    assert rating is not None
    rectification = Rectification.objects.get()
    own = api_for(handler)

    listing = own.get("/api/v1/rectifications").json()
    assert listing["count"] == 1
    (item,) = listing["items"]
    assert item["id"] == rectification.pk and item["rating"]["case"] is None
    assert item["rating"]["service_point"] == {"id": point.pk, "name": "A03 不动产登记"}
    assert "13812345678" not in item["rating"]["comment"]  # masked, always
    assert own.get("/api/v1/rectifications?state=done").json()["count"] == 0
    detail = own.get(f"/api/v1/rectifications/{rectification.pk}").json()
    assert detail["available_actions"] == ["submit"] and detail["department"]["id"] == point.department_id

    answer = post(own, f"/rectifications/{rectification.pk}/submit", {"measures": ""})
    assert answer.status_code == 422 and "measures" in answer.json()["errors"]
    answer = post(own, f"/rectifications/{rectification.pk}/submit", {"measures": "已对窗口人员进行服务规范培训。"})
    assert answer.status_code == 200 and answer.json()["state"] == "submitted"
    assert post(own, f"/rectifications/{rectification.pk}/submit", {"measures": "again"}).status_code == 409
    assert post(own, f"/rectifications/{rectification.pk}/check", {"approve": True}).status_code == 403

    boss = api_for(head)
    assert boss.get(f"/api/v1/rectifications/{rectification.pk}").json()["available_actions"] == ["check"]
    assert post(boss, f"/rectifications/{rectification.pk}/check", {"approve": False}).status_code == 422
    assert post(boss, f"/rectifications/{rectification.pk}/check", {"approve": "yes"}).status_code == 422
    done = post(boss, f"/rectifications/{rectification.pk}/check", {"approve": True, "note": None})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["reported"], done.json()["checked_by"]) == (
        "done",
        False,
        head.display_name,
    )
    assert rates.total(kind=RatingKind.WINDOW).rectified == 1
    assert Entry.objects.filter(kind="rectification_done", actor=head).exists()


def test_another_department_can_neither_see_nor_touch_it(
    point: ServicePoint,
    replied: Callable[..., Case],
    handler: User,
    other_dept: Department,
    api_for: ApiFor,
) -> None:
    window_rating = windows.rate_window(point, 2)
    case_rating = rate(replied(), 1)
    assert window_rating is not None
    own = api_for(handler)
    appeal_id = post(own, f"/ratings/{case_rating.pk}/appeals", {"grounds": "mistaken", "evidence": "误操作"}).json()[
        "id"
    ]
    stranger = api_for(factories.user(Role.DEPT_HEAD, other_dept))

    assert stranger.get("/api/v1/rectifications").json() == {"count": 0, "items": []}
    assert stranger.get("/api/v1/appeals").json() == {"count": 0, "items": []}
    for rectification in Rectification.objects.all():
        assert stranger.get(f"/api/v1/rectifications/{rectification.pk}").status_code == 404
        answer = post(stranger, f"/rectifications/{rectification.pk}/submit", {"measures": "抢着整改"})
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        assert post(stranger, f"/rectifications/{rectification.pk}/check", {"approve": True}).status_code == 404
    for rating in (window_rating, case_rating):
        answer = post(stranger, f"/ratings/{rating.pk}/appeals", {"grounds": "malicious", "evidence": "不服"})
        assert answer.status_code == 404
    assert stranger.get(f"/api/v1/appeals/{appeal_id}").status_code == 404
    assert post(stranger, f"/appeals/{appeal_id}/decision", {"uphold": True, "note": "通过"}).status_code == 404

    assert set(Rectification.objects.values_list("state", flat=True)) == {"open"}
    assert not Rectification.objects.exclude(measures="").exists()
    assert list(Appeal.objects.values_list("state", flat=True)) == ["pending"]
    assert not Rating.objects.filter(excluded=True).exists()


def test_appeals_filed_and_decided_through_the_api(
    point: ServicePoint, handler: User, supervisor: User, api_for: ApiFor
) -> None:
    kept = windows.rate_window(point, 2)
    rating = windows.rate_window(point, 1, "乱评")
    good = windows.rate_window(point, 5)
    assert kept is not None and rating is not None and good is not None
    own = api_for(handler)
    assert post(own, f"/ratings/{good.pk}/appeals", {"grounds": "mistaken", "evidence": "好评"}).status_code == 409
    bad_input = post(own, f"/ratings/{rating.pk}/appeals", {"grounds": "rude", "evidence": ""})
    assert bad_input.status_code == 422 and set(bad_input.json()["errors"]) == {"grounds", "evidence"}
    assert post(own, f"/ratings/{rating.pk}/appeals", {"grounds": 1}).status_code == 422
    assert post(own, "/ratings/99999999999999999999/appeals", {"grounds": "mistaken", "evidence": "x"}).status_code in (
        404,
        422,
    )
    filed = post(own, f"/ratings/{rating.pk}/appeals", {"grounds": "malicious", "evidence": "监控显示无人办理。"})
    assert filed.status_code == 201
    appeal = filed.json()
    assert (appeal["state"], appeal["rating"]["id"], appeal["department"]["id"]) == (
        "pending",
        rating.pk,
        point.department_id,
    )
    again = post(own, f"/ratings/{rating.pk}/appeals", {"grounds": "malicious", "evidence": "再来"})
    assert again.status_code == 409
    assert own.get("/api/v1/appeals?state=pending").json()["count"] == 1
    assert post(own, f"/appeals/{appeal['id']}/decision", {"uphold": True, "note": "自己批"}).status_code == 403

    boss = api_for(supervisor)
    assert post(boss, f"/appeals/{appeal['id']}/decision", {"uphold": True, "note": ""}).status_code == 422
    decided = post(boss, f"/appeals/{appeal['id']}/decision", {"uphold": True, "note": "经核实为恶意差评"})
    assert decided.status_code == 200
    body = decided.json()
    assert body["state"] == "upheld" and body["rating"]["excluded"]
    assert body["rating"]["excluded_reason"] == "经核实为恶意差评"
    assert post(boss, f"/appeals/{appeal['id']}/decision", {"uphold": False, "note": "改主意"}).status_code == 409
    tally = rates.total(kind=RatingKind.WINDOW)
    assert (tally.valid, tally.bad, tally.excluded) == (2, 1, 1)


def test_bad_input_is_never_a_500(handler: User, api_for: ApiFor) -> None:
    own = api_for(handler)
    for path in ("/rectifications/0", "/rectifications/-1", "/appeals/99999999999999999999", "/appeals/abc"):
        assert own.get(f"/api/v1{path}").status_code in (404, 422)
    assert own.get("/api/v1/rectifications?state=nonsense").status_code == 422
    assert own.get("/api/v1/appeals?page=0").status_code == 422
    answer = own.post("/api/v1/rectifications/1/submit", "{not json", content_type="application/json")
    assert answer.status_code in (400, 404)
    assert post(own, "/rectifications/1/check", ["approve"]).status_code in (404, 422)
    assert post(own, "/rectifications/1/submit", {"measures": "a\x00b"}).status_code in (404, 422)
    assert Client().get("/api/v1/rectifications").status_code == 401


def test_the_staff_api_is_throttled_per_user(handler: User, api_for: ApiFor, settings: Any) -> None:
    settings.FANKUI_RATE_LIMITS = {"goodbad_api": (2, 3600)}
    own = api_for(handler)
    assert [own.get("/api/v1/appeals").status_code for _ in range(3)] == [200, 200, 429]
    answer = own.get("/api/v1/rectifications")
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 0


def test_the_document_lists_the_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/rectifications",
        "/api/v1/rectifications/{rectification_id}",
        "/api/v1/rectifications/{rectification_id}/submit",
        "/api/v1/rectifications/{rectification_id}/check",
        "/api/v1/appeals",
        "/api/v1/appeals/{appeal_id}",
        "/api/v1/ratings/{rating_id}/appeals",
        "/api/v1/appeals/{appeal_id}/decision",
    ):
        assert path in paths
        for operation in paths[path].values():
            assert operation["security"] == [{"TokenAuth": []}]


def test_the_api_states_are_the_models_choices() -> None:
    from fankui.surveys.api import AppealState, RectificationState

    assert [s.value for s in RectificationState] == list(Rectification.State.values)
    assert [s.value for s in AppealState] == list(Appeal.State.values)
