"""What staff are told when a case comes their way: in the application, and by e-mail when they have an address.

A receiver of ``cases.signals.case_moved`` (connected in ``CasesConfig.ready``), so it runs inside the transaction of
the move: a move that rolls back tells nobody. ``sla.services`` uses ``tell`` for extension requests and supervision.
Each notice is written in its recipient's language (``User.language``, else the site's), names the case and links to
its page. The key of a notice names the event that caused it, so every event tells each person once.

Who is told what:
- dispatched or redispatched (also by the system): the handlers and heads of the lead department; those of each
  assisting department too, worded as assisting;
- returned (退单): the dispatcher who dispatched it last; every dispatcher when the system did or that person left;
- reopened by a bad rating or by a supervisor: the handlers and heads of the lead department;
- an extension asked for (``sla.services``): the supervisors;
- put under supervision, 督办 (``sla.services``): the handlers and heads of the lead department.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import DEPARTMENT_ROLES, Department, Role, User
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.core.site import public_url
from fankui.nlp import rules
from fankui.notify.services import notify_staff

from .models import Case
from .workflow import Action

# Composes (subject, body) in the active language; called once per language among the recipients.
Compose = Callable[[], tuple[str, str]]


def case_url(case: Case) -> str:
    return public_url() + reverse("staff:case", kwargs={"pk": case.pk})


def is_emergency(case: Case) -> bool:
    """The analysis's urgency rules on the submitter's words: a notice about an emergency is urgent, and its e-mail
    is not held back by quiet hours (``notify.quiet``)."""
    submission = case.submission
    return rules.urgency(f"{submission.title} {submission.body}".strip()).level == "emergency"


def tell(users: Iterable[User], compose: Compose, *, case: Case, key: str, actor: User | None = None) -> int:
    """Queue a notice to each of ``users`` (not to ``actor``: nobody is told what they did themselves), in each
    one's language, with the case's link under the text; urgent (not held by quiet hours) for an emergency. Returns
    how many messages were queued."""
    by_language: dict[str, list[User]] = {}
    for user in users:
        if actor is not None and user.pk == actor.pk:
            continue
        language = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        by_language.setdefault(language, []).append(user)
    queued = 0
    urgent = bool(by_language) and is_emergency(case)
    for language, group in by_language.items():
        with translation.override(language):
            subject, body = compose()
            body = f"{body}\n\n" + _("Open the case: %(url)s") % {"url": case_url(case)}
            queued += notify_staff(group, subject, body, case_id=case.pk, key=key, urgent=urgent)
    return queued


def department_staff(departments: Iterable[Department | None]) -> list[User]:
    """The handlers and heads of exactly these departments (not of their sub-units), active ones."""
    ids = [d.pk for d in departments if d is not None]
    if not ids:
        return []
    return list(User.objects.filter(is_active=True, role__in=DEPARTMENT_ROLES, department_id__in=ids).order_by("pk"))


def _event(case: Case, action: str) -> Event | None:
    """The event the move just wrote (the signal is sent right after it)."""
    event = Event.objects.filter(case=case, action=action).order_by("-id").first()
    # Its note or reason is in its own row (``audit.EventText``).
    return labels.with_words([event])[0] if event is not None else None


def _number(case: Case) -> dict[str, Any]:
    return {"number": case.number}


# --- The moves ----------------------------------------------------------------------------------------------------
def on_case_moved(sender: Any, case: Case, action: str, user: User | None = None, **kwargs: Any) -> None:
    if action in (Action.DISPATCH, Action.REDISPATCH):
        _dispatched(case, action, user)
    elif action == Action.RETURN:
        _returned(case, user)
    elif action in (Action.REOPEN, Action.RATE_UNSATISFIED):
        _reopened(case, action, user)


def _dispatched(case: Case, action: str, actor: User | None) -> None:
    event = _event(case, action)
    if event is None or case.lead_department is None:
        return
    lead = case.lead_department
    note = event.message
    facts = {**_number(case), "lead": lead.name}

    def to_lead() -> tuple[str, str]:
        if action == Action.REDISPATCH:
            subject = _("Case %(number)s was redispatched to your department") % facts
        else:
            subject = _("Case %(number)s was dispatched to your department") % facts
        body = _("Your department, %(lead)s, leads case %(number)s. Please start handling it.") % facts
        if note:
            body += "\n" + _("Note from triage: %(note)s") % {"note": note}
        return subject, body

    key = f"staff:case:{case.pk}:{action}:{event.pk}"
    tell(department_staff([lead]), to_lead, case=case, key=key, actor=actor)
    assist_ids = [pk for pk in (event.data or {}).get("assist_departments", []) if pk != lead.pk]
    for department in Department.objects.filter(pk__in=assist_ids).order_by("path"):

        def to_assist(department: Department = department) -> tuple[str, str]:
            subject = _("Case %(number)s: your department is asked to assist") % facts
            body = _(
                "%(lead)s leads case %(number)s; your department, %(department)s, is asked to assist it. The lead "
                "department answers the submitter."
            ) % {**facts, "department": department.name}
            if note:
                body += "\n" + _("Note from triage: %(note)s") % {"note": note}
            return subject, body

        tell(department_staff([department]), to_assist, case=case, key=f"{key}:assist", actor=actor)


# A returned case goes back to whoever dispatched it while they still act as a dispatcher or supervisor; otherwise to
# every dispatcher.
RETURN_TO = frozenset({Role.DISPATCHER, Role.SUPERVISOR})


def _returned(case: Case, actor: User | None) -> None:
    event = _event(case, Action.RETURN)
    if event is None:
        return
    last = (
        Event.objects.filter(case=case, action__in=(Action.DISPATCH, Action.REDISPATCH), actor__isnull=False)
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    dispatcher = last.actor if last is not None else None
    if dispatcher is not None and permissions.has_role(dispatcher, RETURN_TO):
        recipients = [dispatcher]
    else:
        recipients = list(User.objects.filter(is_active=True, role=Role.DISPATCHER).order_by("pk"))
    department = actor.department.name if actor is not None and actor.department is not None else ""
    facts = {**_number(case), "department": department or "—", "reason": event.message}

    def compose() -> tuple[str, str]:
        subject = _("Case %(number)s was returned by %(department)s") % facts
        body = _("Reason: %(reason)s") % facts + "\n" + _("It waits in triage to be dispatched again.")
        return subject, body

    tell(recipients, compose, case=case, key=f"staff:case:{case.pk}:return:{event.pk}", actor=actor)


def _reopened(case: Case, action: str, actor: User | None) -> None:
    event = _event(case, action)
    if event is None:
        return
    facts = {**_number(case), "reason": event.message}

    def compose() -> tuple[str, str]:
        if action == Action.RATE_UNSATISFIED:
            subject = _("Case %(number)s was reopened: the submitter is not satisfied") % facts
            body = (
                _(
                    "The submitter rated the reply to case %(number)s as not satisfactory, so the case is back with "
                    "your department. Please look into it again and reply."
                )
                % facts
            )
        else:
            subject = _("Case %(number)s was reopened by a supervisor") % facts
            body = _("Reason: %(reason)s") % facts + "\n" + _("Please look into it again and reply.")
        return subject, body

    key = f"staff:case:{case.pk}:{action}:{event.pk}"
    tell(department_staff([case.lead_department]), compose, case=case, key=key, actor=actor)
