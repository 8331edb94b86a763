"""What the submitter is told about their case, and when: the portal is the public face, so every message to a
citizen about their request is written here, in the language they used, with links to the portal's pages.

Receivers of ``cases.signals``, ``analysis.signals`` and ``sla.signals``, so they run inside the transaction of the
change: a move that rolls back queues nothing. Messages go through the outbox (``notify.services``), which sends
nothing to an anonymous submitter, one without contact or one who opted out, and each (contact, key) once.

- the case was received and analysed (not for imported history): ``case:<id>:receipt``;
- accepted, not accepted (with the reason), merged: ``case:<id>:accept`` / ``reject`` / ``merge``;
- a reply, with the link to rate it (followers of the case: where to read it): ``case:<id>:reply:<reply id>``;
- closed; reopened (by a supervisor or a bad rating): ``case:<id>:close:<time>`` / ``case:<id>:reopen:<time>``;
- more information asked, no answer in time: ``sla:info:<id>`` / ``sla:info:<id>:timeout``;
- more time needed (an approved extension): ``sla:extension:<id>``.

A case marked as spam or abuse (``mark_spam``) is told nothing: not the mark, and no receipt if the mark came
before the analysis; taking the mark back tells nothing either.

Submitters whose cases were merged into a case (its followers) hear of its rejection, reply, closing and reopening
under their own case's key, with their own link.

Each message is written in the built-in wording below unless the organisation made an active template of it in the
admin (``notify.wording``; the portal's messages are listed in ``wording``: "case:accept", "case:reply", "sla:info"...).
Which contact hears it (SMS for a caller to the hotline) is decided by ``notify.services.citizen_address`` from the
channel the request came in by.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fankui.analysis.models import CaseAnalysis
from fankui.audit import labels
from fankui.cases.models import Case, Reply
from fankui.cases.workflow import Action, State
from fankui.core.site import public_url
from fankui.nlp import rules
from fankui.notify.services import blocked_addresses, citizen_message, notify_citizen, queue_in_batches
from fankui.notify.wording import worded
from fankui.sla.models import Extension, InfoRequest
from fankui.sla.services.waiting import info_wait_days
from fankui.surveys.notices import submitter_address

# Where to call when somebody is in danger now; said on the confirmation page and in the receipt of an emergency.
EMERGENCY_NUMBERS = ("110", "119", "120")


# --- Shared pieces ---------------------------------------------------------------------------------------------
@contextmanager
def _in_language_of(case: Case) -> Iterator[None]:
    with translation.override(case.submission.language or settings.LANGUAGE_CODE):
        yield


@functools.lru_cache(maxsize=8)
def _path(name: str) -> tuple[str, str]:
    # Reversed once per page: every intake with a contact builds a link to the tracking page.
    head, tail = reverse(name, kwargs={"code": "CODE"}).split("CODE")
    return head, tail


def _url(name: str, case: Case) -> str:
    head, tail = _path(name)
    return f"{public_url()}{head}{case.tracking_code}{tail}"


def track_url(case: Case) -> str:
    return _url("portal:track", case)


def rate_url(case: Case) -> str:
    """The rating page: opening it records nothing (mail scanners follow links); the rating is a POST from it."""
    return _url("portal:rate", case)


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def is_emergency(title: str, body: str) -> bool:
    """The analysis's own urgency rules (the same that flag the case for staff), run at once: the submitter must
    not wait for the worker to be told to call for help."""
    return rules.urgency(f"{title} {body}".strip()).level == "emergency"


def emergency_advice() -> str:
    return _(
        "If anyone is in danger, call 110 (police), 119 (fire) or 120 (ambulance) now: we pass your report on at "
        "once, but they can be there sooner."
    )


def _tell(case: Case, key: str, subject: str, body: str) -> bool:
    return notify_citizen(submitter_address(case), subject, body, key=key, case_id=case.pk)


# --- The case's life --------------------------------------------------------------------------------------------
def _receipt(case: Case, emergency: bool) -> tuple[str, str]:
    with _in_language_of(case):
        facts = {"date": _when(case.created_at), "code": case.display_code, "link": track_url(case)}
        lines = [_("We received your request on %(date)s. Your tracking code is %(code)s.") % facts]
        if emergency:
            lines.append(emergency_advice())
        lines.append(_("Follow its progress here: %(url)s") % {"url": facts["link"]})
        built_in = _("We received your request %(code)s") % facts, "\n\n".join(lines)
        subject, body = worded("case:receipt", facts, built_in)
        if emergency and (subject, body) is not built_in:  # a template cannot leave out where to call for help
            body = f"{emergency_advice()}\n\n{body}"
        return subject, body


def _found_emergency(analysis: CaseAnalysis) -> bool:
    if analysis.status == CaseAnalysis.Status.DONE:
        return analysis.urgency == "emergency"
    submission = analysis.case.submission  # the analysis failed: its urgency rules alone may still say so
    try:
        return is_emergency(submission.title, submission.body)
    except Exception:
        return False


def tell_received(analyses: Sequence[CaseAnalysis]) -> int:
    """The receipt, once the analysis has looked at the case (the worker's work, so that it costs intake nothing,
    and an emergency found by the analysis is told to call for help): date, tracking code, the link to follow it.
    Not for imports of history (``Submission.receipt``); once per case, however often it is analysed again."""
    opted, bounced = blocked_addresses()
    now = timezone.now()
    messages = []
    for analysis in analyses:
        case = analysis.case
        address = submitter_address(case)
        if address is None or not case.submission.receipt or address.where in opted:
            continue
        if case.state == State.SPAM:  # marked before the worker got to it: spam and abuse are told nothing
            continue
        subject, body = _receipt(case, _found_emergency(analysis))
        with _in_language_of(case):  # the way out at the end of the message, in their language too
            message = citizen_message(
                address,
                subject,
                body,
                key=f"case:{case.pk}:receipt",
                case_id=case.pk,
                now=now,
                bounced_at=bounced.get(address.where),
            )
        messages.append(message)
    return queue_in_batches(messages)


def _reason(case: Case, action: str) -> str:
    event = case.events.filter(action=action).order_by("-created_at", "-id").first()
    return labels.with_words([event])[0].message if event is not None else ""


def tell_accepted(case: Case) -> bool:
    with _in_language_of(case):
        subject = _("Your request %(code)s was accepted") % {"code": case.display_code}
        body = _(
            "Your request %(code)s was accepted and is passed on to the department responsible. "
            "Follow its progress here: %(url)s"
        ) % {"code": case.display_code, "url": track_url(case)}
        facts = {"code": case.display_code, "link": track_url(case)}
        subject, body = worded("case:accept", facts, (subject, body))
        return _tell(case, f"case:{case.pk}:accept", subject, body)


def _everyone(case: Case) -> list[Case]:
    """The submitter of ``case`` and of every case merged into it: they follow it (their own tracking page shows its
    progress), so they hear of what happens to it too."""
    return [case, *case.merged_cases.select_related("submission").order_by("id")]


def tell_rejected(case: Case) -> int:
    reason = _reason(case, Action.REJECT)
    told = 0
    for person in _everyone(case):
        with _in_language_of(person):
            subject = _("Your request %(code)s could not be accepted") % {"code": person.display_code}
            body = _("We could not accept your request %(code)s.\n\nThe reason: %(reason)s\n\nDetails: %(url)s") % {
                "code": person.display_code,
                "reason": reason,
                "url": track_url(person),
            }
            facts = {"code": person.display_code, "reason": reason, "link": track_url(person)}
            subject, body = worded("case:reject", facts, (subject, body))
            told += _tell(person, f"case:{person.pk}:reject", subject, body)
    return told


def tell_merged(case: Case) -> bool:
    primary = case.merged_into
    with _in_language_of(case):
        subject = _("Your request %(code)s is handled together with another") % {"code": case.display_code}
        if primary is not None and primary.state in (State.REPLIED, State.CLOSED):
            body = _(
                "Your request %(code)s is about the same problem as another request, which has already been "
                "answered. Read the reply here: %(url)s"
            )
        else:
            body = _(
                "Your request %(code)s is about the same problem as another request, so both are handled together. "
                "You will hear from us when there is a reply; follow the progress here: %(url)s"
            )
        body %= {"code": case.display_code, "url": track_url(case)}
        facts = {"code": case.display_code, "link": track_url(case)}
        subject, body = worded("case:merge", facts, (subject, body))
        return _tell(case, f"case:{case.pk}:merge", subject, body)


def _reply_body(case: Case, answer: Reply) -> tuple[str, str]:
    subject = _("Reply to your request %(code)s") % {"code": case.display_code}
    department = answer.department.name if answer.department else ""
    lines = [
        _("%(department)s replied to your request %(code)s:") % {"department": department, "code": case.display_code}
        if department
        else _("The reply to your request %(code)s:") % {"code": case.display_code},
        answer.body,
        _(
            "Please tell us within %(days)d days how satisfied you are with this reply: %(url)s\n"
            "If you are not satisfied, your request is handled again."
        )
        % {"days": settings.FANKUI_RATING_WINDOW_DAYS, "url": rate_url(case)},
    ]
    facts = {
        "code": case.display_code,
        "department": department,
        "reply": answer.body,
        "days": settings.FANKUI_RATING_WINDOW_DAYS,
        "link": rate_url(case),
    }
    return worded("case:reply", facts, (subject, "\n\n".join(lines)))


def _follower_reply_body(person: Case) -> tuple[str, str]:
    # Not the reply's words: they were written to another person and may name them or their address.
    subject = _("Reply to your request %(code)s") % {"code": person.display_code}
    body = _("The request that yours (%(code)s) was merged with has been answered. Read the reply here: %(url)s") % {
        "code": person.display_code,
        "url": track_url(person),
    }
    return subject, body


def tell_replied(case: Case) -> int:
    """The reply to the submitter, with the link to rate it; those who follow the case are told where to read it."""
    answer = case.replies.select_related("department").order_by("-created_at", "-id").first()
    if answer is None:
        return 0
    told = 0
    for person in _everyone(case):
        with _in_language_of(person):
            subject, body = _reply_body(person, answer) if person.pk == case.pk else _follower_reply_body(person)
            told += _tell(person, f"case:{person.pk}:reply:{answer.pk}", subject, body)
    return told


def tell_answered(case: Case) -> bool:
    """Answered at first contact (直接答复办结): the answer the caller heard, in writing, with the link to the
    tracking page; the case is already closed, so no rating is asked."""
    answer = case.replies.select_related("department").order_by("-created_at", "-id").first()
    if answer is None:
        return False
    with _in_language_of(case):
        subject = _("Reply to your request %(code)s") % {"code": case.display_code}
        lines = [
            _("The answer to your request %(code)s, as you were told:") % {"code": case.display_code},
            answer.body,
            _closing_body(case, Action.CLOSE),
        ]
        return _tell(case, f"case:{case.pk}:reply:{answer.pk}", subject, "\n\n".join(lines))


def _closing_body(case: Case, action: str) -> str:
    if action == Action.RATE_SATISFIED:
        text = _("Thank you for rating the reply. Your request %(code)s is now closed.")
    else:
        text = _("Your request %(code)s is now closed.")
    return (text % {"code": case.display_code}) + "\n\n" + _("Details: %(url)s") % {"url": track_url(case)}


def tell_closed(case: Case, action: str) -> int:
    stamp = int(case.state_changed_at.timestamp())
    told = 0
    for person in _everyone(case):
        with _in_language_of(person):
            subject = _("Your request %(code)s is closed") % {"code": person.display_code}
            # Only the one who rated is thanked for it.
            closing = _closing_body(person, action if person.pk == case.pk else Action.CLOSE)
            facts = {"code": person.display_code, "link": track_url(person)}
            subject, closing = worded("case:close", facts, (subject, closing))
            told += _tell(person, f"case:{person.pk}:close:{stamp}", subject, closing)
    return told


def tell_reopened(case: Case) -> int:
    """Reopened by a supervisor or by the submitter's bad rating: handled again."""
    stamp = int(case.state_changed_at.timestamp())
    told = 0
    for person in _everyone(case):
        with _in_language_of(person):
            subject = _("Your request %(code)s is handled again") % {"code": person.display_code}
            body = _("Your request %(code)s was reopened and is handled again. Follow its progress here: %(url)s") % {
                "code": person.display_code,
                "url": track_url(person),
            }
            facts = {"code": person.display_code, "link": track_url(person)}
            subject, body = worded("case:reopen", facts, (subject, body))
            told += _tell(person, f"case:{person.pk}:reopen:{stamp}", subject, body)
    return told


# --- Waiting on the submitter, more time ------------------------------------------------------------------------
def tell_info_requested(case: Case, request: InfoRequest) -> bool:
    with _in_language_of(case):
        subject = _("Your request %(code)s: we need more information") % {"code": case.display_code}
        body = _(
            "To handle your request %(code)s we need more information from you:\n\n%(question)s\n\n"
            "Please answer here: %(url)s\n"
            "The time we promised does not run while we wait. If no answer comes within %(days)d working days, "
            "we go on with what we have."
        ) % {"code": case.display_code, "question": request.question, "url": track_url(case), "days": info_wait_days()}
        facts = {
            "code": case.display_code,
            "question": request.question,
            "link": track_url(case),
            "days": info_wait_days(),
        }
        subject, body = worded("sla:info", facts, (subject, body))
        return _tell(case, f"sla:info:{request.pk}", subject, body)


def tell_info_timed_out(case: Case, request: InfoRequest) -> bool:
    with _in_language_of(case):
        subject = _("Your request %(code)s: handling goes on") % {"code": case.display_code}
        body = _(
            "We did not receive the information we asked for about your request %(code)s, so we go on with what we "
            "have. Follow its progress here: %(url)s"
        ) % {"code": case.display_code, "url": track_url(case)}
        facts = {"code": case.display_code, "link": track_url(case)}
        subject, body = worded("sla:info:timeout", facts, (subject, body))
        return _tell(case, f"sla:info:{request.pk}:timeout", subject, body)


def tell_extension(case: Case, extension: Extension) -> bool:
    if extension.new_deadline is None:
        return False
    with _in_language_of(case):
        subject = _("Your request %(code)s: more time is needed") % {"code": case.display_code}
        body = _("Handling your request %(code)s needs more time. We now expect to answer by %(date)s.") % {
            "code": case.display_code,
            "date": _when(extension.new_deadline),
        }
        body += "\n\n" + _("Details: %(url)s") % {"url": track_url(case)}
        facts = {"code": case.display_code, "date": _when(extension.new_deadline), "link": track_url(case)}
        subject, body = worded("sla:extension", facts, (subject, body))
        return _tell(case, f"sla:extension:{extension.pk}", subject, body)


# --- Receivers (connected in apps.py) ---------------------------------------------------------------------------
def on_analysis_finished(sender: Any, analyses: Sequence[CaseAnalysis], **kwargs: Any) -> None:
    tell_received(analyses)


def on_case_moved(sender: Any, case: Case, action: str, source: str, target: str, **kwargs: Any) -> None:
    if action == Action.ACCEPT:
        tell_accepted(case)
    elif action == Action.REJECT:
        tell_rejected(case)
    elif action == Action.MERGE:
        tell_merged(case)
    elif action == Action.REPLY:
        tell_replied(case)
    elif action == Action.ANSWER_AT_ONCE:
        tell_answered(case)
    elif target == State.CLOSED:
        tell_closed(case, action)
    elif target == State.REOPENED:
        tell_reopened(case)


def on_info_requested(sender: Any, case: Case, request: InfoRequest, **kwargs: Any) -> None:
    tell_info_requested(case, request)


def on_info_closed(sender: Any, case: Case, request: InfoRequest, how: str, **kwargs: Any) -> None:
    if how == "timeout":
        tell_info_timed_out(case, request)


def on_extension_approved(sender: Any, case: Case, extension: Extension, **kwargs: Any) -> None:
    tell_extension(case, extension)
