"""Template tags of the SLA panels, so that the case and tracking views need not know about deadlines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.queries import find_by_code

from .. import queries, services
from ..forms import DecisionForm, ExtensionForm, InstructionForm, QuestionForm, ResumeForm
from ..models import InfoRequest

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(m)d min") % {"m": minutes}


@register.filter
def time_left(deadline: dt.datetime | None) -> str:
    """ "2 d 3 h left" or "overdue by 5 h 0 min", in calendar time (what a person plans with)."""
    if deadline is None:
        return ""
    seconds = (deadline - timezone.now()).total_seconds()
    if seconds >= 0:
        return _("%(span)s left") % {"span": _span(seconds)}
    return _("overdue by %(span)s") % {"span": _span(-seconds)}


@register.simple_tag
def sla_colour(deadline: dt.datetime | None, yellow_at: dt.datetime | None) -> str:
    return queries.colour(deadline, yellow_at)


@register.simple_tag
def sla_case_panel(case: Case, user: User) -> dict[str, Any]:
    panel = queries.case_panel(case)
    return {
        "panel": panel,
        **services.offered_steps(user, case, panel),
        "question_form": QuestionForm(auto_id="sla_ask_%s"),
        "resume_form": ResumeForm(auto_id="sla_resume_%s"),
        "extension_form": ExtensionForm(auto_id="sla_extend_%s"),
        "decision_form": DecisionForm(auto_id="sla_decide_%s"),
        "instruction_form": InstructionForm(auto_id="sla_supervise_%s"),
    }


@register.simple_tag
def sla_track(tracking_code: str) -> dict[str, Any] | None:
    case = find_by_code(tracking_code)
    if case is None:
        return None
    followed = case.merged_into if case.merged_into_id and case.merged_into else case
    if not services.awaits_work(followed):
        return None
    return {
        "deadline": queries.public_deadline(followed),
        "question": InfoRequest.objects.filter(case=followed, resumed_at__isnull=True).first(),
        "own": followed.pk == case.pk,
    }
