"""Data for the include panels on pages this app does not own (staff case page, tracking page, topic page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy

from fankui.actions import services
from fankui.actions.models import Action, ProgressUpdate, State
from fankui.cases.models import Case

register = template.Library()

EVENT_LABELS = {
    "created": gettext_lazy("Created"),
    "approve": gettext_lazy("Approved"),
    "start": gettext_lazy("Started"),
    "complete": gettext_lazy("Done"),
    "verify": gettext_lazy("Effect verified"),
    "abandon": gettext_lazy("Abandoned"),
    "progress": gettext_lazy("Progress posted"),
    "linked": gettext_lazy("Cases linked"),
    "unlinked": gettext_lazy("Case unlinked"),
    "topic_cases_linked": gettext_lazy("New cases of the topic linked"),
    "deadline_near": gettext_lazy("Deadline near: owner warned"),
    "deadline_missed": gettext_lazy("Deadline missed: owner warned"),
    "milestone_near": gettext_lazy("Milestone near: owner warned"),
    "milestone_missed": gettext_lazy("Milestone missed: owner warned"),
}


@register.filter
def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


@register.simple_tag(takes_context=True)
def case_actions(context: template.Context, case: Case) -> list[Action]:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        services.visible_actions(user)
        .filter(links__case=case)
        .select_related("owner", "department")
        .order_by("-created_at")[:20]
    )


@register.simple_tag
def tracked_actions(tracking_code: str) -> list[Action]:
    """Actions answering the citizen's request (or the case it was merged into), once decided: not drafts."""
    case = Case.objects.filter(tracking_code=tracking_code).only("pk", "merged_into_id").first()
    if case is None:
        return []
    ids = [case.pk] + ([case.merged_into_id] if case.merged_into_id else [])
    public_updates = ProgressUpdate.objects.filter(public=True).order_by("-created_at", "-id")
    return list(
        Action.objects.filter(Q(links__case_id__in=ids))
        .exclude(state=State.DRAFT)
        .select_related("department")
        .prefetch_related("milestones", Prefetch("updates", queryset=public_updates, to_attr="public_updates"))
        .distinct()
        .order_by("-created_at")[:10]
    )


@register.simple_tag(takes_context=True)
def topic_actions(context: template.Context, topic: Any) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or topic is None:
        return {"actions": [], "can_create": False}
    actions = services.visible_actions(user).filter(topic=topic).select_related("owner").order_by("-created_at")
    return {"actions": list(actions[:20]), "can_create": services.can_create(user)}
