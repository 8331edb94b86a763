"""回访: the operators' phone follow-ups. A call list (replied cases still unrated, real-name bad ratings not yet
followed up, and a daily random sample of closed cases) and what a call recorded: a ``FollowUp`` row (reached,
unreachable, declined, with notes) through ``services.record_follow_up`` (which marks the rating followed up when
the person was reached, whether they talked or declined: the 回访率) and, when the person gave one, a rating through
``services.rate_by_phone``.

The bad ratings on the list are ``queries.follow_ups_due``, the same ratings the 回访率 counts as not yet followed
up; "unreachable" keeps one on the list for the next try. Contact details are shown by the rules of
``accounts.permissions`` (``may_see_contact``): masked on the list, as written on the call page, where each look is
an ``audit.Access`` row.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.queries import for_list, shown_title, visible_cases
from fankui.cases.workflow import State
from fankui.core.errors import PermissionDenied, ValidationFailed
from fankui.notify.models import masked_address

from .models import FollowUp, Rating, RatingKind
from .queries import follow_ups_due
from .rates import BAD_LEVELS
from .services import rate_by_phone, record_follow_up
from .services.follow_ups import FOLLOWED_UP

# A follow-up is done when the person answered, or said they do not want to talk; "unreachable" is tried again.
DONE = FOLLOWED_UP
# The sample is drawn among the cases closed in these days before today.
SAMPLE_DAYS = 30
# Each part of the list shows at most this many rows (the oldest first): a day's work, not the whole backlog.
PART_ROWS = 100

REASONS = {
    "unrated": gettext_lazy("Replied, not rated"),
    "bad": gettext_lazy("Bad rating"),
    "sample": gettext_lazy("Random sample"),
}


@dataclass
class Call:
    case: Case
    reason: str
    title: str
    phone: str  # masked: 138****5678; a masked e-mail address when the person left no number
    since: datetime | None  # replied, rated, or closed at
    rating: Rating | None = None  # the bad rating to follow up
    done: bool = False  # the sample stays the same all day: a row already called says so

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


@dataclass
class CallList:
    unrated: list[Call]
    bad: list[Call]
    sample: list[Call]
    day: date
    bad_due: int = 0  # every bad rating still to follow up (the list shows the oldest PART_ROWS)


def _reachable(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Cases whose submitter left a phone number and did not ask to stay anonymous."""
    return cases.exclude(submission__anonymous=True).exclude(submission__contact_phone_hash="")


def _call(case: Case, user: User, reason: str, since: datetime | None, **kwargs: object) -> Call:
    submission = case.submission
    address = (submission.contact_phone or submission.contact_email) if permissions.may_see_contact(user, case) else ""
    return Call(case, reason, shown_title(case, user), masked_address(address), since, **kwargs)  # type: ignore[arg-type]


def call_list(user: User, today: date | None = None) -> CallList:
    """The operator's calls for ``today`` (the site's date): every part scoped by ``visible_cases``."""
    today = today or timezone.localdate()
    cases = _reachable(visible_cases(user))
    done_since_reply = FollowUp.objects.filter(
        case=OuterRef("pk"), created_at__gte=OuterRef("replied_at"), outcome__in=DONE
    )
    unrated = for_list(cases.filter(state=State.REPLIED)).filter(~Exists(done_since_reply)).order_by("replied_at", "id")
    # Every real-name bad rating not yet followed up, as the 回访率 counts them (a number or an e-mail address left).
    due = follow_ups_due(user)
    bad = due.select_related("case__submission", "case__analysis")
    return CallList(
        unrated=[_call(c, user, "unrated", c.replied_at) for c in unrated[:PART_ROWS]],
        bad=[_call(r.case, user, "bad", r.created_at, rating=r) for r in bad[:PART_ROWS] if r.case is not None],
        sample=_sample(user, cases, today),
        day=today,
        bad_due=due.count(),
    )


def sample_ids(cases: QuerySet[Case], today: date, size: int) -> list[int]:
    """``size`` cases closed in the ``SAMPLE_DAYS`` days before ``today``, drawn at random with the day as the seed:
    the same draw all day (a list opened again, by another operator, shows the same cases), a new one tomorrow."""
    if size <= 0:
        return []
    tz = timezone.get_current_timezone()
    end = datetime.combine(today, time.min, tzinfo=tz)
    start = end - timedelta(days=SAMPLE_DAYS)
    ids = sorted(cases.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end).values_list("pk", flat=True))
    return sorted(random.Random(today.isoformat()).sample(ids, min(size, len(ids))))


def _sample(user: User, cases: QuerySet[Case], today: date) -> list[Call]:
    ids = sample_ids(cases, today, settings.FANKUI_FOLLOW_UP_SAMPLE)
    called = FollowUp.objects.filter(case=OuterRef("pk"), created_at__gte=OuterRef("closed_at"), outcome__in=DONE)
    rows = for_list(Case.objects.filter(pk__in=ids)).annotate(called=Exists(called)).order_by("closed_at", "id")
    return [_call(c, user, "sample", c.closed_at, done=c.called) for c in rows]


def pending_bad_rating(case: Case) -> Rating | None:
    """The case's latest bad rating that no call has followed up yet."""
    return (
        Rating.objects.filter(case=case, kind=RatingKind.REPLY, level__in=BAD_LEVELS, followed_up_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class CallResult:
    follow_up: FollowUp
    rating: Rating | None  # recorded on this call


@transaction.atomic
def record_call(
    user: User, case: Case, outcome: str, notes: str = "", level: int | str | None = None, comment: str = ""
) -> CallResult:
    """What an operator recorded after calling the submitter of ``case``: the outcome and notes, and, when the person
    was reached and gave one, their rating of the unrated reply (``rate_by_phone``: it counts like a web rating and
    moves a replied case as one does). Everything or nothing is stored."""
    if not permissions.may_follow_up(user):
        raise PermissionDenied(_("Your role does not make follow-up calls."))
    level = None if level in (None, "") else level
    errors: dict[str, list[str]] = {}
    if outcome not in FollowUp.Outcome.values:
        errors["outcome"] = [_("Choose what came of the call.")]
    elif level is not None and outcome != FollowUp.Outcome.REACHED:
        errors["level"] = [_("A rating can only be recorded when the person was reached.")]
    if level is None and (comment or "").strip():
        errors["comment"] = [_("Choose the rating the person gave, or write their words in the notes.")]
    if errors:
        raise ValidationFailed(errors)
    rating = rate_by_phone(case, level, comment, user=user) if level is not None else None
    # The call is about the rating given on it, else the bad rating it follows up, else the case (goodbad's
    # ``record_follow_up`` then takes the case's latest rating of a reply, if any). A call that reached the person
    # marks that rating followed up (``Rating.followed_up_at``, the 回访率); the phone rating's level stays on the row.
    about: Rating | Case = rating or pending_bad_rating(case) or case
    follow_up = record_follow_up(about, user, outcome, notes, level=rating.level if rating is not None else None)
    return CallResult(follow_up, rating)


# What else an operator may record on a call, added by apps above this one in their ``ready()`` (questionnaires: the
# answers to a questionnaire read out on the phone): each gives (label, address) links for a user and a case.
CallAction = Callable[[User, Case], list[tuple[str, str]]]
_call_actions: list[CallAction] = []


def add_call_action(action: CallAction) -> None:
    if action not in _call_actions:
        _call_actions.append(action)


def call_actions(user: User, case: Case) -> list[tuple[str, str]]:
    """The links of what else may be recorded on this call (``add_call_action``)."""
    return [link for action in _call_actions for link in action(user, case)]


def history(case: Case) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(case=case).select_related("user", "rating").order_by("created_at", "id")
