"""Every write of the SLA app, one module a job:

- ``clocks``: which policy matches a case, the clocks that follow it through ``cases.signals`` (started and stopped
  in the transaction of the move, so a rolled-back move leaves no clock behind), deadlines recomputed;
- ``lookups``: the policies and calendars, read once per operation;
- ``calendars``: the working calendar's days and years, and imports of published holiday lists;
- ``waiting``: a question to the citizen pauses the clocks until an answer or a timeout;
- ``extensions`` (延期) and ``supervision`` (督办).

This module holds what they share: who may pause, extend and supervise, and the checks of typed text.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Role, User
from fankui.cases.models import Case
from fankui.core.errors import ValidationFailed

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
