"""The calendar-coverage warning for the staff header and the admin index (``sla/_calendar_warning.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from fankui.accounts import permissions

from ..services import calendars

register = template.Library()


@register.simple_tag
def calendar_warning(user: Any, in_admin: bool = False) -> calendars.Coverage | None:
    """The coverage when the known holidays are about to run out and ``user`` is one to tell (an administrator or
    a supervisor; anyone the admin site let in when ``in_admin``), else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not (in_admin or permissions.administers(user) or permissions.is_supervisor(user)):
        return None
    coverage = calendars.calendar_coverage()
    return coverage if coverage.warn else None
