"""Every person who left a contact hears what happens to their request: receipt, acceptance or rejection, the reply
with a link to rate it, the closing; in their language, through the outbox, never after opting out.

The receipt is queued when the worker's analysis has looked at the case (``analysed()`` runs it here)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.analysis.models import CaseAnalysis
from fankui.analysis.pipeline import analyse_pending
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.services.receiving import receive
from fankui.intake.services import SubmissionInput
from fankui.notify import delivery
from fankui.notify import services as notify
from fankui.notify.models import Channel, Message, Status
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
EMAIL = "wang@example.com"


def messages_to(address: str) -> list[Message]:
    return list(Message.objects.to(address).order_by("id"))


def analysed() -> int:
    """What the worker does next: analyse the new cases (and so queue their receipts)."""
    return analyse_pending()


def new_case(**kwargs: object) -> Case:
    fields = {"body": "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。", "contact_email": EMAIL, **kwargs}
    case, _created = receive(SubmissionInput(**fields))  # type: ignore[arg-type]
    return case


def test_the_receipt_carries_the_tracking_code_and_the_link_to_follow_it() -> None:
    case = new_case()
    assert not messages_to(EMAIL)  # nothing on intake's busy path: the worker's analysis queues it
    analysed()
    (receipt,) = messages_to(EMAIL)
    assert receipt.channel == Channel.EMAIL and receipt.status == Status.QUEUED
    assert receipt.case_id == case.pk
    assert case.display_code in receipt.subject and case.display_code in receipt.body
    assert f"/track/{case.tracking_code}/" in receipt.body
    assert "110" not in receipt.body


def test_the_receipt_is_written_in_the_language_the_submitter_used() -> None:
    Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/", {"body": "The bins on Renmin Road are never emptied.", "contact_email": EMAIL}
    )
    Client(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        "/", {"body": "人民路的垃圾桶从来没人清理。", "contact_email": "li@example.com"}
    )
    analysed()
    (english,) = messages_to(EMAIL)
    (chinese,) = messages_to("li@example.com")
    assert english.subject.startswith("We received your request")
    assert "我们已收到" in chinese.subject


def test_a_phone_number_gets_the_receipt_by_sms() -> None:
    new_case(contact_email="", contact_phone="13800138000")
    analysed()
    (receipt,) = messages_to("13800138000")
    assert receipt.channel == Channel.SMS


def test_anonymous_submitters_and_imported_history_get_no_receipt() -> None:
    new_case(anonymous=True)
    new_case(body="人民路的垃圾桶从来没人清理。", receipt=False)
    assert analysed() == 2
    assert not Message.objects.exists()


def test_a_case_analysed_again_gets_no_second_receipt() -> None:
    case = new_case()
    analysed()
    CaseAnalysis.objects.filter(case=case).update(status=CaseAnalysis.Status.PENDING)
    assert analysed() == 1
    assert len(messages_to(EMAIL)) == 1


def test_the_receipt_goes_out_even_when_the_analysis_fails_for_good(monkeypatch: pytest.MonkeyPatch) -> None:
    from fankui.analysis import pipeline

    def broken(analyses: object, models: object) -> None:
        raise RuntimeError("a model broke")

    monkeypatch.setattr(pipeline, "analyse_batch", broken)
    case = new_case(body="我家楼道里燃气泄漏，味道很大，请马上派人来！")
    for _attempt in range(pipeline.MAX_ATTEMPTS):
        analysed()
    assert CaseAnalysis.objects.get(case=case).status == CaseAnalysis.Status.FAILED
    (receipt,) = messages_to(EMAIL)
    assert case.display_code in receipt.body and "119" in receipt.body  # the rules alone still say so


def test_no_receipt_is_queued_for_an_address_that_opted_out() -> None:
    notify.opt_out(notify.Address(Channel.EMAIL, EMAIL))
    new_case()
    analysed()
    assert not messages_to(EMAIL)


def test_an_emergency_is_told_to_call_for_help_at_once() -> None:
    case = new_case(body="我家楼道里燃气泄漏，味道很大，请马上派人来！")
    analysed()
    (receipt,) = messages_to(EMAIL)
    assert "110" in receipt.body and "119" in receipt.body and "120" in receipt.body
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/submitted/{case.tracking_code}/")
    assert 'id="emergency-advice"' in page.content.decode()
    assert 'href="tel:119"' in page.content.decode()


def test_an_ordinary_request_gets_no_emergency_advice() -> None:
    case = new_case()
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/submitted/{case.tracking_code}/")
    assert 'id="emergency-advice"' not in page.content.decode()


def test_acceptance_and_rejection_are_told_with_the_reason(dispatcher: User) -> None:
    accepted = new_case()
    rejected = new_case(body="请帮我查一下明天的天气预报。", contact_email="li@example.com")
    moves.accept(accepted, dispatcher, note="内部备注：转住建")
    moves.reject(rejected, dispatcher, "天气预报请拨打12121查询。")
    accept = messages_to(EMAIL)[-1]
    assert "accept" in accept.key and "内部备注" not in accept.body
    reject = messages_to("li@example.com")[-1]
    assert reject.key.endswith(":reject")
    assert "天气预报请拨打12121查询。" in reject.body


def test_the_reply_reaches_the_submitter_with_a_link_to_rate_that_records_nothing_when_opened(
    dispatcher: User, handler: User, dept: Department
) -> None:
    case = new_case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修，三日内修复。")
    reply = messages_to(EMAIL)[-1]
    assert "已安排维修，三日内修复。" in reply.body
    link = f"/track/{case.tracking_code}/rate/"
    assert link in reply.body
    # A mail scanner following the link rates nothing.
    response = Client().get(link)
    assert response.status_code == 302 and response["Location"].endswith("#rate")
    case.refresh_from_db()
    assert case.state == "replied" and not case.ratings.exists()


def test_submitters_of_merged_cases_are_told_where_to_read_the_reply_not_its_words(
    dispatcher: User, handler: User, dept: Department
) -> None:
    primary = new_case()
    duplicate = new_case(body="小区门口路灯坏了，晚上太黑了。", contact_email="li@example.com")
    moves.merge(duplicate, dispatcher, primary)
    assert messages_to("li@example.com")[-1].key.endswith(":merge")
    moves.accept(primary, dispatcher)
    moves.dispatch(primary, dispatcher, dept)
    moves.start(primary, handler)
    # A reply is written to the primary's submitter and may name them or their address.
    moves.reply(primary, handler, "王女士您好，您家幸福路12号3单元的路灯已修好。")
    follower = messages_to("li@example.com")[-1]
    assert "王女士" not in follower.body and "幸福路12号" not in follower.body
    assert duplicate.display_code in follower.body
    assert f"/track/{duplicate.tracking_code}/" in follower.body
    # Only the submitter of the primary rates the reply.
    assert "/rate/" not in follower.body and "/rate/" in messages_to(EMAIL)[-1].body


def test_a_case_merged_into_one_already_answered_is_told_so(dispatcher: User, handler: User, dept: Department) -> None:
    primary = new_case()
    moves.accept(primary, dispatcher)
    moves.dispatch(primary, dispatcher, dept)
    moves.start(primary, handler)
    moves.reply(primary, handler, "已安排维修。")
    duplicate = new_case(body="小区门口路灯坏了，晚上太黑了。", contact_email="li@example.com", language="en")
    moves.merge(duplicate, dispatcher, primary)
    merged = messages_to("li@example.com")[-1]
    assert "already been answered" in merged.body
    assert f"/track/{duplicate.tracking_code}/" in merged.body


def test_followers_hear_when_the_case_they_follow_is_rejected_or_reopened(
    dispatcher: User, handler: User, supervisor: User, dept: Department
) -> None:
    primary = new_case()
    duplicate = new_case(body="小区门口路灯坏了，晚上太黑了。", contact_email="li@example.com")
    moves.merge(duplicate, dispatcher, primary)
    moves.reject(primary, dispatcher, "该路段路灯不属于本市管理，请联系开发区管委会。")
    rejected = messages_to("li@example.com")[-1]
    assert rejected.key == f"case:{duplicate.pk}:reject"
    assert "请联系开发区管委会" in rejected.body and duplicate.display_code in rejected.body

    other = new_case(body="人民路的垃圾桶从来没人清理。", contact_email="zhao@example.com")
    follower = new_case(body="人民路垃圾桶满了没人管。", contact_email="qian@example.com")
    moves.merge(follower, dispatcher, other)
    moves.accept(other, dispatcher)
    moves.dispatch(other, dispatcher, dept)
    moves.start(other, handler)
    moves.reply(other, handler, "已清理。")
    moves.reopen(other, supervisor, "复查发现仍未清理。")
    assert ":reopen:" in messages_to("qian@example.com")[-1].key
    assert ":reopen:" in messages_to("zhao@example.com")[-1].key


def test_a_bad_rating_is_answered_with_handled_again(dispatcher: User, handler: User, dept: Department) -> None:
    case = new_case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修。")
    rate(case, 1, "根本没修。")
    assert ":reopen:" in messages_to(EMAIL)[-1].key


def test_the_closing_is_told_once_per_close(dispatcher: User, handler: User, dept: Department) -> None:
    case = new_case()
    for step in (moves.accept, lambda c, u: moves.dispatch(c, u, dept)):
        step(case, dispatcher)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修。")
    rate(case, 5)
    closing = messages_to(EMAIL)[-1]
    assert ":close:" in closing.key and case.display_code in closing.body


def test_a_case_closed_when_the_rating_window_passed_is_told_too(
    dispatcher: User, handler: User, dept: Department
) -> None:
    case = new_case()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修。")
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=SH), tick=False):
        assert moves.close_unrated() == 1
    assert ":close:" in messages_to(EMAIL)[-1].key


def test_nothing_is_sent_to_an_address_that_opted_out(dispatcher: User) -> None:
    notify.opt_out(notify.Address(Channel.EMAIL, EMAIL))
    case = new_case()
    moves.accept(case, dispatcher)
    delivery.deliver_due()
    assert not mail.outbox
    assert not Message.objects.to(EMAIL).filter(status__in=(Status.QUEUED, Status.SENT)).exists()


def test_a_move_that_is_refused_queues_nothing(handler: User) -> None:
    case = new_case()
    before = Message.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the point is that nothing was queued
        moves.accept(case, handler)
    assert Message.objects.count() == before


def test_the_staff_page_promise_of_an_invitation_to_rate_holds(
    client_for: object, dispatcher: User, handler: User, dept: Department
) -> None:
    case = factories.case(contact_email=EMAIL)
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    client = client_for(handler)  # type: ignore[operator]
    response = client.post(f"/staff/cases/{case.pk}/reply/", {"body": "已安排维修。"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (200, 302)
    assert Message.objects.to(EMAIL).filter(key__contains=":reply:").exists()


def test_messages_follow_the_submitters_language_not_the_staff_members(dispatcher: User) -> None:
    from django.utils import translation

    case = new_case(language="zh-hans")
    with translation.override("en"):  # the dispatcher works in English
        moves.accept(case, dispatcher)
    accepted = messages_to(EMAIL)[-1]
    assert "已受理" in accepted.subject
