"""Answers by phone (回访, the seeds' 电话访谈): an operator reads a questionnaire's questions to a person on a call
and records what they said as one response with the channel ``phone`` (``Via.PHONE``).

``record_by_phone(user, questionnaire, values, invitation=None, case=None)`` is the one door. It goes through the
respondent's own ``answering.submit`` (open, closed and full, required answers, ranges, show-if evaluated on the
server, one response per invitation, the anonymous mode), so a phone answer is refused exactly where a web answer
would be, and writes the operator's act in the audit trail in the same transaction.

Anonymous questionnaires keep their promise on the phone too: the response links to no invitation (``submit``
keeps the day only), and neither the response, the audit entry nor the case's timeline says whose answers they
are: the case the call came from is not named anywhere.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.audit.services import record_event
from fankui.cases.models import Case
from fankui.cases.queries import visible_cases
from fankui.core.errors import NotFound, PermissionDenied

from ..models import Invitation, Questionnaire, Response, State, Via
from . import can_edit, visible_questionnaires
from .answering import Form, submit
from .building import audit

# The event on a case's timeline when a questionnaire that is not anonymous was answered on a call about it.
EVENT = "questionnaire_phone"
# The phone page's form key (``new_form_key``); anything else is no key.
FORM_KEY = re.compile(r"[0-9a-f]{32}")


def new_form_key() -> str:
    """A random key for one rendering of the phone page's form: sending it twice stores one response."""
    return secrets.token_hex(16)


def may_record(user: Any, questionnaire: Questionnaire) -> bool:
    """May record answers by phone: the centre's callers (``permissions.may_follow_up``: dispatchers and
    supervisors) or whoever may edit the questionnaire (its department's head), and only a questionnaire the user
    sees (``visible_questionnaires``: another department's is out of reach)."""
    if not (permissions.may_follow_up(user) or can_edit(user, questionnaire)):
        return False
    return visible_questionnaires(user).filter(pk=questionnaire.pk).exists()


def open_for_phone(user: Any, now: Any = None) -> QuerySet[Questionnaire]:
    """The questionnaires ``user`` may record answers to now: visible, published, open by their dates."""
    now = now or timezone.now()
    rows = visible_questionnaires(user).filter(state=State.PUBLISHED, current_version__isnull=False)
    rows = rows.filter(
        Q(opens_at__isnull=True) | Q(opens_at__lte=now), Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )
    if not permissions.may_follow_up(user):
        rows = rows.filter(pk__in=[q.pk for q in rows if can_edit(user, q)])
    return rows.order_by("-created_at", "-id")


def find_invitation(questionnaire: Questionnaire, pk: Any) -> Invitation:
    """The invitation ``pk`` of this questionnaire, or ``NotFound`` (another questionnaire's, made up, not a number)."""
    number = str(pk or "")
    if not (number.isascii() and number.isdigit() and len(number) < 19):
        raise NotFound(_("No such invitation."))
    invitation = Invitation.objects.filter(questionnaire=questionnaire, pk=int(number)).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    return invitation


def find_case(user: Any, pk: Any) -> Case:
    """The case ``pk`` if ``user`` sees it (``cases.queries.visible_cases``), or ``NotFound``."""
    number = str(pk or "")
    if not (number.isascii() and number.isdigit() and len(number) < 19):
        raise NotFound(_("No such case."))
    case = visible_cases(user).filter(pk=int(number)).first()
    if case is None:
        raise NotFound(_("No such case."))
    return case


def record_by_phone(
    user: Any,
    questionnaire: Questionnaire,
    values: Mapping[str, Any],
    *,
    invitation: Invitation | None = None,
    case: Case | None = None,
    language: str = "zh-hans",
    form: Form | None = None,
    form_key: str = "",
) -> Response:
    """Store what a person answered on the phone as one response with channel ``phone``, or store nothing:
    ``PermissionDenied`` for someone who may not record it (``may_record``; a case they do not see), ``NotFound`` for
    another questionnaire's invitation, and every refusal of ``answering.submit`` (``Conflict``: not open, closed,
    full, the invitation already answered; ``ValidationFailed`` naming each question's input). ``case``: the case the
    call is about (the call list of 回访); named in the audit entry and on the case's timeline unless the
    questionnaire is anonymous. ``form_key``: the random key of the page's form (``new_form_key``); the same form
    sent again returns the response it stored and records nothing more (two at once: the second is a ``Conflict``)."""
    if not may_record(user, questionnaire):
        raise PermissionDenied(_("You may not record answers to this questionnaire."))
    if invitation is not None and invitation.questionnaire_id != questionnaire.pk:
        raise NotFound(_("No such invitation."))
    if case is not None and not visible_cases(user).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not follow up this case."))
    form_key = form_key if FORM_KEY.fullmatch(form_key or "") else ""
    if form_key and (earlier := Response.objects.filter(questionnaire=questionnaire, form_key=form_key).first()):
        return earlier
    with transaction.atomic():
        response = submit(
            questionnaire,
            values,
            invitation=invitation,
            language=language,
            form=form,
            via=Via.PHONE,
            form_key=form_key,
        )
        if questionnaire.anonymous:
            # Who answered is not written anywhere: not the invitation, not the case, not the response's id (the
            # order of ids and audit entries would pair them).
            audit(user, questionnaire, "phone_response", anonymous=True)
        else:
            data: dict[str, Any] = {"response": response.pk}
            if invitation is not None:
                data["invitation"] = invitation.pk
            if case is not None:
                data["case"] = case.pk
            audit(user, questionnaire, "phone_response", **data)
            if case is not None:
                record_event(
                    case, EVENT, actor=user, data={"questionnaire_id": questionnaire.pk, "response_id": response.pk}
                )
    return response


def call_action(user: Any, case: Case) -> list[tuple[str, str]]:
    """The call page's link (``surveys.followups.add_call_action``) when a questionnaire is open for this user."""
    if not open_for_phone(user).exists():
        return []
    return [(_("Record a questionnaire's answers"), f"{reverse('questionnaires:phone_choose')}?case={case.pk}")]


def event_detail(event: Any) -> str:
    """The questionnaire's title on the case's timeline (``audit.labels``)."""
    pk = (event.data or {}).get("questionnaire_id")
    questionnaire = Questionnaire.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    return questionnaire.title if questionnaire is not None else ""
