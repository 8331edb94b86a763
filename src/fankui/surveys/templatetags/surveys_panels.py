"""Data for the include panels on pages this app does not own: the staff case page and the tracking page."""

from __future__ import annotations

from typing import Any

from django import template

from fankui.cases.models import Case
from fankui.core.vocab import Level

from ..models import SUB_SCORES, Appeal, FollowUp, Rectification
from ..services import appeals, follow_ups, rectifications

register = template.Library()


@register.simple_tag(takes_context=True)
def case_goodbad(context: template.Context, case: Case) -> dict[str, Any]:
    """The case's rectifications, appeals and follow-up calls, and which ratings the user may appeal. The case page
    only includes this for a case the user may see (``cases.queries.visible_cases``)."""
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    ratings = list(case.ratings.order_by("created_at", "id"))
    pending = set(Appeal.objects.filter(rating__case=case, state=Appeal.State.PENDING).values_list("rating", flat=True))
    return {
        "rectifications": list(
            Rectification.objects.filter(case=case).select_related("department").order_by("created_at", "id")
        ),
        "appeals": list(Appeal.objects.filter(rating__case=case).order_by("-filed_at", "-id")),
        "follow_ups": list(FollowUp.objects.filter(case=case).select_related("user").order_by("-created_at", "-id")),
        "appealable": [
            r
            for r in ratings
            if not r.satisfied and not r.excluded and r.pk not in pending and appeals.may_appeal(user, r)
        ],
        "may_follow_up": follow_ups.may_follow_up(user, case),
    }


@register.simple_tag
def tracked_rectification(tracking_code: str) -> dict[str, Any]:
    """What the citizen sees of the rectification of their bad rating: once checked and reported, what was done,
    and the form to rate it while not rated."""
    case = Case.objects.filter(tracking_code=tracking_code).first()
    if case is None:
        return {}
    done = list(
        Rectification.objects.filter(case=case, state=Rectification.State.DONE)
        .prefetch_related("ratings")
        .order_by("checked_at", "id")
    )
    return {
        "done": done,
        "awaiting": rectifications.awaiting_rating(case),
        "levels": Level.choices,
        "dimensions": [(name, str(label)) for name, label in SUB_SCORES],
        "open": Rectification.objects.filter(case=case).exclude(state=Rectification.State.DONE).first(),
    }


@register.filter
def level_label(level: int | None) -> str:
    return str(Level(level).label) if level in Level.values else ""
