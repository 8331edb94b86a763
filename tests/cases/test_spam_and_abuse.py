"""Staff mark a case as spam (垃圾信息) or abuse (恶意诉求): it ends without a reply, its clocks stop, its submitter is
told nothing and sees only "not accepted"; a supervisor can take a wrong mark back, and the clocks start again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.analysis.pipeline import analyse_pending
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.services.receiving import receive
from fankui.cases.workflow import Action, State
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.intake.services import SubmissionInput
from fankui.notify.models import Message
from fankui.portal.queries import tracking
from fankui.sla.defaults import ensure_defaults
from fankui.sla.models import Clock, Stage

pytestmark = pytest.mark.django_db
CaseIn = Callable[[str], Case]
EMAIL = "spammer@example.com"
REASON = "推销广告，与政务无关"


def with_contact() -> Case:
    case, _created = receive(SubmissionInput(body="优惠贷款，低息秒批，加微信 abc123", contact_email=EMAIL))
    return case


def running(case: Case) -> int:
    return Clock.objects.filter(case=case, stopped_at__isnull=True).count()


def test_a_dispatcher_marks_a_case_as_spam_and_it_ends_without_a_reply(dispatcher: User) -> None:
    ensure_defaults()
    case = with_contact()
    assert running(case) > 0
    moves.mark_spam(case, dispatcher, "spam", REASON)
    case.refresh_from_db()
    assert case.state == State.SPAM and case.spam_kind == "spam" and not case.is_open
    event = Event.objects.filter(case=case).order_by("-id").first()
    assert event is not None and event.action == Action.MARK_SPAM
    # The reason is in its own row (audit.EventText, which erasure can mask); the timelines read it back.
    assert labels.with_words([event])[0].message == REASON and not event.public and event.data["kind"] == "spam"
    assert running(case) == 0  # the SLA stops every clock: no warning, no urging, no escalation follows


def test_the_submitter_is_told_nothing_not_even_the_receipt(dispatcher: User) -> None:
    case = with_contact()
    moves.mark_spam(case, dispatcher, "abuse", "辱骂工作人员")
    analyse_pending()  # the worker's analysis, which queues the receipt of every other case
    assert not Message.objects.filter(case_id=case.pk).exists()
    assert not Message.objects.to(EMAIL).exists()


def test_the_tracking_page_says_not_accepted_without_the_staff_reason(dispatcher: User) -> None:
    case = with_contact()
    moves.mark_spam(case, dispatcher, "abuse", "辱骂工作人员")
    case.refresh_from_db()
    view = tracking(case)
    assert view.state == State.REJECTED
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/track/{case.tracking_code}/").content.decode()
    api = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/track/{case.tracking_code}").json()
    assert api["state"] == "rejected" and api["state_label"] == "Rejected"
    assert "Rejected" in page
    for shown in (page, str(api)):
        assert "辱骂" not in shown and "abuse" not in shown.lower() and "spam" not in shown.lower()


def test_a_reason_and_a_kind_are_required(dispatcher: User) -> None:
    case = with_contact()
    with pytest.raises(ValidationFailed) as missing_reason:
        moves.mark_spam(case, dispatcher, "spam", "  ")
    assert "reason" in missing_reason.value.errors
    with pytest.raises(ValidationFailed) as missing_kind:
        moves.mark_spam(case, dispatcher, "", REASON)
    assert "spam_kind" in missing_kind.value.errors
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_a_case_with_a_department_is_marked_by_a_supervisor_only(
    case_in: CaseIn, dispatcher: User, supervisor: User, handler: User, dept_head: User
) -> None:
    case = case_in("in_progress")
    for user in (handler, dept_head, dispatcher):
        with pytest.raises(PermissionDenied):
            moves.mark_spam(case, user, "abuse", REASON)
    moves.mark_spam(case, supervisor, "abuse", REASON)
    case.refresh_from_db()
    assert case.state == State.SPAM


def test_department_staff_cannot_mark_what_triage_still_holds(case_in: CaseIn, handler: User, dept_head: User) -> None:
    case = case_in("returned")
    for user in (handler, dept_head):
        with pytest.raises(PermissionDenied):
            moves.mark_spam(case, user, "spam", REASON)


def test_a_supervisor_takes_a_wrong_mark_back_and_the_clocks_start_again(dispatcher: User, supervisor: User) -> None:
    ensure_defaults()
    case = with_contact()
    moves.mark_spam(case, dispatcher, "spam", REASON)
    with pytest.raises(PermissionDenied):
        moves.unmark_spam(case, dispatcher, "误判")
    moves.unmark_spam(case, supervisor, "误判：是真实的贷款诈骗举报")
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.spam_kind == "" and case.is_open
    event = Event.objects.filter(case=case).order_by("-id").first()
    assert event is not None and event.action == Action.UNMARK_SPAM and event.actor == supervisor
    assert event.data["kind"] == "spam" and not event.public
    assert running(case) > 0
    # The round the mark cut short is not counted in the figures beside the new one.
    assert not Clock.objects.filter(case=case, stopped_at__isnull=False, deadline__isnull=False).exists()
    assert not Message.objects.filter(case_id=case.pk).exists()


def test_a_spam_case_takes_no_duplicates(dispatcher: User) -> None:
    spam, duplicate = with_contact(), with_contact()
    moves.mark_spam(spam, dispatcher, "spam", REASON)
    with pytest.raises(Conflict):
        moves.merge(duplicate, dispatcher, spam)


def test_taking_a_mark_back_voids_only_the_clocks_the_mark_stopped(
    dispatcher: User, supervisor: User, _frozen_time: Any
) -> None:
    ensure_defaults()
    case = with_contact()
    moves.accept(case, dispatcher)
    accepted = Clock.objects.get(case=case, stage=Stage.ACCEPT)
    assert accepted.stopped_at is not None and accepted.deadline is not None
    _frozen_time.shift(timedelta(hours=2))
    moves.mark_spam(case, dispatcher, "spam", REASON)
    _frozen_time.shift(timedelta(hours=1))
    moves.unmark_spam(case, supervisor, "误判")
    accepted.refresh_from_db()
    assert accepted.deadline is not None  # stopped by the acceptance, before the mark: it keeps counting
    cut_short = Clock.objects.filter(case=case, round=1).exclude(stage=Stage.ACCEPT)
    assert cut_short.exists() and not cut_short.filter(deadline__isnull=False).exists()
    assert Clock.objects.filter(case=case, round=2, stage=Stage.ACCEPT, stopped_at__isnull=True).exists()
