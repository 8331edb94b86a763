"""Matching a reply the way a careful helpdesk does: our signed Message-ID, the citizen's own earlier Message-ID,
our signed reference line in the quoted text, and a tracking code in the subject only from the case's contact."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail as outbox

from fankui.audit.labels import with_words
from fankui.cases.models import Case, Supplement
from fankui.cases.queries import timeline
from fankui.cases.services import moves, supplements
from fankui.mail import services, threading
from fankui.mail.models import Status
from fankui.notify import delivery
from fankui.notify.models import Message
from fankui.portal.notices import tell_accepted
from fankui.sla.models import InfoRequest
from fankui.sla.services.waiting import request_information

from .conftest import message

pytestmark = pytest.mark.django_db

ORIGINAL = "<original@mail.example.cn>"


@pytest.fixture
def case(settings: Any) -> Case:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FANKUI_MAIL_REPLY_TO = "12345@fankui.example.cn"
    record = services.handle(message(message_id=ORIGINAL))
    assert record.status == Status.CASE and record.case is not None
    return Case.objects.select_related("submission").get(pk=record.case.pk)


def _sent_to_citizen(case: Case) -> Any:
    """Our answer as the citizen's mail program receives it."""
    assert tell_accepted(case)
    queued = Message.objects.get(case_id=case.pk, key=f"case:{case.pk}:accept")
    delivery.deliver(queued)
    return outbox.outbox[-1].message()


def test_our_answer_is_threaded_signed_and_marked_as_automatic(case: Case) -> None:
    sent = _sent_to_citizen(case)

    assert sent["Auto-Submitted"] == "auto-replied"
    assert threading.case_of_message_id(sent["Message-ID"].strip("<>")) == case.pk
    assert sent["In-Reply-To"] == ORIGINAL
    assert ORIGINAL in sent["References"]
    assert sent["Reply-To"] == "12345@fankui.example.cn"
    assert threading.marker_for(case.pk) in sent.get_payload(decode=True).decode()


def test_a_reply_to_our_message_id_is_a_follow_up_on_the_case(case: Case) -> None:
    sent = _sent_to_citizen(case)
    reply = message("灯还是没修好。", subject="Re: 已受理", headers={"In-Reply-To": sent["Message-ID"]})

    record = services.handle(reply)

    assert (record.status, record.case_id, record.how) == (Status.FOLLOW_UP, case.pk, "our_message_id")
    assert Case.objects.count() == 1
    follow_up = Supplement.objects.get()
    assert (follow_up.text, follow_up.from_contact, follow_up.channel) == ("灯还是没修好。", True, "email")
    events = with_words(timeline(case, public=False).filter(action=supplements.EVENT))
    assert [event.message for event in events] == ["灯还是没修好。"]


def test_a_made_up_message_id_of_ours_matches_nothing(case: Case) -> None:
    forged = f"<case-{case.pk}.1.{'0' * 20}@fankui.example.cn>"
    record = services.handle(message("别人的案件", sender="x@evil.example", headers={"In-Reply-To": forged}))

    assert record.status == Status.CASE and record.case_id != case.pk


def test_a_reply_naming_the_citizens_own_message_is_a_follow_up(case: Case) -> None:
    record = services.handle(message("补充：是3号楼门口。", headers={"References": ORIGINAL}))

    assert (record.status, record.case_id, record.how) == (Status.FOLLOW_UP, case.pk, "their_message_id")


def test_the_reference_line_quoted_in_the_text_brings_a_reply_back(case: Case) -> None:
    quoted = f"还没修。\n\n> 您的诉求已受理\n> {threading.marker_for(case.pk)}\n"
    record = services.handle(message(quoted, subject="关于路灯"))

    assert (record.status, record.case_id, record.how) == (Status.FOLLOW_UP, case.pk, "marker")
    assert Supplement.objects.get().text == "还没修。"  # the quoted message is not repeated


def test_a_tracking_code_in_the_subject_counts_only_from_the_cases_contact(case: Case) -> None:
    subject = f"关于 {case.display_code} 的补充"

    from_contact = services.handle(message("补充材料", subject=subject, sender="ZhangSan@Example.cn"))
    from_stranger = services.handle(message("我也要补充", subject=subject, sender="stranger@example.com"))

    assert (from_contact.status, from_contact.case_id, from_contact.how) == (Status.FOLLOW_UP, case.pk, "subject_code")
    assert from_stranger.status == Status.CASE and from_stranger.case_id != case.pk
    assert Supplement.objects.count() == 1


def test_a_reply_answers_an_open_request_for_information(case: Case, dispatcher: Any, dept: Any, handler: Any) -> None:
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    request_information(case, handler, "请问具体是哪一栋楼？")

    record = services.handle(message("是3号楼。", headers={"In-Reply-To": ORIGINAL}))

    info = InfoRequest.objects.get(case=case)
    assert record.status == Status.FOLLOW_UP and record.how == "their_message_id+info_answer"
    assert (info.answer, info.resumed_at is not None) == ("是3号楼。", True)
    # Kept as the case's supplement too (its files would be there), but the timeline shows the words once: in the
    # SLA's own event, where the question is answered.
    assert Supplement.objects.get().answers_request
    events = with_words(timeline(case, public=False).filter(action__in=[supplements.EVENT, "sla_resumed"]))
    assert {event.action: event.message for event in events} == {"sla_resumed": "是3号楼。", supplements.EVENT: ""}


def test_the_lead_department_hears_that_the_submitter_wrote_again(
    case: Case, dispatcher: Any, dept: Any, handler: Any
) -> None:
    handler.language = "en"
    handler.save(update_fields=["language"])
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)

    services.handle(message("还是没修。", headers={"In-Reply-To": ORIGINAL}))

    notice = Message.objects.get(user=handler, key__contains=":supplement:")
    assert notice.subject == f"Case {case.number}: the submitter wrote again"
    assert "还是没修" not in notice.body


def test_the_lead_department_hears_that_someone_else_wrote_when_a_stranger_answers(
    case: Case, dispatcher: Any, dept: Any, handler: Any
) -> None:
    # Anyone copied on the citizen's e-mail can answer it (their Message-ID in References): that is not the submitter.
    handler.language = "en"
    handler.save(update_fields=["language"])
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)

    record = services.handle(message("我也看到了。", sender="neighbour@example.com", headers={"References": ORIGINAL}))

    assert (record.status, record.case_id, Supplement.objects.get().from_contact) == (Status.FOLLOW_UP, case.pk, False)
    notice = Message.objects.get(user=handler, key__contains=":supplement:")
    assert notice.subject == f"Case {case.number}: someone else wrote about this case"
    assert "not from the address on file" in notice.body
    assert "submitter" not in notice.subject + notice.body
