"""The operator's desk in a browser, by keyboard alone: a caller's inquiry answered at first contact from an earlier
reply, then an emergency call with the analysis' suggestions appearing while it is typed; no mouse, and no inline
script refused by the Content-Security-Policy."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fankui.accounts.models import Role
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.vocab import Channel
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
EARLIER = "外地人办理居住证需携带身份证和租房合同，到社区服务中心办理，十五个工作日内领证。"


def test_a_call_answered_at_first_contact_and_an_emergency_by_keyboard(new_context: Any, live_server: Any) -> None:
    centre = factories.department("12345热线", is_dispatch_centre=True, code="centre")
    dispatcher = factories.user(Role.DISPATCHER, centre, username="operator")
    earlier = factories.case("请问外地人怎么办理居住证？", title="咨询居住证办理", contact_phone="13812345678")
    moves.answer_at_once(earlier, dispatcher, EARLIER)

    page = new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", factories.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff/"))

    # The phone system opens the desk with the caller's number: their earlier case shows at once.
    page.goto(f"{live_server.url}/staff/desk/?caller=13812345678")
    assert "1 earlier case from 13812345678" in page.inner_text("#desk-history")
    page.keyboard.type("张先生")  # the name field has the focus
    page.keyboard.press("Alt+t")
    page.keyboard.type("请问居住证怎么办理，需要什么材料？")
    page.wait_for_selector("#desk-knowledge .desk-use")
    page.keyboard.press("Alt+k")
    page.keyboard.press("Tab")  # the first earlier reply's "Use this answer"
    page.keyboard.press("Enter")
    assert page.input_value("#id_answer") == EARLIER
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_selector("#desk-last-code")

    case = Case.objects.exclude(pk=earlier.pk).get()
    assert case.state == State.CLOSED and case.submission.channel == Channel.PHONE
    assert case.submission.contact_name == "张先生" and case.replies.get().body == EARLIER
    assert page.inner_text("#desk-last-code") == case.display_code
    assert page.evaluate("document.activeElement.name") == "caller"  # a fresh form, the number first

    # The next call: a gas leak. The advice to transfer appears while typing and the case is marked.
    page.keyboard.type("13900001111")
    page.keyboard.press("Alt+t")
    page.keyboard.type("楼道里燃气泄漏了，味道很大，怎么办")
    page.wait_for_selector("#desk-urgency [data-emergency]")
    assert "119" in page.inner_text("#desk-urgency")
    # The analysis' suggestions follow after the pause: the kind and the emergency, without leaving the page.
    page.wait_for_selector("#desk-suggestions [data-suggest=kind]")
    assert page.get_attribute("#desk-suggestions [data-suggest=urgency]", "data-value") == "emergency"
    assert page.is_checked("#id_emergency")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#desk-last .badge.emergency")
    gas = Case.objects.get(submission__body__contains="燃气泄漏")
    assert gas.state == State.RECEIVED
    assert CaseAnalysis.objects.get(case=gas).urgency == "emergency"
