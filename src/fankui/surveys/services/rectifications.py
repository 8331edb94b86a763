"""差评整改: every bad rating opens a rectification with its own deadline on the working calendar; the case's
department (for a window's or a person's rating, 一次一评, the department it was given to) handles it, its head (or a
supervisor) checks it, the citizen is told and asked to rate it (when there is a case to tell them on). A case's
rectification follows the case: when the case is sent to another department (派单/改派), one not yet done moves to
it (``follow_case``), as the right to appeal its ratings does (``appeals.answering_department``)."""

from __future__ import annotations

from copy import copy
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.audit.services import record_event
from fankui.cases import notices as case_notices
from fankui.cases.models import Case
from fankui.cases.workflow import Actor
from fankui.core.errors import Conflict, PermissionDenied
from fankui.sla import calendar
from fankui.sla.services.lookups import cached_lookups, work_calendar

from .. import notices
from ..models import Rating, RatingKind, Rectification
from ..rates import RECTIFIED_KINDS
from . import _check_rating, answering, clean_text, is_real_name, record_step
from .tallies import counted

State = Rectification.State


def rectification_deadline(start: Any) -> Any:
    """``FANKUI_RECTIFICATION_WORKING_DAYS`` working days after ``start``, on the working calendar (sla)."""
    with cached_lookups():
        return calendar.deadline(
            work_calendar(), start, settings.FANKUI_RECTIFICATION_WORKING_DAYS, calendar.Unit.WORKING_DAYS
        )


def may_handle(user: User, rectification: Rectification) -> bool:
    """The department the rectification belongs to (its handlers and heads, a head's subtree too)."""
    return permissions.in_department(user, rectification.department)


def may_check(user: User, rectification: Rectification) -> bool:
    """The department's head, or a supervisor; never the person who wrote what was done (four eyes), whatever their
    role is now: a head who submitted and was then made a supervisor still needs someone else's check."""
    if rectification.submitted_by_id is not None and rectification.submitted_by_id == user.pk:
        return False
    if permissions.is_supervisor(user):
        return True
    return permissions.role(user) == Role.DEPT_HEAD and permissions.in_department(user, rectification.department)


def _department(rating: Rating) -> Department | None:
    """Who answers for a bad rating: the case's lead department; for a window's or a person's rating (一次一评) the
    department it was given to (the window's, else the person's: ``Rating.department``)."""
    if rating.case is not None:
        return rating.case.lead_department
    return rating.department


def _link(rectification: Rectification) -> str:
    return reverse("surveys:rectification_detail", kwargs={"pk": rectification.pk})


def open_rectification(rating: Rating) -> Rectification | None:
    """Open the rectification of a bad rating of a reply, a window or a person (called by ``rate``,
    ``rate_by_phone`` and ``windows.rate_window`` in their transaction); None when the rating is good or of a
    rectification (a bad rating of a rectification is followed up, not rectified again)."""
    if rating.satisfied or rating.kind not in RECTIFIED_KINDS:
        return None
    case = rating.case
    department = _department(rating)
    now = timezone.now()
    rectification = Rectification.objects.create(
        rating=rating,
        case=case,
        department=department,
        deadline=rectification_deadline(now),
        created_at=now,
    )
    record_step(
        case,
        "rectification_open",
        actor_kind=Actor.SYSTEM,
        target=f"rectification:{rectification.pk}",
        data={
            "rectification_id": rectification.pk,
            "rating_id": rating.pk,
            "deadline": rectification.deadline.isoformat(),
        },
    )
    key = f"surveys:rectification:{rectification.pk}:open"
    if case is not None:
        _tell_department(rectification, case, key)
    else:
        date = timezone.localtime(rectification.deadline).strftime("%Y-%m-%d")
        facts = {"rated": rating.rated, "date": date}
        notices.tell_staff_about(
            case_notices.department_staff([department]),
            "staff:surveys:window_rectification",
            facts,
            lambda: (
                _("Bad rating of %(rated)s: rectify by %(date)s") % facts,
                _("A visitor gave %(rated)s a bad rating. Say what was done about it by %(date)s.") % facts,
            ),
            case=None,
            link=_link(rectification),
            key=key,
        )
    return rectification


def _tell_department(rectification: Rectification, case: Case, key: str) -> None:
    """Tell the staff of the rectification's department that a bad rating of ``case`` waits for them."""
    date = timezone.localtime(rectification.deadline).strftime("%Y-%m-%d")
    facts = {"number": case.number, "date": date}
    notices.tell_staff_about(
        case_notices.department_staff([rectification.department]),
        "staff:surveys:rectification",
        facts,
        lambda: (
            _("Bad rating on %(number)s: rectify by %(date)s") % facts,
            _("The submitter of %(number)s gave a bad rating. Say what was done about it by %(date)s.") % facts,
        ),
        case=case,
        link=_link(rectification),
        key=key,
    )


# The moves that send a case to a (new) lead department.
SENDS = ("dispatch", "redispatch")


def on_case_moved(sender: Any, case: Case, action: str, user: User | None = None, **kwargs: Any) -> None:
    """``cases.signals.case_moved``: after a dispatch or a redispatch, in its transaction, the case's rectifications
    follow it (``follow_case``)."""
    if action in SENDS:
        follow_case(case, user)


def follow_case(case: Case, user: User | None = None) -> list[Rectification]:
    """Move the rectifications of ``case`` not yet done to its lead department, which now answers for its ratings
    (and may appeal them, ``appeals.answering_department``): otherwise the old department, no longer seeing the
    case, and the new one, not named on the row, could neither see nor act on them. Each move is on the case's
    timeline and the new department's staff are told; a done one stays with the department that did it. Returns those
    moved."""
    if case.lead_department_id is None:
        return []
    moved = list(
        Rectification.objects.select_for_update(of=("self",))
        .filter(case=case)
        .exclude(state=State.DONE)
        .exclude(department_id=case.lead_department_id)
    )
    for rectification in moved:
        before = rectification.department_id
        rectification.department_id = case.lead_department_id
        rectification.save(update_fields=["department"])
        record_step(
            case,
            "rectification_move",
            actor=user,
            target=f"rectification:{rectification.pk}",
            data={"rectification_id": rectification.pk, "from": before, "to": case.lead_department_id},
        )
        key = f"surveys:rectification:{rectification.pk}:moved:{case.lead_department_id}"
        _tell_department(rectification, case, key)
    return moved


def _locked(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("case", "department")
        .get(pk=rectification.pk)
    )


@transaction.atomic
def submit_rectification(rectification: Rectification, user: User, measures: str) -> Rectification:
    """The department says what it did; the rectification waits for its check."""
    rectification = _locked(rectification)
    if not may_handle(user, rectification):
        raise PermissionDenied(_("Only the department responsible may rectify this rating."))
    if rectification.state != State.OPEN:
        raise Conflict(_("This rectification is not waiting for the department."))
    rectification.measures = clean_text(measures, "measures", required=True)
    rectification.state = State.SUBMITTED
    rectification.submitted_by = user
    rectification.submitted_at = timezone.now()
    rectification.save(update_fields=["measures", "state", "submitted_by", "submitted_at"])
    record_step(
        rectification.case,
        "rectification_submit",
        actor=user,
        target=f"rectification:{rectification.pk}",
        data={"rectification_id": rectification.pk},
    )
    return rectification


@transaction.atomic
def check_rectification(rectification: Rectification, user: User, approve: bool, note: str = "") -> Rectification:
    """Approve what was done (the citizen is told and asked to rate it) or send it back to the department with a
    note saying why. A window's or a person's rating has nobody to tell (its row keeps no contact): approved, it is
    done and counted rectified, ``reported`` stays False."""
    rectification = _locked(rectification)
    if rectification.submitted_by_id == user.pk:
        raise PermissionDenied(_("You wrote what was done: someone else must check it."))
    if not may_check(user, rectification):
        raise PermissionDenied(_("Only the department's head or a supervisor may check a rectification."))
    if rectification.state != State.SUBMITTED:
        raise Conflict(_("This rectification is not waiting for a check."))
    note = clean_text(note, "note", required=not approve)
    rectification.checked_by = user
    rectification.checked_at = timezone.now()
    rectification.check_note = note
    trail: dict[str, Any] = {
        "target": f"rectification:{rectification.pk}",
        "data": {"rectification_id": rectification.pk},
    }
    if approve:
        rectification.state = State.DONE
        rating = Rating.objects.select_for_update().get(pk=rectification.rating_id)
        before = copy(rating)
        rating.rectified_at = rectification.checked_at
        rating.save(update_fields=["rectified_at"])
        counted(rating, before)
        if rectification.case is not None:
            rectification.reported = notices.report_rectification(rectification)
        # Public: the citizen's timeline says the rectification was reported (the words are on the page's panel).
        # The check's note is the staff's, kept on the row (their pages and API): a message of a public step that is
        # not a workflow step would be shown to the citizen (``cases.workflow.message_is_public``).
        record_step(rectification.case, "rectification_done", actor=user, public=True, **trail)
    else:
        rectification.state = State.OPEN
        record_step(rectification.case, "rectification_return", actor=user, message=note, **trail)
    rectification.save(update_fields=["state", "checked_by", "checked_at", "check_note", "reported"])
    return rectification


def awaiting_rating(case: Case) -> Rectification | None:
    """The newest rectification of ``case`` that was reported and not rated yet."""
    return (
        Rectification.objects.filter(case=case, state=State.DONE, ratings__isnull=True)
        .order_by("-checked_at", "-id")
        .first()
    )


@transaction.atomic
def rate_rectification(case: Case, level: Any, comment: str = "", scores: Any = None) -> Rating:
    """The citizen's rating of what was done about their bad rating (a second rating, kind "rectification"). It
    does not move the case; a bad one is followed up (回访), not rectified again."""
    level, comment, sub = _check_rating(level, comment, scores)
    case = Case.objects.select_for_update().get(pk=case.pk)
    rectification = awaiting_rating(case)
    if rectification is None:
        if Rectification.objects.filter(case=case, state=State.DONE).exists():
            raise Conflict(_("This rectification has already been rated. Thank you."))
        raise Conflict(_("There is no rectification to rate."))
    rating = Rating.objects.create(
        case=case,
        reply_id=rectification.rating.reply_id,
        kind=RatingKind.RECTIFICATION,
        of_rectification=rectification,
        level=level,
        comment=comment,
        real_name=is_real_name(case),
        created_at=timezone.now(),
        **answering(case),
        **sub,
    )
    counted(rating)
    record_event(
        case,
        "rate_rectification",
        actor_kind=Actor.CITIZEN,
        public=True,
        data={"rating": level, "rating_id": rating.pk, "rectification_id": rectification.pk},
    )
    return rating
