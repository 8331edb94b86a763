"""POST /api/v1/submissions: 201 with the tracking code, 200 for a key seen before, 4xx JSON for every bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fankui.cases.models import Case
from fankui.cases.services.receiving import receive
from fankui.intake.models import Submission
from fankui.intake.services import SubmissionInput
from tests import factories

URL = "/api/v1/submissions"


def post(client: Client, payload: Any, **headers: str) -> Any:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_it_answers_201_with_the_tracking_code(en: Client) -> None:
    response = post(
        en,
        {
            "body": "小区门口的路灯坏了一个月。",
            "title": "路灯不亮",
            "kind": "complaint",
            "contact": {"name": "张先生", "phone": "138 0013 8000", "email": "zhang@example.com"},
            "location": {"address": "人民路88号", "lat": 28.2282, "lng": 112.9388},
        },
    )
    assert response.status_code == 201
    data = response.json()
    case = Case.objects.select_related("submission").get()
    assert data == {
        "tracking_code": case.tracking_code,
        "tracking_url": f"http://testserver/track/{case.tracking_code}/",
        "state": "received",
        "received_at": "2026-11-16T10:00:00+08:00",
    }
    submission = case.submission
    assert submission.channel == "api"
    assert (submission.contact_name, submission.contact_phone) == ("张先生", "13800138000")
    assert (submission.address, submission.lat, submission.lng) == ("人民路88号", 28.2282, 112.9388)


@pytest.mark.django_db
def test_the_same_idempotency_key_twice_gives_one_case(en: Client) -> None:
    first = post(en, {"body": "路灯坏了"}, **{"Idempotency-Key": "client-42-msg-7"})
    second = post(en, {"body": "路灯坏了"}, **{"Idempotency-Key": "client-42-msg-7"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_every_request_is_a_new_case(en: Client) -> None:
    assert post(en, {"body": "路灯坏了"}).status_code == 201
    assert post(en, {"body": "路灯坏了"}).status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_category_can_be_given_by_id_or_by_name(en: Client) -> None:
    category = factories.category("市政设施")
    post(en, {"body": "一", "category": category.pk})
    post(en, {"body": "二", "category": "市政设施"})
    post(en, {"body": "三", "category": str(category.pk)})
    assert list(Case.objects.values_list("category_id", flat=True)) == [category.pk] * 3


@pytest.mark.django_db
def test_anonymous_submissions_keep_no_contact(en: Client) -> None:
    post(en, {"body": "一", "anonymous": True, "contact": {"phone": "13800138000"}})
    assert Submission.objects.get().contact_phone == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"body": ""}, "body", "Please describe your request."),
        ({"body": "   \n "}, "body", "Please describe your request."),
        ({"body": "长" * 10_001}, "body", "The text is too long: 10000 characters at most, this one has 10001."),
        ({"body": "一", "title": "题" * 201}, "title", "The title is too long: 200 characters at most."),
        ({"body": "一", "contact": {"phone": "12345"}}, "contact_phone", "“12345” is not a valid phone number"),
        ({"body": "一", "contact": {"email": "a@"}}, "contact_email", "“a@” is not a valid e-mail address."),
        ({"body": "一", "kind": "gossip"}, "kind", "Unknown kind “gossip”."),
        ({"body": "一", "category": "没有这个"}, "category", "Unknown category “没有这个”."),
        ({"body": "一", "category": 424242}, "category", "Unknown category “424242”."),
        ({"body": "一", "channel": "carrier-pigeon"}, "channel", "Unknown channel “carrier-pigeon”."),
        ({"body": "一", "location": {"lat": 91}}, "location", "The location is not a valid coordinate."),
    ],
)
def test_invalid_input_gets_422_with_the_message_by_field(
    en: Client, payload: dict[str, Any], field: str, message: str
) -> None:
    response = post(en, payload)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "validation_failed"
    assert any(message in text for text in data["errors"][field]), data
    assert data["detail"]
    assert Case.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": "没有正文"},
        {"body": 123},
        {"body": None},
        {"body": ["一"]},
        {"body": "一", "location": {"lat": "abc"}},
        {"body": "一", "anonymous": "perhaps"},
        {"body": "一", "contact": "13800138000"},
        {"body": "一", "category": {"id": 1}},
        {"body": "路灯\x00坏了"},
        {"body": "一", "contact": {"name": "张\x00三"}},
        [],
        "just a string",
        42,
    ],
)
def test_wrong_types_get_422_json(en: Client, payload: Any) -> None:
    response = post(en, payload if not isinstance(payload, str) else json.dumps(payload))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert response.json()["errors"]
    assert Case.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ['{"body": "一"', "body=一", "\xff\xfe", '{"body": "一",}'])
def test_malformed_json_gets_400_json(en: Client, raw: str) -> None:
    response = post(en, raw)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_null_means_left_out_for_optional_fields(en: Client) -> None:
    payload = {"body": "一", "title": None, "kind": None, "category": None, "channel": None, "contact": None}
    response = post(en, {**payload, "anonymous": None, "location": {"address": None, "lat": None}})
    assert response.status_code == 201
    submission = Case.objects.select_related("submission").get().submission
    assert (submission.channel, submission.title) == ("api", "")


@pytest.mark.django_db
def test_a_too_long_idempotency_key_is_refused(en: Client) -> None:
    response = post(en, {"body": "一"}, **{"Idempotency-Key": "k" * 101})
    assert response.status_code == 422
    assert "idempotency_key" in response.json()["errors"]


@pytest.mark.django_db
def test_it_makes_no_query_beyond_those_of_submit(en: Client) -> None:
    payload = {"body": "路灯坏了", "kind": "complaint", "contact": {"phone": "13800138000"}}
    receive(SubmissionInput(body="the first of the year creates its number counter"))
    with CaptureQueriesContext(connection) as service:
        receive(SubmissionInput(body="路灯坏了", kind="complaint", contact_phone="13800138000", idempotency_key="a"))
    with CaptureQueriesContext(connection) as api:
        assert post(en, payload, **{"Idempotency-Key": "b"}).status_code == 201
    assert len(api.captured_queries) == len(service.captured_queries)
