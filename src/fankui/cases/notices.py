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

from collections.abc import Iterable, Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.accounts import permissions
from fankui.accounts.models import DEPARTMENT_ROLES, Department, Role, User
from fankui.audit import labels
from fankui.audit.models import Event
from fankui.core.site import public_url
from fankui.nlp import rules
from fankui.notify.services import Compose, tell_staff
from fankui.notify.wording import Audience, Kind, register

from .models import Case
from .workflow import Action

# The notices of this module and of the apps above that use ``tell`` (each registers its own), editable per language
# in the admin like the messages to submitters (``notify.wording``). Placeholders in templates name ``facts``.
NUMBER = gettext_lazy("the case's number (2026-000123)")
NOTE = gettext_lazy("the note from triage (may be empty)")
KINDS = (
    Kind(
        "staff:case:dispatch",
        gettext_lazy("Case dispatched to your department"),
        {"number": NUMBER, "lead": gettext_lazy("the lead department"), "note": NOTE},
        Audience.STAFF,
    ),
    Kind(
        "staff:case:redispatch",
        gettext_lazy("Case redispatched to your department"),
        {"number": NUMBER, "lead": gettext_lazy("the lead department"), "note": NOTE},
        Audience.STAFF,
    ),
    Kind(
        "staff:case:assist",
        gettext_lazy("Your department is asked to assist"),
        {
            "number": NUMBER,
            "lead": gettext_lazy("the lead department"),
            "department": gettext_lazy("the assisting department"),
            "note": NOTE,
        },
        Audience.STAFF,
    ),
    Kind(
        "staff:case:return",
        gettext_lazy("Case returned by a department"),
        {
            "number": NUMBER,
            "department": gettext_lazy("the department that returned it"),
            "reason": gettext_lazy("its reason"),
        },
        Audience.STAFF,
    ),
    Kind(
        "staff:case:reopen:rating",
        gettext_lazy("Case reopened: the submitter is not satisfied"),
        {"number": NUMBER},
        Audience.STAFF,
    ),
    Kind(
        "staff:case:reopen",
        gettext_lazy("Case reopened by a supervisor"),
        {"number": NUMBER, "reason": gettext_lazy("the supervisor's reason")},
        Audience.STAFF,
    ),
    Kind(
        "staff:case:supplement",
        gettext_lazy("The submitter wrote again"),
        {"number": NUMBER, "channel": gettext_lazy("the channel it came by (E-mail, Open311)")},
        Audience.STAFF,
    ),
    Kind(
        "staff:case:supplement:other",
        gettext_lazy("Someone else wrote about a case"),
        {"number": NUMBER, "channel": gettext_lazy("the channel it came by (E-mail, Open311)")},
        Audience.STAFF,
    ),
)
SAMPLE = {
    "number": "2026-000123",
    "lead": "市城市管理局",
    "department": "市住房和城乡建设局",
    "note": "请三日内处理",
    "reason": "不属于本单位职责",
    "channel": "电子邮件",
}


def register_kinds() -> None:
    register(KINDS, SAMPLE)


def case_url(case: Case) -> str:
    return public_url() + reverse("staff:case", kwargs={"pk": case.pk})


def is_emergency(case: Case) -> bool:
    """The analysis's urgency rules on the submitter's words: a notice about an emergency is urgent, and its e-mail
    is not held back by quiet hours (``notify.quiet``)."""
    submission = case.submission
    return rules.urgency(f"{submission.title} {submission.body}".strip()).level == "emergency"


def tell(
    users: Iterable[User],
    kind: str,
    facts: Mapping[str, object],
    compose: Compose,
    *,
    case: Case,
    key: str,
    actor: User | None = None,
) -> int:
    """Queue the notice ``kind`` to each of ``users`` (not to ``actor``: nobody is told what they did themselves), in
    each one's language, in its admin-edited template filled with ``facts`` or else as ``compose`` writes it, with the
    case's link under the text; urgent (not held by quiet hours) for an emergency. Returns how many messages were
    queued."""
    recipients = [user for user in users if actor is None or user.pk != actor.pk]
    if not recipients:
        return 0
    return tell_staff(
        recipients,
        kind,
        facts,
        compose,
        key=key,
        case_id=case.pk,
        urgent=is_emergency(case),
        footer=lambda: _("Open the case: %(url)s") % {"url": case_url(case)},
    )


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
    kind = "staff:case:redispatch" if action == Action.REDISPATCH else "staff:case:dispatch"
    tell(department_staff([lead]), kind, {**facts, "note": note}, to_lead, case=case, key=key, actor=actor)
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

        assist = {**facts, "note": note, "department": department.name}
        tell(
            department_staff([department]),
            "staff:case:assist",
            assist,
            to_assist,
            case=case,
            key=f"{key}:assist",
            actor=actor,
        )


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

    key = f"staff:case:{case.pk}:return:{event.pk}"
    tell(recipients, "staff:case:return", facts, compose, case=case, key=key, actor=actor)


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
    kind = "staff:case:reopen:rating" if action == Action.RATE_UNSATISFIED else "staff:case:reopen"
    tell(department_staff([case.lead_department]), kind, facts, compose, case=case, key=key, actor=actor)
