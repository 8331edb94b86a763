"""Every write of the SLA app, one module a job:

- ``clocks``: which policy matches a case, the clocks that follow it through ``cases.signals`` (started and stopped
  in the transaction of the move, so a rolled-back move leaves no clock behind), deadlines recomputed;
- ``lookups``: the policies and calendars, kept by each process until the database says they changed;
- ``calendars``: the working calendar's days and years, and imports of published holiday lists;
- ``waiting``: a question to the citizen pauses the clocks until an answer or a timeout;
- ``extensions`` (延期) and ``supervision`` (督办).

This module holds what they share: who may pause, extend and supervise (and which of those steps a case's page
offers), and the checks of typed text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Role, User
from fankui.cases.models import Case
from fankui.cases.workflow import State
from fankui.core.errors import ValidationFailed

from ..models import Stage
from ..queries import CasePanel

MAX_TEXT = 10_000
MAX_EXTENSION_DAYS = 60


# --- Checks -----------------------------------------------------------------------------------------------------
def required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(value) > MAX_TEXT:
        raise ValidationFailed({field: [_("At most %(n)d characters.") % {"n": MAX_TEXT}]})
    return value


# --- Who may (accounts.permissions) ------------------------------------------------------------------------------
def may_pause(user: User, case: Case) -> bool:
    """Ask the submitter for information (pausing the clocks) and resume: the lead department, dispatchers and
    supervisors."""
    return (
        permissions.in_department(user, case.lead_department)
        or permissions.is_supervisor(user)
        or permissions.role(user) == Role.DISPATCHER
    )


def may_extend(user: User, case: Case) -> bool:
    """Ask for more time: the lead department (a head's subtree)."""
    return permissions.in_department(user, case.lead_department)


def may_supervise(user: User) -> bool:
    """Decide on extensions and put cases under supervision (督办)."""
    return permissions.is_supervisor(user)


def awaits_work(case: Case) -> bool:
    """A case whose clocks a question to the submitter may pause: open, and not answered yet."""
    return case.state not in State.terminal() and case.state != State.REPLIED


def offered_steps(user: User, case: Case, panel: CasePanel) -> dict[str, bool]:
    """Which of the SLA's steps the case page (``panel``, what ``queries.case_panel`` read) offers ``user``; the
    services refuse the others: ask the submitter, resume, ask for more time, decide on an extension, supervise."""
    open_case = case.state not in State.terminal()
    open_request, pending_extension = panel.info_request is not None, panel.pending_extension is not None
    reply_clock_running = any(v.clock.stage in (Stage.REPLY, Stage.RECTIFY, Stage.CLOSE) for v in panel.running)
    pauses, supervisor = may_pause(user, case), may_supervise(user)
    return {
        "can_ask": pauses and awaits_work(case) and not open_request,
        "can_resume": pauses and open_request,
        "can_extend": may_extend(user, case) and open_case and reply_clock_running and not pending_extension,
        "can_decide": supervisor and pending_extension,
        "can_supervise": supervisor and open_case,
    }
