"""The staff API of 好差评: rectifications (差评整改) and appeals (申诉) as the token's user may see them, and their
steps. Thin like the pages: every read starts from ``queries.visible_rectifications``, ``visible_appeals`` or
``visible_ratings`` (outside them: 404, as a case outside one's scope), every step is one call of the same service
the pages call (``services.rectifications``, ``services.appeals``), which decides who may take it (403), whether it
is possible now (409) and whether the input is good (422). Each request counts against ``FANKUI_RATE_GOODBAD_API``
per user (429); the services write the audit trail (the case's timeline, or for a window's rating an audit entry).
A rater's comment is always shown with personal data masked (``queries.masked_comment``), so reading it is no look at
personal data; the evidence of an appeal is shown as on its page."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, cast

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, StrictBool

from fankui.accounts.api import staff_auth
from fankui.accounts.models import User
from fankui.core import throttle
from fankui.core.errors import NotFound
from fankui.core.text import Text
from fankui.core.vocab import Level
from fankui.intake.api import OptionalText, enum, errors

from . import queries
from .models import Appeal, Rating, RatingKind, Rectification
from .services import appeals, rectifications

router = Router(tags=["ratings"], auth=staff_auth)

MAX_PK = 2**63 - 1
THROTTLE = "goodbad_api"
# The models' choices are both called ``State``, as is the case's workflow state: the OpenAPI document names an enum
# by its class, so under that name one would replace the others in every schema that uses them.
# A test holds them equal to the models' choices.


class RectificationState(StrEnum):
    OPEN = Rectification.State.OPEN.value
    SUBMITTED = Rectification.State.SUBMITTED.value
    DONE = Rectification.State.DONE.value


class AppealState(StrEnum):
    PENDING = Appeal.State.PENDING.value
    UPHELD = Appeal.State.UPHELD.value
    REJECTED = Appeal.State.REJECTED.value


# --- Schemas ----------------------------------------------------------------------------------------------------
class UnitRef(Schema):
    id: int
    name: str


class RatedCaseRef(Schema):
    id: int
    number: str


class StaffRatingOut(Schema):
    id: int
    kind: RatingKind = Field(description="reply, rectification, or window (一次一评: a window or a member of staff).")
    level: int = Field(description="1 非常不满意 .. 5 非常满意.")
    label: str
    rated: str = Field(description="What was rated: the case's number, or the person and window.")
    case: RatedCaseRef | None = Field(description="The rated case; null for a window's or a person's rating.")
    service_point: UnitRef | None
    staff: UnitRef | None
    comment: str = Field(description="The rater's words, always with personal data masked.")
    excluded: bool = Field(description="Taken out of the rates by an upheld appeal.")
    excluded_reason: str
    created_at: datetime


class RectificationOut(Schema):
    id: int
    state: RectificationState
    state_label: str
    department: UnitRef | None = Field(description="Who rectifies it: the case's lead department, or the window's.")
    deadline: datetime
    created_at: datetime
    rating: StaffRatingOut


class RectificationList(Schema):
    count: int = Field(description="How many match, over all pages.")
    items: list[RectificationOut]


class RectificationDetail(RectificationOut):
    measures: str = Field(description="What the department says was done.")
    submitted_by: str
    submitted_at: datetime | None
    checked_by: str
    checked_at: datetime | None
    check_note: str
    reported: bool = Field(
        description="The person was told what was done (false: anonymous, no contact, or a window's rating)."
    )
    available_actions: list[Literal["submit", "check"]] = Field(description="The steps this token's user may take now.")


class FileOut(Schema):
    name: str
    content_type: str
    size: int
    url: str


class AppealOut(Schema):
    id: int
    state: AppealState
    state_label: str
    grounds: Appeal.Grounds
    grounds_label: str
    department: UnitRef | None = Field(description="The department appealing.")
    evidence: str
    files: list[FileOut]
    filed_by: str
    filed_at: datetime
    decided_by: str
    decided_at: datetime | None
    decision_note: str
    rating: StaffRatingOut


class AppealList(Schema):
    count: int = Field(description="How many match, over all pages.")
    items: list[AppealOut]


class Page(Schema):
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=settings.FANKUI_PAGE_SIZE, ge=1, le=100)


class RectificationFilters(Page):
    state: RectificationState | None = None


class AppealFilters(Page):
    state: AppealState | None = None


# Input models are plain pydantic models, as intake's: a JSON string cannot stand in for an object.
class SubmitIn(BaseModel):
    measures: Text = Field(description="What was done about the bad rating (required, 4,000 characters at most).")


class CheckIn(BaseModel):
    approve: StrictBool = Field(description="true: approve (done, the person is told); false: send it back.")
    note: OptionalText = Field(default="", description="Required to send it back: why.")


class AppealIn(BaseModel):
    grounds: Text = Field(
        description="mistaken (误评) or malicious (恶意差评).", json_schema_extra=enum(Appeal.Grounds.values)
    )
    evidence: Text = Field(description="Why (required, 4,000 characters at most). Files: on the appeal's page.")


class DecisionIn(BaseModel):
    uphold: StrictBool = Field(description="true: the rating leaves the rates, with the note as the reason shown.")
    note: Text = Field(description="The reason (required).")


# --- Rendering --------------------------------------------------------------------------------------------------
def _user(request: HttpRequest) -> User:
    user = cast(User, request.user)
    throttle.check_user(request, THROTTLE)
    return user


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _name(user: User | None) -> str:
    return user.display_name if user is not None else ""


def _rating(rating: Rating) -> dict[str, Any]:
    return {
        "id": rating.pk,
        "kind": rating.kind,
        "level": rating.level,
        "label": str(Level(rating.level).label),
        "rated": rating.rated,
        "case": {"id": rating.case.pk, "number": rating.case.number} if rating.case is not None else None,
        "service_point": _ref(rating.service_point),
        "staff": _ref(rating.staff),
        "comment": queries.masked_comment(rating),
        "excluded": rating.excluded,
        "excluded_reason": rating.excluded_reason,
        "created_at": rating.created_at,
    }


def _rectification(item: Rectification) -> dict[str, Any]:
    return {
        "id": item.pk,
        "state": item.state,
        "state_label": str(item.get_state_display()),
        "department": _ref(item.department),
        "deadline": item.deadline,
        "created_at": item.created_at,
        "rating": _rating(item.rating),
    }


def _rectification_detail(item: Rectification, user: User) -> dict[str, Any]:
    actions: list[str] = []
    if item.state == Rectification.State.OPEN and rectifications.may_handle(user, item):
        actions.append("submit")
    if item.state == Rectification.State.SUBMITTED and rectifications.may_check(user, item):
        actions.append("check")
    return {
        **_rectification(item),
        "measures": item.measures,
        "submitted_by": _name(item.submitted_by),
        "submitted_at": item.submitted_at,
        "checked_by": _name(item.checked_by),
        "checked_at": item.checked_at,
        "check_note": item.check_note,
        "reported": item.reported,
        "available_actions": actions,
    }


def _appeal(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "state": appeal.state,
        "state_label": str(appeal.get_state_display()),
        "grounds": appeal.grounds,
        "grounds_label": str(appeal.get_grounds_display()),
        "department": _ref(appeal.department),
        "evidence": appeal.evidence,
        "files": [
            {
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "url": reverse("intake:file", kwargs={"token": f.token}),
            }
            for f in appeal.evidence_files.all()
        ],
        "filed_by": _name(appeal.filed_by),
        "filed_at": appeal.filed_at,
        "decided_by": _name(appeal.decided_by),
        "decided_at": appeal.decided_at,
        "decision_note": appeal.decision_note,
        "rating": _rating(appeal.rating),
    }


def _one(qs: QuerySet[Any], pk: int, missing: str) -> Any:
    found = qs.filter(pk=pk).first() if 0 < pk <= MAX_PK else None
    if found is None:
        raise NotFound(missing)
    return found


def _visible_rectification(user: User, pk: int) -> Rectification:
    return cast(
        Rectification,
        _one(
            queries.visible_rectifications(user).select_related("submitted_by", "checked_by"),
            pk,
            _("No such rectification."),
        ),
    )


def _visible_appeal(user: User, pk: int) -> Appeal:
    return cast(Appeal, _one(queries.visible_appeals(user), pk, _("No such appeal.")))


def _page(qs: QuerySet[Any], filters: Page) -> tuple[int, list[Any]]:
    start = (filters.page - 1) * filters.page_size
    return qs.count(), list(qs[start : start + filters.page_size])


# --- Rectifications ---------------------------------------------------------------------------------------------
@router.get(
    "/rectifications",
    response={200: RectificationList, **errors(401, 422, 429)},
    summary="List the rectifications you may see",
    description=(
        "差评整改 of bad ratings, soonest deadline first: a department sees those it answers for (a head: its "
        "subtree's), organisation-wide roles all. A window's or a staff member's rating (一次一评) has no case."
    ),
)
def list_rectifications(request: HttpRequest, filters: Query[RectificationFilters]) -> dict[str, Any]:
    user = _user(request)
    items = queries.visible_rectifications(user).order_by("deadline", "id")
    if filters.state:
        items = items.filter(state=filters.state)
    count, rows = _page(items, filters)
    return {"count": count, "items": [_rectification(r) for r in rows]}


@router.get(
    "/rectifications/{rectification_id}",
    response={200: RectificationDetail, **errors(401, 404, 422, 429)},
    summary="One rectification",
)
def get_rectification(request: HttpRequest, rectification_id: int) -> dict[str, Any]:
    user = _user(request)
    return _rectification_detail(_visible_rectification(user, rectification_id), user)


@router.post(
    "/rectifications/{rectification_id}/submit",
    response={200: RectificationDetail, **errors(400, 401, 403, 404, 409, 413, 422, 429)},
    summary="Say what was done (the department)",
    description=(
        "A handler or head of the department it belongs to; it then waits for a check. 409 when it is not waiting "
        "for the department, 403 for anyone else who may see it, 404 outside your scope."
    ),
)
def submit(request: HttpRequest, rectification_id: int, payload: SubmitIn) -> dict[str, Any]:
    user = _user(request)
    item = _visible_rectification(user, rectification_id)
    rectifications.submit_rectification(item, user, payload.measures)
    return _rectification_detail(_visible_rectification(user, rectification_id), user)


@router.post(
    "/rectifications/{rectification_id}/check",
    response={200: RectificationDetail, **errors(400, 401, 403, 404, 409, 413, 422, 429)},
    summary="Approve or send back what was done (head or supervisor)",
    description=(
        "The department's head (not the one who submitted it: four eyes) or a supervisor. Approved, it is done and "
        "the person is told and asked to rate it (when they left a contact; a window's rating left none); sent "
        "back (a note is required), it is open again. 409 when nothing waits for a check."
    ),
)
def check(request: HttpRequest, rectification_id: int, payload: CheckIn) -> dict[str, Any]:
    user = _user(request)
    item = _visible_rectification(user, rectification_id)
    rectifications.check_rectification(item, user, payload.approve, payload.note)
    return _rectification_detail(_visible_rectification(user, rectification_id), user)


# --- Appeals ----------------------------------------------------------------------------------------------------
@router.get(
    "/appeals",
    response={200: AppealList, **errors(401, 422, 429)},
    summary="List the appeals you may see",
    description="申诉 against ratings, newest first: a department's own, organisation-wide roles all.",
)
def list_appeals(request: HttpRequest, filters: Query[AppealFilters]) -> dict[str, Any]:
    user = _user(request)
    items = queries.visible_appeals(user).prefetch_related("evidence_files")
    if filters.state:
        items = items.filter(state=filters.state)
    count, rows = _page(items, filters)
    return {"count": count, "items": [_appeal(a) for a in rows]}


@router.get("/appeals/{appeal_id}", response={200: AppealOut, **errors(401, 404, 422, 429)}, summary="One appeal")
def get_appeal(request: HttpRequest, appeal_id: int) -> dict[str, Any]:
    return _appeal(_visible_appeal(_user(request), appeal_id))


@router.post(
    "/ratings/{rating_id}/appeals",
    response={201: AppealOut, **errors(400, 401, 403, 404, 409, 413, 422, 429)},
    summary="Appeal a bad rating (the department)",
    description=(
        "The department that answers for the rating (a case's lead department; a window's or a staff member's "
        "department) appeals it as mistaken or malicious; supervisors are told. Evidence files are attached on the "
        "appeal's page. 409 for a good rating, one already out of the rates or already under appeal; 403 for "
        "anyone else who may see the rating; 404 outside your scope."
    ),
)
def file_appeal(request: HttpRequest, rating_id: int, payload: AppealIn) -> Status:
    user = _user(request)
    rating = _one(queries.visible_ratings(user), rating_id, _("No such rating."))
    appeal = appeals.file_appeal(rating, user, payload.grounds, payload.evidence)
    return Status(201, _appeal(_visible_appeal(user, appeal.pk)))


@router.post(
    "/appeals/{appeal_id}/decision",
    response={200: AppealOut, **errors(400, 401, 403, 404, 409, 413, 422, 429)},
    summary="Decide an appeal (supervisor)",
    description=(
        "Upheld, the rating leaves every rate, with the note as the reason shown wherever it is counted or listed; "
        "rejected, it stays. 403 for anyone but a supervisor, 409 when already decided."
    ),
)
def decide(request: HttpRequest, appeal_id: int, payload: DecisionIn) -> dict[str, Any]:
    user = _user(request)
    appeal = _visible_appeal(user, appeal_id)
    appeals.decide_appeal(appeal, user, payload.uphold, payload.note)
    return _appeal(_visible_appeal(user, appeal_id))
