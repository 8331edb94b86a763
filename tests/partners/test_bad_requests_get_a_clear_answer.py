"""Issue 15, "Bad input" for webhooks: a badly signed, expired, replayed, unknown, revoked, oversized, unreadable or
invalid request gets its own status and a JSON answer saying why, every problem of the fields at once, and leaves
nothing behind. Never a 500."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.intake.models import Submission
from fankui.partners import services

from .conftest import REQUEST, Made, sign


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["code"] == code, answer
    assert answer["detail"]
    assert not Submission.objects.exists()
    return answer


@pytest.mark.django_db
def test_a_wrong_signature_is_refused(made: Made, post: Any) -> None:
    _refused(post(secret="not-the-secret"), 401, "bad_signature")


@pytest.mark.django_db
def test_a_missing_or_malformed_signature_says_how_to_sign(made: Made, post: Any) -> None:
    answer = _refused(post(signature=""), 401, "bad_signature")
    assert "X-Fankui-Signature" in answer["detail"]
    _refused(post(signature="sha256=xyz"), 401, "bad_signature")
    _refused(post(signature="md5=" + "0" * 64), 401, "bad_signature")


@pytest.mark.django_db
def test_a_signature_over_other_bytes_is_refused(made: Made, post: Any) -> None:
    body = json.dumps(REQUEST).encode()
    stamp = str(int(time.time()))
    tampered = body.replace(b"WX-0001", b"WX-0002")
    _refused(post(raw=tampered, timestamp=stamp, signature=sign(made.secret, stamp, body)), 401, "bad_signature")


@pytest.mark.django_db
def test_an_old_or_future_timestamp_is_refused_even_with_a_good_signature(made: Made, post: Any) -> None:
    now = int(time.time())
    answer = _refused(post(timestamp=str(now - 301)), 401, "stale_timestamp")
    assert str(now) in answer["detail"]  # our clock, to compare with theirs
    _refused(post(timestamp=str(now + 301)), 401, "stale_timestamp")
    _refused(post(timestamp="yesterday"), 401, "stale_timestamp")
    assert post(timestamp=str(now - 299)).status_code == 201


@pytest.mark.django_db
def test_the_same_signed_request_sent_again_within_the_window_is_a_replay(
    made: Made, post: Any, _frozen_time: Any
) -> None:
    body = json.dumps(REQUEST).encode()
    stamp = str(int(time.time()))
    signature = sign(made.secret, stamp, body)
    assert post(raw=body, timestamp=stamp, signature=signature).status_code == 201
    _frozen_time.shift(60)
    replay = post(raw=body, timestamp=stamp, signature=signature)
    assert replay.status_code == 409
    assert replay.json()["code"] == "replayed"
    assert "tracking_code" not in replay.json()
    _frozen_time.shift(300)  # after the window: its timestamp is what refuses it now
    assert post(raw=body, timestamp=stamp, signature=signature).json()["code"] == "stale_timestamp"
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_request_refused_for_its_content_may_be_sent_again(made: Made, post: Any) -> None:
    body = json.dumps({**REQUEST, "category": "没有这个类别"}).encode()
    stamp = str(int(time.time()))
    signature = sign(made.secret, stamp, body)
    for _attempt in range(2):  # not remembered as seen: the same answer, not "replayed"
        response = post(raw=body, timestamp=stamp, signature=signature)
        assert response.status_code == 422
        assert list(response.json()["errors"]) == ["category"]


@pytest.mark.django_db
def test_an_unknown_and_a_revoked_partner_get_the_same_answer(made: Made, post: Any) -> None:
    unknown = _refused(post(slug="nobody"), 401, "unauthorized")
    services.revoke(made.partner)
    revoked = _refused(post(), 401, "unauthorized")
    assert unknown == revoked


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_it_is_read(made: Made, post: Any, settings: Any) -> None:
    settings.FANKUI_PARTNER_MAX_BODY_BYTES = 20_000
    big = json.dumps({**REQUEST, "body": "路灯" * 5000}, ensure_ascii=False).encode()
    assert len(big) > 20_000
    answer = _refused(post(raw=big), 413, "too_large")
    assert "19 KB" in answer["detail"]


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_bad_request(made: Made, post: Any) -> None:
    _refused(post(raw=b'{"reference": "WX-1", "body": '), 400, "bad_request")
    _refused(post(raw=b"\xff\xfe not utf-8"), 400, "bad_request")
    # Nested deeper than Python's JSON reader recurses: a RecursionError, once a 500.
    _refused(post(raw=b"[" * 100_000), 400, "bad_request")


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"[]", b"null", b'"text"', b"42"])
def test_json_that_is_not_an_object_is_invalid(made: Made, post: Any, raw: bytes) -> None:
    answer = _refused(post(raw=raw), 422, "validation_failed")
    assert list(answer["errors"]) == ["request"]


@pytest.mark.django_db
def test_every_problem_of_the_fields_is_answered_at_once(made: Made, post: Any) -> None:
    answer = _refused(
        post({"body": 42, "contact": "13800138000", "location": {"lat": "north"}, "anonymous": "perhaps"}),
        422,
        "validation_failed",
    )
    assert {"reference", "body", "contact", "location.lat", "anonymous"} <= set(answer["errors"])


@pytest.mark.django_db
def test_the_intake_rules_answer_every_problem_at_once_too(made: Made, post: Any) -> None:
    answer = _refused(
        post({**REQUEST, "body": "  ", "kind": "nonsense", "contact": {"phone": "12345", "email": "not-mail"}}),
        422,
        "validation_failed",
    )
    assert {"body", "kind", "contact_phone", "contact_email"} <= {k.replace(".", "_") for k in answer["errors"]}


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_refused_by_field(made: Made, post: Any, char: str) -> None:
    data = {**REQUEST, "title": f"路灯{char}坏了", "contact": {"name": f"张{char}"}, "reference": f"WX{char}1"}
    answer = _refused(post(raw=json.dumps(data).encode()), 422, "validation_failed")
    assert set(answer["errors"]) == {"title", "contact.name", "reference"}
    assert "invisible control character" in answer["errors"]["title"][0]


@pytest.mark.django_db
def test_other_methods_are_not_allowed(made: Made, client: Any) -> None:
    response = client.get("/partners/wechat-mp/submissions")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_the_timestamp_is_signed_as_sent(made: Made, post: Any) -> None:
    stamp = f"0{int(time.time())}"
    body = json.dumps(REQUEST).encode()
    assert post(raw=body, timestamp=stamp, signature=sign(made.secret, stamp.lstrip("0"), body)).status_code == 401
    assert post(raw=body, timestamp=stamp, signature=sign(made.secret, stamp, body)).status_code == 201
