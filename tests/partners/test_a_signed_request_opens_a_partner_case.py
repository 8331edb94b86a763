"""Issue 15, "Partner webhook in": a partner system's signed request opens a case through the one door of intake,
recorded under the channel "partner" with the partner's own id; a retried request opens nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from fankui.cases.models import Case
from fankui.core.vocab import Channel
from fankui.partners.models import PartnerCase

from .conftest import REQUEST, Made


@pytest.mark.django_db
def test_a_signed_request_opens_a_case_under_the_partner_channel(made: Made, post: Any) -> None:
    response = post()
    assert response.status_code == 201, response.content
    answer = response.json()
    case = Case.objects.select_related("submission").get(tracking_code=answer["tracking_code"])
    assert answer["reference"] == "WX-0001"
    assert answer["state"] == "received"
    assert answer["tracking_url"].endswith(f"/track/{case.tracking_code}/")
    assert case.submission.channel == Channel.PARTNER
    assert case.submission.body == REQUEST["body"]
    assert case.submission.contact_phone == "13800138000"
    assert case.submission.external_id == "WX-0001"
    link = PartnerCase.objects.get(case=case)
    assert (link.partner, link.reference) == (made.partner, "WX-0001")


@pytest.mark.django_db
def test_a_retried_delivery_returns_the_first_case_and_creates_nothing_more(
    made: Made, post: Any, _frozen_time: Any
) -> None:
    first = post()
    _frozen_time.shift(7)  # the partner's retry, signed again a few seconds later
    again = post()
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    assert Case.objects.count() == 1
    assert PartnerCase.objects.count() == 1


@pytest.mark.django_db
def test_the_same_reference_for_another_text_is_a_conflict(made: Made, post: Any) -> None:
    post()
    response = post({**REQUEST, "body": "另一件事：公园的长椅坏了，请派人修理一下。"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_two_partners_may_use_the_same_reference(made: Made, post: Any) -> None:
    from fankui.partners import services

    _other, secret = services.create_partner("舆情监测", "weibo-monitor")
    assert post().status_code == 201
    assert post(slug="weibo-monitor", secret=secret).status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_channel_in_the_body_does_not_change_the_partner_channel(made: Made, post: Any) -> None:
    response = post({**REQUEST, "channel": "phone"})
    assert response.status_code == 201
    assert Case.objects.get().submission.channel == Channel.PARTNER


@pytest.mark.django_db
def test_a_reference_taken_through_the_public_api_does_not_hand_out_that_case(made: Made, post: Any) -> None:
    import json

    from django.test import Client

    squatted = Client().post(
        "/api/v1/submissions",
        json.dumps({"body": REQUEST["body"], "title": REQUEST["title"]}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="partner:wechat-mp:WX-0001",
    )
    assert squatted.status_code == 201
    response = post()
    assert response.status_code == 409
    assert squatted.json()["tracking_code"] not in response.content.decode()
    assert not PartnerCase.objects.exists()
