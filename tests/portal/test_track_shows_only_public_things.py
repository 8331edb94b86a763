"""The citizen sees their own words, the public steps and the replies: never internal steps, staff names or the
staff-only case number."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.cases.services import moves
from fankui.cases.services.receiving import receive
from fankui.cases.workflow import Action
from fankui.intake.services import SubmissionInput
from tests import factories


@pytest.mark.django_db
def test_a_return_reason_and_staff_names_are_never_shown(en: Client, centre: Department, dept: Department) -> None:
    dispatcher = factories.user(Role.DISPATCHER, centre, username="wang.dispatch", full_name="王调度")
    handler = factories.user(Role.HANDLER, dept, username="li.handler", full_name="李办理")
    case = factories.case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.return_case(case, handler, "内部原因：不归本局管，请改派城管")
    moves.dispatch(case, dispatcher, dept, action=Action.REDISPATCH)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修。")

    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "已安排维修。" in page
    assert "Sent to another department" in page
    for secret in ("内部原因", "wang.dispatch", "王调度", "li.handler", "李办理", case.number, "Return"):
        assert secret not in page, secret
    api = en.get(f"/api/v1/track/{case.tracking_code}").content.decode("unicode_escape")
    for secret in ("内部原因", "wang.dispatch", "王调度", "li.handler", "李办理", case.number, '"return"'):
        assert secret not in api, secret


@pytest.mark.django_db
def test_a_rejection_reason_is_shown_to_the_submitter(en: Client, dispatcher: User) -> None:
    case = factories.case()
    moves.reject(case, dispatcher, "该事项属于法院审理范围，请通过诉讼途径解决。")
    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "Not accepted" in page
    assert "该事项属于法院审理范围" in page
    assert 'class="badge rejected"' in page


@pytest.mark.django_db
def test_the_submitters_own_text_and_kind_are_shown(en: Client) -> None:
    case, _ = receive(
        SubmissionInput(body="夜间施工噪音很大。", title="噪音", kind="report", contact_phone="13800138000")
    )
    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "夜间施工噪音很大。" in page
    assert "噪音" in page
    assert "Report" in page
    assert "13800138000" not in page  # contact details are not repeated to whoever holds the code
