from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.cases.models import Case, Reply
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.vocab import Channel

from .models import FollowUp, Level, Rating

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
    """Pass the case's rating comments and the notes of its follow-up calls through ``mask``: the rater's personal
    data was erased (privacy.services)."""
    for rating in Rating.objects.filter(case=case).exclude(comment=""):
        rating.comment = mask(rating.comment)
        rating.save(update_fields=["comment"])
    for call in FollowUp.objects.filter(case=case).exclude(notes=""):
        call.notes = mask(call.notes)
        call.save(update_fields=["notes"])


def clean_rating(level: int | str | None, comment: str | None) -> tuple[int, str]:
    """A level of the five and a comment within the limit, or ``ValidationFailed`` field by field (the rules of
    ``rate``, for the ratings of windows and of phone follow-ups)."""
    errors: dict[str, list[str]] = {}
    try:
        value = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = 0
    if value not in Level.values:
        errors["level"] = [_("Choose one of the five ratings.")]
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": MAX_COMMENT}]
    if errors:
        raise ValidationFailed(errors)
    return value, comment


def unrated_reply(case: Case) -> Reply | None:
    """The case's latest reply when it has no rating yet and the case is replied or closed: what a phone follow-up
    may record a rating of."""
    if case.state not in (State.REPLIED, State.CLOSED):
        return None
    reply = case.replies.order_by("-created_at", "-id").first()
    if reply is None or reply.ratings.exists():
        return None
    return reply


@transaction.atomic
def rate_by_phone(case: Case, level: int | str | None, comment: str = "", *, user: User) -> Rating:
    """Record the rating the submitter gave on the phone (回访), channel "phone": it counts in the rates as a web
    rating does. A replied case moves as with a web rating (satisfied closes, unsatisfied reopens); a case closed
    without a rating (the window passed) keeps its state, the rating is recorded for the figures only."""
    level, comment = clean_rating(level, comment)
    case = Case.objects.select_for_update().get(pk=case.pk)
    reply = unrated_reply(case)
    if reply is None:
        raise Conflict(_("This case has no unrated reply: there is nothing to rate on this call."))
    rating = Rating.objects.create(
        case=case, reply=reply, level=level, comment=comment, channel=Channel.PHONE, created_at=timezone.now()
    )
    if case.state == State.REPLIED:
        data = {"rating": level, "rating_id": rating.pk, "channel": Channel.PHONE, "recorded_by": user.pk}
        moves.apply_rating(case, Level.is_satisfied(level), data=data)
    return rating
