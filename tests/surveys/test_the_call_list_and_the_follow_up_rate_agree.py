"""回访: the call list's bad ratings are the ones the 回访率 counts as not yet followed up, no more, no fewer. Every
real-name bad rating (a phone number or an e-mail address left) waits on the list until a call reaches the person
(who talks or declines to); an unreachable number keeps it there; an anonymous rating, or one an upheld appeal took
out, is in neither."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import periods, queries
from fankui.surveys import followups
from fankui.surveys.services import decide_appeal, file_appeal, rate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(dispatcher: User, handler: User, dept: Department) -> Callable[..., Case]:
    def make(**contact: object) -> Case:
        case = factories.case(contact_name="张先生", **contact)  # type: ignore[arg-type]
        moves.accept(case, dispatcher)
        moves.dispatch(case, dispatcher, dept)
        moves.start(case, handler)
        moves.reply(case, handler, "已安排维修。")
        return case

    return make


def outstanding(user: User) -> int:
    """Real-name bad ratings of the month not yet followed up, as the dashboard's 回访率 counts them."""
    figures = queries.build(queries.scope_for(user), periods.parse("2026-11")).goodbad
    assert figures is not None
    return figures.now.real_name_bad - figures.now.followed_up


def test_the_list_holds_what_the_rate_still_waits_for(
    answered: Callable[..., Case],
    dispatcher: User,
    handler: User,
    supervisor: User,
    client_for: Callable[[User], Client],
) -> None:
    by_phone = answered(contact_phone="13912345678")
    by_mail = answered(contact_email="wang@example.com")  # no number: still due, the list shows the address
    unreachable = answered(contact_phone="13800001111")
    reached = answered(contact_phone="13800002222")
    declined = answered(contact_phone="13800003333")
    appealed = answered(contact_phone="13800004444")
    nobody = answered(anonymous=True)
    content = answered(contact_phone="13800005555")
    for case in (by_phone, by_mail, unreachable, reached, declined, appealed, nobody):
        rate(case, 1)
    rate(content, 5)
    followups.record_call(dispatcher, unreachable, "unreachable")
    followups.record_call(dispatcher, reached, "reached", notes="已解释")
    followups.record_call(dispatcher, declined, "declined")
    appeal = file_appeal(appealed.ratings.get(), handler, "malicious", "与诉求无关")
    decide_appeal(appeal, supervisor, True, "恶意差评")

    calls = followups.call_list(dispatcher)

    on_list = {call.case.number for call in calls.bad}
    assert on_list == {by_phone.number, by_mail.number, unreachable.number}
    assert calls.bad_due == len(calls.bad) == outstanding(dispatcher) == 3
    mail_row = next(call for call in calls.bad if call.case == by_mail)
    assert mail_row.phone and "wang@example.com" not in mail_row.phone  # masked

    page = client_for(dispatcher).get("/staff/surveys/calls/", headers={"Accept-Language": "en"}).content.decode()
    assert by_mail.number in page and "wang@example.com" not in page

    followups.record_call(dispatcher, by_mail, "reached", notes="邮件回复后电话联系上")
    assert len(followups.call_list(dispatcher).bad) == outstanding(dispatcher) == 2
