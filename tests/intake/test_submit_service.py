"""cases.services.receiving.receive (intake's checks and the category): the rules every channel shares."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.cases.models import Case
from fankui.cases.services.receiving import receive
from fankui.core.errors import Conflict, ValidationFailed
from fankui.intake.services import SubmissionInput


@pytest.mark.django_db
def test_a_key_reused_for_a_different_text_is_refused_and_reveals_nothing() -> None:
    first, created = receive(SubmissionInput(body="路灯坏了", idempotency_key="1"))
    assert created
    again, created = receive(SubmissionInput(body="路灯坏了", idempotency_key="1"))
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(Conflict):
        receive(SubmissionInput(body="别人的诉求", idempotency_key="1"))
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_nul_characters_are_dropped_rather_than_failing_the_database() -> None:
    case, _ = receive(SubmissionInput(body="噪音\x00扰民", title="\x00标题", contact_name="张\x00三"))
    case.submission.refresh_from_db()
    assert (case.submission.body, case.submission.title, case.submission.contact_name) == ("噪音扰民", "标题", "张三")


@pytest.mark.django_db
def test_a_huge_category_id_is_an_unknown_category_not_an_overflow() -> None:
    with pytest.raises(ValidationFailed) as raised:
        receive(SubmissionInput(body="内容", category="9" * 30))
    assert "category" in raised.value.errors


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["²", "٣", "1²"])
def test_digits_that_are_not_ascii_name_no_category_and_fail_nothing(category: str) -> None:
    """``str.isdigit`` takes "²" (which ``int`` refuses: it was a 500) and "٣" (which ``int`` reads as 3)."""
    with pytest.raises(ValidationFailed) as raised:
        receive(SubmissionInput(body="内容", category=category))
    assert "category" in raised.value.errors


@pytest.mark.django_db
def test_every_problem_is_reported_at_once_by_field() -> None:
    with pytest.raises(ValidationFailed) as raised:
        receive(SubmissionInput(body=" ", kind="rumour", contact_phone="12345", contact_email="not-an-address"))
    assert set(raised.value.errors) == {"body", "kind", "contact_phone", "contact_email"}
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_phone_numbers_are_stored_in_one_form() -> None:
    case, _ = receive(SubmissionInput(body="内容", contact_phone="+86 138-0013-8000"))
    assert case.submission.contact_phone == "13800138000"
    case, _ = receive(SubmissionInput(body="内容", contact_phone="0731-8888 6666"))
    assert case.submission.contact_phone == "073188886666"


@pytest.mark.django_db
def test_api_errors_name_the_field_even_when_it_is_called_body() -> None:
    response = Client().post("/api/v1/submissions", {"body": 123}, content_type="application/json")
    assert response.status_code == 422
    assert "body" in response.json()["errors"]
