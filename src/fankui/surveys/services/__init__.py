"""Every write of 好差评: ratings (here), rectifications, appeals, follow-ups and reminders (one module each).

Also here: the phone rating of 回访 (``rate_by_phone``, ``unrated_reply``) and ``clean_rating``, the checks of a
window's or a phone rating (一次一评, ``surveys.windows``). The functions callers use are re-exported here: ``rate``,
``rate_rectification``, ``open_rectification``,
``submit_rectification``, ``check_rectification``, ``file_appeal``, ``decide_appeal``, ``record_follow_up``,
``send_rating_reminders``. docs/surveys.md describes the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.audit.services import record_entry, record_event
from fankui.cases.models import Case, Reply
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.errors import Conflict, ValidationFailed
from fankui.core.vocab import Channel

from ..models import SUB_SCORES, Appeal, FollowUp, Level, Rating, RatingKind
from .tallies import counted

MAX_COMMENT = 2_000
MAX_TEXT = 4_000


def clean_level(value: Any, field: str = "level", *, required: bool = True) -> int | None:
    """One of the five levels; ``None`` for an empty optional one. Anything else is a ``ValidationFailed``."""
    if value in (None, "") and not required:
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ValidationFailed({field: [_("Choose one of the five ratings.")]})
    return level


def clean_scores(scores: Mapping[str, Any] | None) -> dict[str, int | None]:
    """The optional sub-scores (``models.SUB_SCORES``), each empty or one of the five levels; all problems at once."""
    scores = scores or {}
    clean: dict[str, int | None] = {}
    errors: dict[str, list[str]] = {}
    for name, _label in SUB_SCORES:
        try:
            clean[name] = clean_level(scores.get(name), name, required=False)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return clean


def clean_text(value: str | None, field: str, limit: int = MAX_TEXT, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [_("This field is required.")]})
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(n)d characters.") % {"n": limit}]})
    return text


def record_step(
    case: Case | None,
    action: str,
    *,
    target: str,
    actor: User | None = None,
    data: dict[str, Any],
    **event: Any,
) -> None:
    """The audit trail of a step of 好差评: an event on the case's timeline, or, for a window's or a person's rating
    (一次一评, no case), a general audit entry (``target`` names the row, e.g. "rectification:12"; ``data`` ids and
    codes only, the words stay in the row)."""
    if case is not None:
        record_event(case, action, actor=actor, data=data, **event)
    else:
        record_entry(action, actor=actor, actor_name="" if actor is not None else "system", target=target, data=data)


def is_real_name(case: Case) -> bool:
    """The submitter left a way to reach them: a bad rating of theirs is followed up (回访)."""
    submission = case.submission
    return not submission.anonymous and bool(submission.contact_phone_hash or submission.contact_email_hash)


def answering(case: Case) -> dict[str, int | None]:
    """The department and first-level category a rating of ``case`` counts for, as the case stands now (kept on the
    rating: ``Rating.department``, ``Rating.category``)."""
    category = case.category
    return {
        "department_id": case.lead_department_id,
        "category_id": (category.parent_id or category.pk) if category is not None else None,
    }


def _check_rating(
    level: int | str | None, comment: str, scores: Mapping[str, Any] | None
) -> tuple[int, str, dict[str, int | None]]:
    """The level, comment and sub-scores, checked together so that every problem is reported at once."""
    errors: dict[str, list[str]] = {}
    clean_level_value, clean_comment, clean_sub = 0, "", {}
    try:
        clean_level_value = clean_level(level) or 0
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        clean_comment = clean_text(comment, "comment", MAX_COMMENT)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        clean_sub = clean_scores(scores)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return clean_level_value, clean_comment, clean_sub


@transaction.atomic
def rate(case: Case, level: int | str | None, comment: str = "", scores: Mapping[str, Any] | None = None) -> Rating:
    """Record the submitter's rating of the latest reply, with optional sub-scores (``models.SUB_SCORES``); a good
    one closes the case, a bad one reopens it and opens a rectification (差评整改)."""
    level, comment, sub = _check_rating(level, comment, scores)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state != State.REPLIED:
        if case.state in (State.CLOSED, State.REOPENED) and case.ratings.exists():
            raise Conflict(_("This reply has already been rated. Thank you."))
        raise Conflict(_("There is no reply to rate yet."))
    reply = case.replies.order_by("-created_at", "-id").first()
    if reply is None:
        raise Conflict(_("There is no reply to rate yet."))
    rating = Rating.objects.create(
        case=case,
        reply=reply,
        level=level,
        comment=comment,
        real_name=is_real_name(case),
        created_at=timezone.now(),
        **answering(case),
        **sub,
    )
    counted(rating)
    if not rating.satisfied:
        from .rectifications import open_rectification

        # Before the move, so the rating's step stays the case's latest event and its reopen notice the latest.
        open_rectification(rating)
    # The comment stays in the rating's row (erasure masks it there); the event refers to it (``audit.labels``).
    moves.apply_rating(case, Level.is_satisfied(level), data={"rating": level, "rating_id": rating.pk})
    return rating


def replay_rating(case: Case, reply_id: int, level: int, at: datetime, comment: str = "") -> Rating:
    """Record a rating given in the past, for imports and the demo. The case's state is not touched here: the
    rating's workflow step is replayed with ``cases.services.history.replay``, which has already moved the case.
    No rectification is opened: the past is not rectified again."""
    if level not in Level.values:
        raise ValidationFailed({"level": [_("Choose one of the five ratings.")]})
    rating = Rating.objects.create(
        case=case,
        reply_id=reply_id,
        level=level,
        comment=comment.strip(),
        real_name=is_real_name(case),
        created_at=at,
        **answering(case),
    )
    counted(rating)
    return rating


def clean_rating(level: int | str | None, comment: str | None) -> tuple[int, str]:
    """A level of the five and a comment within the limit, or ``ValidationFailed`` field by field (the rules of
    ``rate`` without sub-scores, for the ratings of windows and of phone follow-ups)."""
    level, comment, _sub = _check_rating(level, comment or "", None)
    return level, comment


def unrated_reply(case: Case) -> Reply | None:
    """The case's latest reply when it has no rating yet and the case is replied or closed: what a phone follow-up
    may record a rating of."""
    if case.state not in (State.REPLIED, State.CLOSED):
        return None
    reply = case.replies.order_by("-created_at", "-id").first()
    if reply is None or reply.ratings.filter(kind=RatingKind.REPLY).exists():
        return None
    return reply


@transaction.atomic
def rate_by_phone(case: Case, level: int | str | None, comment: str = "", *, user: User) -> Rating:
    """Record the rating the submitter gave on the phone (回访), channel "phone": it counts in the rates as a web
    rating does. A replied case moves as with a web rating (satisfied closes, unsatisfied reopens and opens a
    rectification, 差评整改); a case closed without a rating (the window passed) keeps its state, the rating is
    recorded for the figures only."""
    level, comment = clean_rating(level, comment)
    case = Case.objects.select_for_update().get(pk=case.pk)
    reply = unrated_reply(case)
    if reply is None:
        raise Conflict(_("This case has no unrated reply: there is nothing to rate on this call."))
    rating = Rating.objects.create(
        case=case,
        reply=reply,
        level=level,
        comment=comment,
        channel=Channel.PHONE,
        real_name=is_real_name(case),
        created_at=timezone.now(),
        **answering(case),
    )
    counted(rating)
    if case.state == State.REPLIED:
        if not rating.satisfied:
            from .rectifications import open_rectification

            # Before the move, as ``rate`` does: the rating's step stays the case's latest event and notice.
            open_rectification(rating)
        data = {"rating": level, "rating_id": rating.pk, "channel": Channel.PHONE, "recorded_by": user.pk}
        moves.apply_rating(case, Level.is_satisfied(level), data=data)
    return rating


def mask_comments(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the words the rater said (rating comments, what they told a 回访 call) and the evidence about them
    through ``mask``: the rater's personal data was erased (privacy.services)."""
    for rating in Rating.objects.filter(case=case).exclude(comment=""):
        rating.comment = mask(rating.comment)
        rating.save(update_fields=["comment"])
    for follow_up in FollowUp.objects.filter(case=case).exclude(notes=""):
        follow_up.notes = mask(follow_up.notes)
        follow_up.save(update_fields=["notes"])
    for appeal in Appeal.objects.filter(rating__case=case):
        appeal.evidence = mask(appeal.evidence)
        appeal.save(update_fields=["evidence"])


from .appeals import decide_appeal, file_appeal  # noqa: E402
from .follow_ups import record_follow_up  # noqa: E402
from .rectifications import check_rectification, open_rectification, rate_rectification, submit_rectification  # noqa: E402
from .reminders import send_rating_reminders  # noqa: E402

__all__ = [
    "MAX_COMMENT",
    "RatingKind",
    "answering",
    "check_rectification",
    "clean_level",
    "clean_rating",
    "clean_scores",
    "counted",
    "decide_appeal",
    "file_appeal",
    "mask_comments",
    "open_rectification",
    "rate",
    "rate_by_phone",
    "rate_rectification",
    "record_follow_up",
    "replay_rating",
    "send_rating_reminders",
    "submit_rectification",
    "unrated_reply",
]
