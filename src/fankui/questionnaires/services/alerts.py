"""Alerts: a detractor (NPS 0-6) or a very dissatisfied answer (CSAT 1, a rating scale's lowest, or a single
choice's lowest score) opens a follow-up case through the one intake door (``cases.services.receiving.receive``).

The case arrives on the ``web`` channel: the person answered on a web page, as they do on the portal's form, and the
vocabulary's channels say how a text came in, not what it is about; its title names the questionnaire, its
idempotency key the response (``questionnaire-response-<id>``), so a retry never opens a second case.

The loop is closed with the person only when they left a contact: the address of their invitation (e-mail or SMS)
on a questionnaire that is not anonymous. A public-link response has no contact, and an anonymous questionnaire's
response is never linked to a person: its case is anonymous (no contact, no receipt), so the follow-up keeps the
anonymity the page promised. ``FANKUI_QUESTIONNAIRE_FOLLOW_UP`` (on by default) turns the alerts off.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import translation
from django.utils.translation import gettext as _

from fankui.cases.services.receiving import receive
from fankui.core.errors import DomainError
from fankui.core.vocab import Channel
from fankui.core.vocab import Kind as CaseKind
from fankui.intake.services import SubmissionInput

from ..models import NUMBER_KINDS, Answer, FollowUp, Invitation, Kind, Response

log = logging.getLogger(__name__)


def reason_of(answers: list[Answer]) -> tuple[str, Answer] | None:
    """Why this response needs a follow-up, and the answer that says so; None when it does not."""
    for answer in answers:
        question = answer.question
        if question.kind == Kind.NPS and answer.number is not None and answer.number <= 6:
            return FollowUp.Reason.DETRACTOR, answer
    for answer in answers:
        question = answer.question
        if question.kind in NUMBER_KINDS and question.kind != Kind.NPS and answer.number is not None:
            low, _high = question.range
            if question.kind == Kind.CES:
                continue  # effort, not satisfaction
            if answer.number <= low:
                return FollowUp.Reason.DISSATISFIED, answer
        chosen = answer.choice
        if question.kind == Kind.SINGLE and chosen is not None and chosen.score is not None:
            scores = [c.score for c in question.choices.all() if c.score is not None]
            if len(scores) >= 3 and chosen.score <= min(scores):
                return FollowUp.Reason.DISSATISFIED, answer
    return None


def _body(response: Response, reason: str, trigger: Answer, answers: list[Answer]) -> str:
    questionnaire = response.questionnaire
    lines = [
        _("A response to the questionnaire “%(title)s” needs a follow-up.") % {"title": questionnaire.title_zh},
        (
            _("Detractor: %(question)s: %(value)s out of 10.")
            if reason == FollowUp.Reason.DETRACTOR
            else _("Very dissatisfied: %(question)s: %(value)s.")
        )
        % {
            "question": trigger.question.text_zh,
            "value": trigger.number
            if trigger.number is not None
            else (trigger.choice.label_zh if trigger.choice else ""),
        },
    ]
    for answer in answers:
        if answer.question.kind == Kind.TEXT and answer.text:
            lines.append(f"{answer.question.text_zh}: {answer.text}")
    ending = _("Response %(id)d, version %(version)d.") % {"id": response.pk, "version": response.version.number}
    body = "\n".join(lines)
    # Intake takes no longer text (several long written answers would refuse the case, and the alert with it): the
    # rest is in the response that the last line names.
    room = settings.FANKUI_MAX_BODY_CHARS - len(ending) - 1
    if len(body) > room:
        body = body[: max(room - 1, 0)] + "…"
    return body + "\n" + ending


def follow_up(response_id: int) -> FollowUp | None:
    """Open the follow-up case of a stored response if it needs one (and none was opened); returns the follow-up."""
    if not settings.FANKUI_QUESTIONNAIRE_FOLLOW_UP:
        return None
    response = Response.objects.select_related("questionnaire", "version", "invitation").filter(pk=response_id).first()
    if response is None or FollowUp.objects.filter(response=response).exists():
        return None
    answers = list(
        Answer.objects.filter(response=response)
        .select_related("question", "choice")
        .prefetch_related("question__choices")
        .order_by("question__page__position", "question__position", "id")
    )
    found = reason_of(answers)
    if found is None:
        return None
    reason, trigger = found
    questionnaire = response.questionnaire
    invitation: Invitation | None = None if questionnaire.anonymous else response.invitation
    contact = {}
    if invitation is not None and invitation.address:
        if invitation.channel == Invitation.Channel.EMAIL:
            contact = {"contact_email": invitation.address}
        else:
            contact = {"contact_phone": invitation.address}
    with translation.override(response.language or "zh-hans"):
        data = SubmissionInput(
            title=(_("Questionnaire follow-up: %(title)s") % {"title": questionnaire.title_zh})[:200],
            body=_body(response, reason, trigger, answers),
            kind=CaseKind.COMPLAINT,
            channel=Channel.WEB,
            anonymous=not contact,
            receipt=bool(contact),
            idempotency_key=f"questionnaire-response-{response.pk}",
            language=response.language,
            **contact,
        )
        try:
            case, _created = receive(data)
        except DomainError:
            # An address that intake refuses (an old invitation list): the case opens without it.
            data.contact_email = data.contact_phone = ""
            data.anonymous, data.receipt = True, False
            case, _created = receive(data)
            contact = {}
    return FollowUp.objects.create(
        response=response, case=case, reason=reason, question_key=trigger.question.key, with_contact=bool(contact)
    )


def _after_response(sender: type, instance: Response, created: bool, **kwargs: object) -> None:
    """Once the response and its answers are committed, open its follow-up case if it needs one. A failure is
    logged and never undoes the response the person submitted."""
    if not created or kwargs.get("raw"):
        return

    def run() -> None:
        try:
            follow_up(instance.pk)
        except Exception:  # the response is stored; the alert is what failed
            log.exception("questionnaire follow-up of response %s failed", instance.pk)

    transaction.on_commit(run)


def connect() -> None:
    post_save.connect(_after_response, sender=Response, dispatch_uid="questionnaire-follow-up")
