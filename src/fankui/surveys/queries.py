"""Reads of 好差评 shared by pages, panels, the staff API and the operators' call list. Scoped like everything else:
a case's rectifications, appeals and ratings are seen by those who see the case (``cases.queries.visible_cases``);
those of a window's or a person's rating (一次一评, no case) by organisation-wide roles and by the department the
rating was given to (a head: their subtree), as the windows' figures are (``windows.visible_ratings``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.cases.queries import visible_cases
from fankui.intake.files import Look
from fankui.nlp import masking

from .models import Appeal, Rating, Rectification
from .rates import BAD_LEVELS, valid


def _caseless(user: User, department: str) -> Q:
    """Rows of a window's or a person's rating (no case) ``user`` may see, by the department field ``department``:
    every one for organisation-wide roles, else their department's (a head's subtree); none for anyone else."""
    if permissions.is_organisation_wide(user):
        return Q()
    return permissions.department_filter(user, department)


def visible_ratings(user: User) -> QuerySet[Rating]:
    """Ratings ``user`` may see: of the cases they may see, and of the windows and staff of their departments."""
    of_cases = Q(case__in=visible_cases(user).values("pk"))
    of_windows = Q(case__isnull=True) & _caseless(user, "department")
    return Rating.objects.filter(of_cases | of_windows).select_related("case", "service_point", "staff")


def visible_rectifications(user: User) -> QuerySet[Rectification]:
    """Rectifications of the cases ``user`` may see and of the window ratings of their departments; a department's
    own (those it answers for) when it has one."""
    of_cases = Q(case__in=visible_cases(user).values("pk"))
    qs = Rectification.objects.filter(of_cases | (Q(case__isnull=True) & _caseless(user, "department")))
    if permissions.department_role(user):
        qs = qs.filter(permissions.department_filter(user, "department"))
    return qs.select_related("case", "department", "rating__case__submission", "rating__service_point", "rating__staff")


def visible_appeals(user: User) -> QuerySet[Appeal]:
    """Appeals against the ratings ``user`` may see (``visible_ratings``); a department's own when it has one."""
    of_cases = Q(rating__case__in=visible_cases(user).values("pk"))
    qs = Appeal.objects.filter(of_cases | (Q(rating__case__isnull=True) & _caseless(user, "department")))
    if permissions.department_role(user):
        qs = qs.filter(permissions.department_filter(user, "department"))
    return qs.select_related(
        "rating__case__submission", "rating__service_point", "rating__staff", "department", "filed_by", "decided_by"
    )


def masked_comment(rating: Rating) -> str:
    """A rater's words with personal data masked, the name the submitter gave included (as the case page masks the
    citizen's words for those who may not read them, ``cases.queries.CitizenWords``): what staff read of a rating
    outside its case page, so that reading it is no look at personal data. Without the name, a reporter (举报) who
    signed their rating would be named to the department the report is about."""
    if not rating.comment:
        return ""
    names: list[str] = []
    if rating.case is not None:
        name = rating.case.submission.contact_name
        names = [name] if name else []
    return masking.mask(rating.comment, names).text


def follow_ups_due(user: User) -> QuerySet[Rating]:
    """Real-name bad ratings of replies not yet followed up (回访), oldest first: the heart of the call list. Valid
    as the rates count them (``rates.valid``), so the call list and the 回访率 agree."""
    return (
        valid()
        .filter(
            case__in=visible_cases(user).values("pk"),
            level__in=BAD_LEVELS,
            real_name=True,
            followed_up_at__isnull=True,
        )
        .select_related("case")
        .order_by("created_at", "id")
    )


def evidence_look(user: User, appeal_id: int) -> Look | None:
    """An appeal's evidence is seen by those who see the appeal (``intake.files``)."""
    appeal = visible_appeals(user).filter(pk=appeal_id).only("rating__case_id").first()
    return Look("appeal evidence", case_id=appeal.rating.case_id) if appeal else None
