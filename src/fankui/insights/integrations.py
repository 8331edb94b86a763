"""Figures owned by other apps (SLA deadlines, improvement actions). Each returns a Section that says plainly
"not available" when the app does not provide the figures, never a made-up number."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .tables import Section

if TYPE_CHECKING:
    from .periods import Period
    from .queries import Scope


def _unavailable(key: str, title: str, what: str) -> Section:
    return Section(
        key,
        title,
        note=_("Not available: %(what)s are not recorded by this installation yet.") % {"what": what},
        available=False,
    )


def on_time(scope: Scope, period: Period) -> Section:
    return _unavailable("on_time", _("On-time rates"), _("deadlines (SLA)"))


def overdue(scope: Scope, period: Period) -> Section:
    return _unavailable("overdue", _("Overdue and supervised cases"), _("deadlines and supervision (SLA)"))


def actions(scope: Scope, period: Period) -> Section:
    return _unavailable("actions", _("Improvement actions"), _("improvement actions"))
