"""Contact details and unmasked text only for the roles that need them, each look recorded (issue 14: the analyst
role saw every citizen's contact details). Analysts and administrators read the case with personal data masked, see
no contact details and open no attachments; the lead department reads and reaches the submitter; an assisting
department reads the text but does not call the submitter (the lead department replies)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from tests import factories

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
BODY = "我是王五，手机13712345678，小区门口的井盖丢了。"
CONTACT = {"contact_name": "王五", "contact_phone": "13712345678", "contact_email": "wangwu@example.cn"}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def case(dispatcher: User, dept: Department, other_dept: Department) -> Case:
    c = factories.case(BODY, title="井盖丢了", attachments=[_png()], **CONTACT)
    moves.accept(c, dispatcher)
    moves.dispatch(c, dispatcher, dept, [other_dept])
    return c


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_administrators_read_masked_data_only(
    case: Case, client_for: Callable[[User], Client], api_for: Callable[[User], Client], role: str
) -> None:
    reader = factories.user(role)
    html = client_for(reader).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
    assert "13712345678" not in html and "wangwu@" not in html and "王五" not in html
    assert "137****5678" in html and "井盖丢了" in html
    assert "/staff/attachments/" not in html

    detail = api_for(reader).get(f"/api/v1/cases/{case.pk}").json()
    assert detail["contact"] is None and detail["attachments"] == [] and detail["text_masked"] is True
    assert "13712345678" not in str(detail) and "王五" not in str(detail)

    token = case.submission.attachments.get().token
    assert client_for(reader).get(f"/staff/attachments/{token}/").status_code == 404
    assert not Access.objects.filter(user=reader).exists()  # nothing personal was seen


def test_the_lead_department_reads_and_reaches_the_submitter_each_look_recorded(
    case: Case, handler: User, client_for: Callable[[User], Client], api_for: Callable[[User], Client]
) -> None:
    html = client_for(handler).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
    assert BODY in html and "wangwu@example.cn" in html and "/staff/attachments/" in html
    detail = api_for(handler).get(f"/api/v1/cases/{case.pk}").json()
    assert detail["body"] == BODY and detail["contact"]["phone"] == "13712345678"
    looks = sorted(Access.objects.filter(user=handler, case=case).values_list("what", flat=True))
    assert looks == ["contact", "contact", "text", "text"]


def test_an_assisting_department_reads_the_text_but_not_the_contact(
    case: Case, other_dept: Department, client_for: Callable[[User], Client]
) -> None:
    helper = factories.user(Role.HANDLER, other_dept)
    html = client_for(helper).get(f"/staff/cases/{case.pk}/", headers=EN).content.decode()
    assert BODY in html and "/staff/attachments/" in html
    assert "wangwu@example.cn" not in html
    assert "shown to the lead department and the 12345 centre only" in html
    assert list(Access.objects.filter(user=helper, case=case).values_list("what", flat=True)) == ["text"]


def test_an_analyst_cannot_find_who_wrote_what_by_a_phone_number(
    case: Case, api_for: Callable[[User], Client], client_for: Callable[[User], Client]
) -> None:
    analyst = factories.user(Role.ANALYST)
    assert api_for(analyst).get("/api/v1/cases", {"q": "13712345678"}).json()["count"] == 0
    assert case.number not in client_for(analyst).get("/staff/cases/", {"q": "13712345678"}).content.decode()
    assert api_for(analyst).get("/api/v1/cases").json()["count"] == 1  # the case itself is in their view
