"""The case page: the submission with its attachments, contact details (each look recorded), the full timeline with
internal events marked, the replies and ratings."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, User
from fankui.audit.models import Access
from fankui.cases.services import moves
from fankui.cases.workflow import Action
from fankui.surveys.services import rate
from tests import factories

PageFor = Callable[[User], Client]


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_the_submission_shows_its_text_and_attachments(dispatcher: User, page_for: PageFor) -> None:
    case = factories.case(title="路灯不亮", body="三号楼前的路灯坏了", attachments=[png()])
    attachment = case.submission.attachments.get()
    page = page_for(dispatcher).get(f"/staff/cases/{case.pk}/").content.decode()
    assert "路灯不亮" in page and "三号楼前的路灯坏了" in page and "Web form" in page
    assert f'<img src="/staff/attachments/{attachment.token}/" alt="photo.png"' in page


@pytest.mark.django_db
def test_contact_details_are_shown_and_each_look_is_recorded(
    dispatcher: User, handler: User, dept: Department, page_for: PageFor
) -> None:
    case = factories.case(contact_name="王女士", contact_phone="138 0013 8000", contact_email="wang@example.cn")
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    page = page_for(handler).get(f"/staff/cases/{case.pk}/").content.decode()
    assert "王女士" in page and 'href="tel:13800138000"' in page and "wang@example.cn" in page
    page_for(dispatcher).get(f"/staff/cases/{case.pk}/")
    looks = Access.objects.filter(case=case, what="contact")
    assert sorted(a.user_id for a in looks) == sorted([handler.pk, dispatcher.pk])


@pytest.mark.django_db
def test_an_anonymous_case_shows_no_contact_and_records_no_look(dispatcher: User, page_for: PageFor) -> None:
    case = factories.case(anonymous=True, contact_phone="13800138000")
    page = page_for(dispatcher).get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Anonymous: no contact details were kept." in page and "13800138000" not in page
    assert not Access.objects.exists()


@pytest.mark.django_db
def test_the_timeline_marks_internal_events_and_shows_reasons_replies_and_ratings(
    dispatcher: User, handler: User, dept: Department, other_dept: Department, page_for: PageFor
) -> None:
    case = factories.case()
    moves.accept(case, dispatcher, "情况属实")
    moves.dispatch(case, dispatcher, dept, [other_dept])
    moves.return_case(case, handler, "需要协办单位先勘察")
    moves.dispatch(case, dispatcher, dept, [other_dept], "已沟通", action=Action.REDISPATCH)
    moves.start(case, handler)
    moves.reply(case, handler, "路灯已于今日修复。")
    rate(case, 2, "修了又坏")
    page = page_for(dispatcher).get(f"/staff/cases/{case.pk}/").content.decode()
    for text in (
        "Accepted",
        "情况属实",
        f"Lead: {dept.name} · Assisting: {other_dept.name}",
        "Returned by the department",
        "需要协办单位先勘察",
        "Replied",
        "路灯已于今日修复。",
        "Rated: not satisfied",
        "Unsatisfied",
        "修了又坏",
    ):
        assert text in page, text
    # The return, and the rectification the bad rating opened (surveys, 差评整改): both internal.
    assert page.count('<li class="internal">') == 2
    assert "Bad rating: rectification opened" in page
    assert "internal, not shown to the submitter" in page
