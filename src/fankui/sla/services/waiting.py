"""Waiting on the citizen: a question pauses the case's clocks until the answer, a staff member or the
worker's timeout resumes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.audit.services import record_event
from fankui.cases.models import Case, Supplement
from fankui.cases.services import locked
from fankui.cases.services.supplements import add_supplement
from fankui.core.errors import Conflict, PermissionDenied
from fankui.core.vocab import Channel

from .. import calendar, signals
from ..models import Clock, InfoRequest
from . import MAX_TEXT, awaits_work, may_pause, required_text
from .clocks import pause, policy_numbers, schedule
from .lookups import work_calendar


@transaction.atomic
def request_information(case: Case, user: User, question: str) -> InfoRequest:
    """The handler needs more from the citizen: every running clock of the case pauses until ``resume``."""
    case = locked(case)
    if not may_pause(user, case):
        raise PermissionDenied(_("You may not ask for more information on this case."))
    if not awaits_work(case):
        raise Conflict(_("This case is no longer waiting for work; nothing to pause."))
    question = required_text(question, "question")
    if InfoRequest.objects.filter(case=case, resumed_at__isnull=True).exists():
        raise Conflict(_("More information was already requested; the clocks are paused."))
    now = timezone.now()
    info = InfoRequest.objects.create(case=case, question=question, asked_by=user, asked_at=now)
    clocks = list(Clock.objects.filter(case=case, stopped_at__isnull=True, paused_at__isnull=True))
    for clock in clocks:
        pause(clock, now)
    Clock.objects.bulk_update(clocks, ["paused_at", "deadline", "warn_at", "due_at", "escalate_at"])
    # The question is read from its row (erasure masks it there), not copied into the audit trail.
    record_event(case, "sla_info_requested", actor=user, public=True, data={"request": info.pk})
    signals.info_requested.send(sender=InfoRequest, case=case, request=info)
    return info


@transaction.atomic
def resume(case: Case, user: User | None = None, answer: str = "") -> InfoRequest:
    """The citizen answered (``user`` None) or staff resume: paused clocks run again with the time they had left."""
    case = locked(case)
    info = InfoRequest.objects.filter(case=case, resumed_at__isnull=True).first()
    if info is None:
        raise Conflict(_("No information request is open on this case."))
    if user is not None and not may_pause(user, case):
        raise PermissionDenied(_("You may not resume this case's deadlines."))
    if user is None:
        answer = required_text(answer, "answer")
    now = timezone.now()
    info.answer = (answer or "").strip()[:MAX_TEXT]
    info.resumed_at = now
    info.resumed_by = user
    info.save()
    _resume_clocks(case, now)
    # Public, so the citizen sees handling resume; a staff member's note stays internal (in ``data``). The
    # citizen's answer is not copied: ``answer`` refers to the request's row, which erasure masks.
    record_event(
        case,
        "sla_resumed",
        actor=user,
        actor_kind="citizen" if user is None else "staff",
        public=True,
        data={
            "request": info.pk,
            **({"answer": info.pk} if user is None else {"note": info.answer} if info.answer else {}),
        },
    )
    how = "answered" if user is None else "staff"
    signals.info_closed.send(sender=InfoRequest, case=case, request=info, how=how)
    return info


def answer(
    case: Case, text: str, attachments: Sequence[UploadedFile] = (), *, token: str = ""
) -> tuple[Supplement, bool]:
    """The submitter answers the open question on their tracking page (``portal``): their words and files are the
    case's supplement on the web channel, like an e-mail reply or an Open311 update, and ``answered_by`` takes it as
    the answer. The form asks again, so one bad file keeps nothing (``ValidationFailed`` on ``attachments``). ``token``
    (the form's, per render) makes a second send of the same form return the first supplement (``created`` False);
    the key holds the case too, so a token copied from another case's form never reaches that case's words. Without
    an open question: ``Conflict``, nothing kept (the page offers the form only while a question waits)."""
    key = f"web:{case.pk}:{token}" if token else ""
    if key and (earlier := Supplement.objects.filter(case=case, key=key).first()) is not None:
        return earlier, False
    if not InfoRequest.objects.filter(case=case, resumed_at__isnull=True).exists():
        raise Conflict(_("No information request is open on this case."))
    return add_supplement(
        case, text, channel=Channel.WEB, from_contact=True, attachments=attachments, key=key, all_or_nothing=True
    )


def answered_by(case: Case, supplement: Supplement) -> bool:
    """What the case's contact wrote again (``cases.signals.supplement_added``: the tracking page's answer, an e-mail in
    the case's thread, an Open311 update) is the answer to the open request for information, if there is one: the
    clocks run again. True when it was taken as the answer. Someone else's words never answer for the submitter."""
    if not supplement.from_contact or not InfoRequest.objects.filter(case=case, resumed_at__isnull=True).exists():
        return False
    resume(case, None, answer=supplement.text[:MAX_TEXT])
    return True


def info_wait_days() -> int:
    """Working days the clocks wait for a submitter's answer before they run again on their own."""
    return settings.FANKUI_INFO_WAIT_WORKING_DAYS


def resume_unanswered(now: dt.datetime | None = None, batch: int = 200) -> int:
    """Resume the clocks of cases whose submitter did not answer an information request within
    ``info_wait_days()`` working days (run by the worker). The case says so on its public timeline. Each request
    is re-read under a row lock, so several workers never resume one twice. Returns how many were resumed."""
    now = now or timezone.now()
    days = info_wait_days()
    cal = work_calendar()
    # N working days take at least N - 1 calendar days; the open requests are few, the exact check is per request.
    candidates = (
        InfoRequest.objects.filter(resumed_at__isnull=True, asked_at__lte=now - dt.timedelta(days=days - 1))
        .order_by("asked_at")
        .values_list("pk", "asked_at")
    )
    due = [pk for pk, asked_at in candidates if cal.add_working_days(asked_at, days) <= now][:batch]
    resumed = 0
    for pk in due:
        with transaction.atomic():
            info = InfoRequest.objects.select_for_update().filter(pk=pk, resumed_at__isnull=True).first()
            if info is None:  # answered or resumed meanwhile
                continue
            case = locked(info.case)
            info.resumed_at = now
            info.save(update_fields=["resumed_at"])
            _resume_clocks(case, now)
            record_event(
                case,
                "sla_resumed",
                actor_kind="system",
                public=True,
                data={"request": info.pk, "reason": "no_answer", "days": days},
            )
            signals.info_closed.send(sender=InfoRequest, case=case, request=info, how="timeout")
            resumed += 1
    return resumed


def _resume_clocks(case: Case, now: dt.datetime) -> None:
    cal = None
    clocks = list(
        Clock.objects.filter(case=case, stopped_at__isnull=True, paused_at__isnull=False).select_related("policy")
    )
    for clock in clocks:
        if cal is None:
            cal = work_calendar(clock.policy.calendar if clock.policy else None)
        assert clock.paused_at is not None
        clock.paused_seconds += calendar.elapsed(cal, clock.paused_at, now, clock.unit)
        clock.paused_at = None
        schedule(clock, cal, now, *policy_numbers(clock.policy))
    Clock.objects.bulk_update(
        clocks, ["paused_at", "paused_seconds", "deadline", "yellow_at", "warn_at", "due_at", "escalate_at"]
    )


def mask_requests(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the case's questions and the citizen's answers through ``mask``: their personal data was erased
    (privacy.services)."""
    for info in InfoRequest.objects.filter(case=case):
        info.question, info.answer = mask(info.question), mask(info.answer)
        info.save(update_fields=["question", "answer"])
