from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from fankui.cases.services.receiving import receive
from fankui.intake.services import SubmissionInput

pytestmark = pytest.mark.django_db


def test_it_keeps_the_language_of_the_request() -> None:
    with translation.override("en"):
        case, _created = receive(SubmissionInput(body="The street light at the gate has been broken for a month."))
    assert case.submission.language == "en"


def test_it_takes_a_language_asked_for_by_its_variant() -> None:
    case, _created = receive(SubmissionInput(body="路灯坏了一个月。", language="zh-CN"))
    assert case.submission.language == "zh-hans"


def test_an_unknown_language_falls_back_to_the_active_one() -> None:
    with translation.override("zh-hans"):
        case, _created = receive(SubmissionInput(body="路灯坏了一个月。", language="xx-klingon"))
    assert case.submission.language == "zh-hans"


def test_the_web_form_stores_the_language_the_page_was_shown_in() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/", {"body": "The bins on Renmin Road are never emptied."})
    assert response.status_code == 302
    from fankui.intake.models import Submission

    assert Submission.objects.get().language == "en"


def test_the_api_stores_the_language_of_the_request() -> None:
    response = Client().post(
        "/api/v1/submissions",
        {"body": "The bins on Renmin Road are never emptied."},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.content
    from fankui.intake.models import Submission

    assert Submission.objects.get().language == "en"


def test_a_partner_system_names_the_submitters_language() -> None:
    response = Client().post(
        "/api/v1/submissions",
        {"body": "The bins on Renmin Road are never emptied.", "language": "en"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 201, response.content
    from fankui.intake.models import Submission

    assert Submission.objects.get().language == "en"
