"""回访: a call to the person behind a rating or a case, and what they said.

``record_follow_up(target, user, outcome, notes="", level=None)`` is the one door (the operators' call list calls
it): ``target`` is a ``Rating`` or a ``Case`` (then its latest rating of a reply, if any). A call that reached the
person marks a rating followed up (``Rating.followed_up_at``, the numerator of 回访率 for real-name bad ratings).
"""

from __future__ import annotations

from copy import copy
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.audit.services import record_event
from fankui.cases.models import Case
from fankui.core.errors import PermissionDenied, ValidationFailed

from ..models import FollowUp, Rating, RatingKind
from . import clean_level, clean_text
from .tallies import counted

# The outcomes that follow a rating up (回访率): the call reached the person, who talked or declined to talk. An
# unreachable number is tried again; the call list keeps the rating until one of these (``queries.follow_ups_due``).
FOLLOWED_UP = (FollowUp.Outcome.REACHED, FollowUp.Outcome.DECLINED)


def may_follow_up(user: User, case: Case | None) -> bool:
    """The 12345 centre (it calls anyone back), or the department leading the case."""
    if permissions.is_centre(user):
        return True
    return case is not None and permissions.in_department(user, case.lead_department)


@transaction.atomic
def record_follow_up(target: Rating | Case, user: User, outcome: str, notes: str = "", level: Any = None) -> FollowUp:
    """Record one 回访 call about ``target`` (a rating, or a case: its latest rating of a reply). ``outcome`` is a
    ``FollowUp.Outcome`` ("reached", "unreachable", "declined"); ``notes`` what the person said; ``level`` the
    rating they gave on the phone (1..5, optional; kept on the call, it does not replace the rating). A call that
    reached the person marks the rating followed up, once. Raises ``ValidationFailed`` (422) field by field,
    ``PermissionDenied`` (403) for someone who may not call about this case."""
    if isinstance(target, Rating):
        rating: Rating | None = Rating.objects.select_for_update(of=("self",)).select_related("case").get(pk=target.pk)
        case = rating.case if rating is not None else None
    else:
        case = target
        rating = (
            Rating.objects.select_for_update()
            .filter(case=case, kind=RatingKind.REPLY)
            .order_by("-created_at", "-id")
            .first()
        )
    if not may_follow_up(user, case):
        raise PermissionDenied(_("You may not follow up this case."))
    errors: dict[str, list[str]] = {}
    if outcome not in FollowUp.Outcome.values:
        errors["outcome"] = [_("Say whether the call reached the person.")]
    clean: dict[str, Any] = {}
    for field, check in (
        ("notes", lambda: clean_text(notes, "notes")),
        ("level", lambda: clean_level(level, "level", required=False)),
    ):
        try:
            clean[field] = check()
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    follow_up = FollowUp.objects.create(
        rating=rating, case=case, user=user, outcome=outcome, notes=clean["notes"], level=clean["level"], created_at=now
    )
    if rating is not None and outcome in FOLLOWED_UP and rating.followed_up_at is None:
        before = copy(rating)
        rating.followed_up_at = now
        rating.save(update_fields=["followed_up_at"])
        counted(rating, before)
    if case is not None:
        data = {"follow_up_id": follow_up.pk, "outcome": outcome}
        if rating is not None:
            data["rating_id"] = rating.pk
        if clean["level"]:
            data["level"] = clean["level"]
        record_event(case, "follow_up", actor=user, data=data)
    return follow_up
