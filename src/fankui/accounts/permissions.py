"""Who may see or do what: the one place that decides it. Services, queries, pages, the API and templates ask here.

Every member of staff acts in one role (``User.role``). A superuser without a role acts as an administrator; a
superuser who was given a role acts in that role, like everybody else (the role is what the organisation chose for
the person; being a superuser only opens the Django admin). Inactive and anonymous users have no role.

Scope: organisation-wide roles work on everything; a handler works on their department's cases, a department head on
those of their department and every department below it (``Department.path`` makes that one prefix match).

Personal data by need: seeing a case does not mean seeing who sent it. Contact details, unmasked text and attachments
are each decided per case (``may_see_contact``, ``may_read_text``, ``may_open_attachments``); a 举报's reporter is
hidden from the department it is dispatched to. docs/security.md has the table.

The workflow tables (``cases.workflow``, ``actions.workflow``) say which role may take which step; the apps combine
them with ``role`` and ``in_department`` here, so no rule about roles or departments is written twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django_otp import user_has_device

from fankui.core.vocab import Kind

from .models import DEPARTMENT_ROLES, Department, Role

# Roles that work across the whole organisation: they see every case, action and figure.
ORGANISATION_WIDE = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
# Triage: accepting and dispatching what arrives.
TRIAGE = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
# Supervision: deadlines' extensions, 督办, the report runs.
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
# The audit trail's search page (/staff/audit/): auditors, and administrators, who answer for the system.
AUDIT_READERS = frozenset({Role.AUDITOR, Role.ADMIN})


def role(user: Any) -> str:
    """The role ``user`` acts in, or "" (anonymous, inactive, or no role yet)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ""
    if user.role:
        return str(user.role)
    return Role.ADMIN if user.is_superuser else ""


def is_staff(user: Any) -> bool:
    """May use the staff pages and the staff API (a user without a role is told to ask for one)."""
    return role(user) != ""


def has_role(user: Any, roles: frozenset[str] | set[str]) -> bool:
    return role(user) in roles


def is_organisation_wide(user: Any) -> bool:
    return role(user) in ORGANISATION_WIDE


def works_triage(user: Any) -> bool:
    return role(user) in TRIAGE


def is_supervisor(user: Any) -> bool:
    return role(user) in SUPERVISORS


def administers(user: Any) -> bool:
    """May open the Django admin (reference data, users, calendars)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser) or (
        role(user) == Role.ADMIN
    )


def department_role(user: Any) -> bool:
    """Works for one department (a handler) or a subtree (a department head), and has that department."""
    return role(user) in DEPARTMENT_ROLES and user.department_id is not None


def in_department(user: Any, department: Department | None) -> bool:
    """``department`` is the user's own, or for a department head one below it; only department roles have one."""
    if department is None or not department_role(user):
        return False
    if role(user) == Role.DEPT_HEAD:
        return bool(department.path.startswith(user.department.path))
    return bool(department.pk == user.department_id)


def department_filter(user: Any, field: str) -> Q:
    """The rows whose department ``field`` (a relation to ``Department``) is in the user's department, or for a
    head in their subtree: ``in_department`` as a query. Matches nothing for users without a department role."""
    if not department_role(user):
        return Q(pk__in=[])
    if role(user) == Role.DEPT_HEAD:
        # The subtree's departments as a subquery (`IN (SELECT id ...)`), run once, rather than a join to every row's
        # department: the case lists of a head read far fewer rows (bench/README.md, `fankui bench security`).
        return Q(**{f"{field}__in": Department.objects.filter(path__startswith=user.department.path).values("pk")})
    return Q(**{f"{field}_id": user.department_id})


def visible_departments(user: Any) -> Q:
    """The departments whose figures ``user`` may see (a filter on ``Department``): all for organisation-wide
    roles, otherwise those ``in_department``."""
    if is_organisation_wide(user):
        return Q()
    if not department_role(user):
        return Q(pk__in=[])
    if role(user) == Role.DEPT_HEAD:
        return Q(path__startswith=user.department.path)
    return Q(pk=user.department_id)


# Approving what of citizens' words reaches the public pages (a hot topic's label on the board): a decision about
# publishing, taken by those who answer for the organisation's public face.
PUBLISHERS = SUPERVISORS


def may_approve_for_public(user: Any) -> bool:
    """May approve a hot topic's label for the public board, or withdraw that approval."""
    return role(user) in PUBLISHERS


# Bulk import of files of requests (history from an earlier system): it writes many cases at once, so it is left to
# those who answer for the system and its data (docs/imports.md).
IMPORTERS = SUPERVISORS


def may_import(user: Any) -> bool:
    """May run imports of files (the staff page /staff/imports/), see their reports and cancel them."""
    return role(user) in IMPORTERS


def must_use_two_factor(user: Any) -> bool:
    """Must give a code from an authenticator app after the password: the roles of ``FANKUI_TWO_FACTOR_ROLES``
    (administrators and supervisors by default; a superuser counts as an administrator)."""
    roles = set(settings.FANKUI_TWO_FACTOR_ROLES)
    if not roles or user is None or not user.is_authenticated:
        return False
    return role(user) in roles or (Role.ADMIN in roles and bool(user.is_superuser))


def two_factor_step(user: Any) -> str:
    """What a signed-in user still owes before any staff page opens: "verify" (give the code of their enrolled
    authenticator; whoever enrolled is always asked), "enrol" (their role requires one and they have none), or ""."""
    if user is None or not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return ""
    if user_has_device(user, confirmed=True):
        return "verify"
    return "enrol" if must_use_two_factor(user) else ""


# --- Personal data by need (PIPL) ---------------------------------------------------------------------------------
# The 12345 centre: the people who take the call, triage it and supervise its handling. They may have to call anyone
# back, so they see every submitter's contact details and words, a 举报's reporter included (each look recorded).
# Analysts and administrators are organisation-wide too, but their work needs no one's identity: they read masked
# text and never see contact details.
CENTRE = frozenset({Role.DISPATCHER, Role.SUPERVISOR})


def is_centre(user: Any) -> bool:
    return role(user) in CENTRE


def is_report(case: Any) -> bool:
    """A 举报, as the case stands or as the submitter said when sending it: a reclassification never exposes a
    person who came forward as a whistle-blower."""
    return bool(case.kind == Kind.REPORT or case.submission.kind == Kind.REPORT)


def works_case(user: Any, case: Any) -> bool:
    """The user's department leads the case or assists it (a head's: one of their subtree)."""
    if not department_role(user):
        return False
    if in_department(user, case.lead_department):
        return True
    return any(in_department(user, d) for d in case.assist_departments.all())


def may_see_contact(user: Any, case: Any) -> bool:
    """May read how to reach the case's submitter (name, phone, e-mail, address): the centre always; the lead
    department, which replies, except on a 举报, whose reporter is hidden from the department it is about. Each look
    is recorded by the page or endpoint that shows them (``audit.services.record_access``)."""
    if is_centre(user):
        return True
    return not is_report(case) and in_department(user, case.lead_department)


def contact_filter(user: Any) -> Q:
    """The cases (a filter on ``cases.Case``) whose contact details ``user`` may see, ``may_see_contact`` as a query:
    a search by a caller's phone number looks only among them, or it would tell a department who sent a 举报 (and
    an analyst who wrote what)."""
    if is_centre(user):
        return Q()
    if not department_role(user):
        return Q(pk__in=[])
    return department_filter(user, "lead_department") & ~Q(kind=Kind.REPORT) & ~Q(submission__kind=Kind.REPORT)


def may_read_text(user: Any, case: Any) -> bool:
    """May read the case's title and text as written, personal data unmasked: the centre, and the departments that
    work the case (lead and assisting) unless it is a 举报. Everyone else who sees the case reads the text with
    personal data masked (``fankui.nlp.masking``)."""
    if is_centre(user):
        return True
    return not is_report(case) and works_case(user, case)


def may_open_attachments(user: Any, case: Any) -> bool:
    """May open the case's photos and documents, which cannot be masked: the centre and the departments that work
    the case (a 举报's evidence too: it is what the department investigates). Analysts and administrators may not."""
    return is_centre(user) or works_case(user, case)


# The operator's desk (话务员工作台, ``fankui.desk``): the 12345 centre's people who take calls and visitors at its
# windows. Fankui has no separate "operator" role: an operator sees every caller's contact details and earlier cases
# and opens and answers cases exactly as a dispatcher does, so the dispatcher role covers them (docs/desk.md).
# Supervisors take calls when the queue is long; administrators open it to set it up and train people, without the
# callers' earlier cases (``contact_filter``) or the answer at first contact (the workflow's table). Departments'
# handlers and heads never take calls.
DESK_USERS = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


def may_use_desk(user: Any) -> bool:
    """May open the operator's desk and record a call or a visit there."""
    return role(user) in DESK_USERS


def reads_audit_trail(user: Any) -> bool:
    """May search the audit trail (each search is itself recorded)."""
    return role(user) in AUDIT_READERS


def only_audits(user: Any) -> bool:
    """An auditor: reads the audit trail, works no case (sees none, so takes no step on one)."""
    return role(user) == Role.AUDITOR


# 一次一评 (``fankui.surveys.windows``): a window's or a staff member's QR poster is printed by the staff of the
# department that serves there (a head: of their subtree), or by anyone organisation-wide who runs the halls.
def may_print_window_posters(user: Any, department: Department | None) -> bool:
    """May see the window's or person's rating link and figures and download its poster (PNG, SVG, PDF)."""
    return is_organisation_wide(user) or in_department(user, department)


# 回访 (phone follow-ups, ``fankui.surveys.followups``): the centre's operators, who call people back anyway and see
# every submitter's contact details (each look recorded). Departments do not call; analysts and administrators see
# no contact details, so a call list would be of no use to them.
FOLLOW_UP_CALLERS = CENTRE


def may_follow_up(user: Any) -> bool:
    """May open the call list of 回访 and record what a person said on the phone."""
    return role(user) in FOLLOW_UP_CALLERS
