"""Reads of 好差评 shared by pages, panels and the operators' call list. Scoped like everything else: a case's
rectifications, appeals and ratings are seen by those who see the case (``cases.queries.visible_cases``)."""

from __future__ import annotations

from django.db.models import QuerySet

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.cases.queries import visible_cases
from fankui.intake.files import Look

from .models import Appeal, Rating, RatingKind, Rectification
from .rates import BAD_LEVELS


def visible_rectifications(user: User) -> QuerySet[Rectification]:
    """Rectifications of the cases ``user`` may see; a department's own (those it answers for) when it has one."""
    qs = Rectification.objects.filter(case__in=visible_cases(user).values("pk"))
    if permissions.department_role(user):
        qs = qs.filter(permissions.department_filter(user, "department"))
    return qs.select_related("case", "department", "rating")


def visible_appeals(user: User) -> QuerySet[Appeal]:
    qs = Appeal.objects.filter(rating__case__in=visible_cases(user).values("pk"))
    if permissions.department_role(user):
        qs = qs.filter(permissions.department_filter(user, "department"))
    return qs.select_related("rating__case", "department", "filed_by", "decided_by")


def follow_ups_due(user: User) -> QuerySet[Rating]:
    """Real-name bad ratings of replies not yet followed up (回访), oldest first: the heart of the call list."""
    return (
        Rating.objects.filter(
            case__in=visible_cases(user).values("pk"),
            kind=RatingKind.REPLY,
            level__in=BAD_LEVELS,
            real_name=True,
            excluded=False,
            followed_up_at__isnull=True,
        )
        .select_related("case")
        .order_by("created_at", "id")
    )


def evidence_look(user: User, appeal_id: int) -> Look | None:
    """An appeal's evidence is seen by those who see the appeal (``intake.files``)."""
    appeal = visible_appeals(user).filter(pk=appeal_id).only("rating__case_id").first()
    return Look("appeal evidence", case_id=appeal.rating.case_id) if appeal else None
