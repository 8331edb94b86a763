from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.errors import Conflict, ValidationFailed

from .models import Level, Rating

MAX_COMMENT = 2_000


@transaction.atomic
def rate(case: Case, level: int | str | None, comment: str = "") -> Rating:
    """Record the submitter's rating of the latest reply; a good one closes the case, a bad one reopens it."""
    try:
        level = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ValidationFailed({"level": [_("Choose one of the five ratings.")]})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed({"comment": [_("At most %(n)d characters.") % {"n": MAX_COMMENT}]})
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state != State.REPLIED:
        if case.state in (State.CLOSED, State.REOPENED) and case.ratings.exists():
            raise Conflict(_("This reply has already been rated. Thank you."))
        raise Conflict(_("There is no reply to rate yet."))
    reply = case.replies.order_by("-created_at", "-id").first()
    if reply is None:
        raise Conflict(_("There is no reply to rate yet."))
    rating = Rating.objects.create(case=case, reply=reply, level=level, comment=comment, created_at=timezone.now())
    # The comment stays in the rating's row (erasure masks it there); the event refers to it (``audit.labels``).
    moves.apply_rating(case, Level.is_satisfied(level), data={"rating": level, "rating_id": rating.pk})
    return rating


def replay_rating(case: Case, reply_id: int, level: int, at: datetime, comment: str = "") -> Rating:
    """Record a rating given in the past, for imports and the demo. The case's state is not touched here: the
    rating's workflow step is replayed with ``cases.services.history.replay``, which has already moved the case."""
    if level not in Level.values:
        raise ValidationFailed({"level": [_("Choose one of the five ratings.")]})
    return Rating.objects.create(case=case, reply_id=reply_id, level=level, comment=comment.strip(), created_at=at)


def mask_comments(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the case's rating comments through ``mask``: the rater's personal data was erased (privacy.services)."""
    for rating in Rating.objects.filter(case=case).exclude(comment=""):
        rating.comment = mask(rating.comment)
        rating.save(update_fields=["comment"])
