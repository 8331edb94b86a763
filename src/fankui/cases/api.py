"""The staff API: cases as the token's user may see them, their actions, and the reference data a client needs.

Thin like the pages: every read starts from ``queries.visible_cases`` and every action goes through
``moves.perform``; domain errors become JSON by the handlers in ``fankui.api``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, cast

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator, StrictInt

from fankui.accounts.api import staff_auth
from fankui.accounts.models import Department, User
from fankui.accounts.permissions import may_open_attachments, may_see_contact
from fankui.audit.services import record_access, record_accesses
from fankui.core.errors import NotFound
from fankui.core.text import Text
from fankui.core.vocab import Kind, Level
from fankui.intake.api import errors

from . import queries
from .forms import EARLIEST, LATEST
from .models import Case, Category
from .services import moves
from .templatetags.staff import event_actor, event_label
from .workflow import State

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

router = Router(tags=["staff"], auth=staff_auth)

MAX_PK = 2**63 - 1
ActionName = Literal[
    "accept",
    "reject",
    "dispatch",
    "redispatch",
    "return",
    "start",
    "reply",
    "close",
    "reopen",
    "merge",
    "mark-spam",
    "unmark-spam",
    "answer-at-once",
]


# --- Schemas ----------------------------------------------------------------------------------------------------
class Ref(Schema):
    id: int
    name: str


class CaseRef(Schema):
    id: int
    number: str
    state: str


class CaseItem(Schema):
    id: int
    number: str
    tracking_code: str
    title: str = Field(
        description="The submission's title, or the start of its text when it has none; in lists always with "
        "personal data masked."
    )
    state: State
    state_label: str
    kind: Kind
    kind_label: str
    category: Ref | None
    kind_source: str = Field(
        description="Who set the kind: citizen (the submitter chose it), system (the analysis), staff, or empty "
        "(nobody: the default until the analysis runs)."
    )
    category_source: str = Field(description="Who set the category, as for the kind.")
    spam_kind: Literal["", "spam", "abuse"] = Field(
        description="While the case is marked (state `spam`): spam (垃圾信息) or abuse (恶意诉求); empty otherwise."
    )
    lead_department: Ref | None
    received_at: datetime


class CaseList(Schema):
    count: int = Field(description="How many cases match, over all pages.")
    items: list[CaseItem]


class Contact(Schema):
    name: str
    phone: str
    email: str
    address: str


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    url: str


class EventOut(Schema):
    at: datetime
    action: str
    label: str
    actor: str
    from_state: str
    to_state: str
    public: bool = Field(description="False for internal events the submitter does not see.")
    message: str
    data: dict[str, Any]


class CaseReplyOut(Schema):
    id: int
    body: str
    department: Ref | None
    author: str
    created_at: datetime


class CaseRatingOut(Schema):
    reply: int
    level: int
    label: str
    comment: str
    created_at: datetime


class CaseDetail(CaseItem):
    body: str = Field(description="The text; with personal data masked unless text_masked is false.")
    text_masked: bool = Field(
        description="True when title and body have personal data masked: your role does not need it (analysts, "
        "administrators; a department reading a report). The list's titles are always masked."
    )
    channel: str
    address: str
    anonymous: bool
    contact: Contact | None = Field(
        description="Personal data, for the lead department and the 12345 centre only (a report's reporter: for the "
        "centre only); null otherwise. Every read of it is recorded."
    )
    attachments: list[AttachmentOut] = Field(description="Empty for roles that may not open them (analysts).")
    assist_departments: list[Ref]
    merged_into: CaseRef | None
    duplicates: list[CaseRef]
    timeline: list[EventOut]
    replies: list[CaseReplyOut]
    ratings: list[CaseRatingOut]
    available_actions: list[str] = Field(description="The actions this token's user may take now.")


def _iso_day(value: object) -> object:
    """Only a day as the document says (YYYY-MM-DD): pydantic would also take "0" or "1700000000" as a timestamp."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError(_("Give a day as YYYY-MM-DD."))
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


class CaseFilters(Schema):
    state: State | None = None
    kind: Kind | None = None
    category: int | None = Field(
        default=None, ge=1, le=MAX_PK, description="A category id; its subcategories match too."
    )
    department: int | None = Field(default=None, ge=1, le=MAX_PK, description="The lead department's id.")
    date_from: Day | None = Field(default=None, ge=EARLIEST, le=LATEST, description="Received on or after this day.")
    date_to: Day | None = Field(default=None, ge=EARLIEST, le=LATEST, description="Received on or before this day.")
    q: Text = Field(
        default="", max_length=200, description="Words of the text or title, a case number or a tracking code."
    )
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=settings.FANKUI_PAGE_SIZE, ge=1, le=100)


class ActionIn(Schema):
    note: Text = Field(default="", description="accept, dispatch, redispatch, close: an optional note.")
    reason: Text = Field(
        default="", description="reject, return, reopen, mark-spam, unmark-spam: the reason (required)."
    )
    spam_kind: Literal["", "spam", "abuse"] = Field(
        default="",
        description="mark-spam: spam (垃圾信息: advertising, gibberish, tests) or abuse (恶意诉求: insults, "
        "harassment, repeated malicious submissions); required.",
    )
    body: Text = Field(default="", description="reply, answer-at-once: the text sent to the submitter.")
    lead_department: int | None = Field(default=None, description="dispatch, redispatch: the lead department's id.")
    assist_departments: list[int] = Field(default_factory=list, description="dispatch, redispatch: assisting ids.")
    primary: Text = Field(default="", description="merge: the primary case's number or tracking code.")
    # Strict: JSON true is not the category 1.
    category: StrictInt | None = Field(
        default=None,
        description=(
            "accept, dispatch, redispatch: set or change the case's category (an active category's id; see "
            "/categories). Staff's choice is final: the analysis never changes it. Omitted: the category stays."
        ),
    )


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    parent: int | None
    is_dispatch_centre: bool
    active: bool


class CategoryOut(Schema):
    id: int
    name: str
    parent: int | None
    level: int
    department: int | None = Field(description="The department this category's cases usually go to.")
    active: bool


# --- Rendering --------------------------------------------------------------------------------------------------
def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _item(case: Case, user: User) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "tracking_code": case.tracking_code,
        "title": queries.shown_title(case, user),
        "state": case.state,
        "state_label": str(case.get_state_display()),
        "kind": case.kind,
        "kind_label": str(case.get_kind_display()),
        "category": _ref(case.category),
        "kind_source": case.kind_source,
        "category_source": case.category_source,
        "spam_kind": case.spam_kind,
        "lead_department": _ref(case.lead_department),
        "received_at": case.created_at,
    }


def _detail(case: Case, user: User) -> dict[str, Any]:
    view = queries.staff_view(case, user)
    s = case.submission
    # Personal data by need, as on the case page (accounts.permissions); each look at what is shown is recorded.
    text = queries.readable_text(case, user)
    contact = None
    if not s.anonymous and (s.contact_name or s.contact_phone or s.contact_email) and may_see_contact(user, case):
        contact = {"name": s.contact_name, "phone": s.contact_phone, "email": s.contact_email, "address": s.address}
        record_access(user, case, queries.contact_look(case))
    if text.personal or view["words_personal"]:  # the citizen's words on the timeline are their text too
        record_access(user, case, "text")
    attachments = view["attachments"] if may_open_attachments(user, case) else []
    return {
        **_item(case, user),
        "title": text.title or Truncator(text.body).chars(queries.TITLE_CHARS),
        "body": text.body,
        "text_masked": text.masked,
        "channel": s.channel,
        "address": s.address if contact else "",
        "anonymous": s.anonymous,
        "contact": contact,
        "attachments": [
            {
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("intake:file", kwargs={"token": a.token}),
            }
            for a in attachments
        ],
        "assist_departments": [_ref(d) for d in view["assist_departments"]],
        "merged_into": _case_ref(view["primary"]),
        "duplicates": [_case_ref(d) for d in view["duplicates"]],
        "timeline": [
            {
                "at": e.created_at,
                "action": e.action,
                "label": event_label(e),
                "actor": event_actor(e),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "public": e.public,
                "message": e.message,
                "data": e.data,
            }
            for e in view["events"]
        ],
        "replies": [
            {
                "id": r.pk,
                "body": r.body,
                "department": _ref(r.department),
                "author": r.author.display_name if r.author else "",
                "created_at": r.created_at,
            }
            for r in view["replies"]
        ],
        "ratings": [
            {
                "reply": r.reply_id,
                "level": r.level,
                "label": str(Level(r.level).label),
                "comment": r.comment,
                "created_at": r.created_at,
            }
            for r in view["ratings"]
        ],
        # As the action URL names them (mark-spam), so a client can post to what it was offered.
        "available_actions": [str(t.action).replace("_", "-") for t in moves.available_actions(case, user)],
    }


def _case_ref(case: Case | None) -> dict[str, Any] | None:
    return {"id": case.pk, "number": case.number, "state": case.state} if case is not None else None


def _visible_case(user: User, case_id: int) -> Case:
    case = None
    if 0 < case_id <= MAX_PK:
        case = queries.for_list(queries.visible_cases(user)).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("No such case."))
    return case


# --- Endpoints --------------------------------------------------------------------------------------------------
@router.get("/cases", response={200: CaseList, **errors(401, 422)}, summary="List the cases you may see")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    f = queries.CaseFilter(
        state=filters.state or "",
        kind=filters.kind or "",
        category=filters.category,
        department=filters.department,
        date_from=filters.date_from,
        date_to=filters.date_to,
        q=filters.q,
    )
    cases = queries.for_list(queries.filter_cases(queries.visible_cases(_user(request)), f, _user(request)))
    start = (filters.page - 1) * filters.page_size
    rows = list(cases.order_by("-created_at", "-id")[start : start + filters.page_size])
    if queries.phone_in(f.q):
        # Cases found by a caller's number: a look at personal data, recorded as on the staff pages.
        record_accesses(_user(request), rows, "phone_search")
    return {"count": cases.count(), "items": [_item(c, _user(request)) for c in rows]}


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetail, **errors(401, 404, 422)},
    summary="One case with its timeline, replies and contact",
)
def get_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    user = _user(request)
    return _detail(_visible_case(user, case_id), user)


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseDetail, **errors(400, 401, 403, 404, 409, 413, 422)},
    summary="Take an action on a case",
    description=(
        "Moves the case through the workflow. Each action reads the body fields it needs. "
        "409 when the action is not possible in the case's state, 403 when your role may not take it, "
        "422 when input is missing or wrong, 404 when the case is not in your scope. "
        "`mark-spam` (dispatchers and supervisors; a dispatched or in-progress case: supervisors) ends the case as "
        "spam or abuse: no reply, no message to the submitter, out of the rates; `unmark-spam` (supervisors) takes "
        "the mark back to `received`. `answer-at-once` (dispatchers and supervisors, a received or accepted case) "
        "records the `body` as the answer given during the call (直接答复办结) and closes the case."
    ),
)
def act(request: HttpRequest, case_id: int, action: ActionName, payload: ActionIn | None = None) -> dict[str, Any]:
    user = _user(request)
    case = _visible_case(user, case_id)
    data = payload or ActionIn()
    moves.perform(
        case,
        user,
        action.replace("-", "_"),
        moves.ActionInput(
            note=data.note,
            reason=data.reason,
            body=data.body,
            lead_department=data.lead_department,
            assist_departments=data.assist_departments,
            primary=data.primary,
            category=data.category,
            spam_kind=data.spam_kind,
        ),
    )
    # Re-read within the scope: no move in today's table takes a case away from the one who made it, but should a
    # future one do so, the answer must not show what the user may no longer see.
    moved = queries.for_list(queries.visible_cases(user)).filter(pk=case.pk).first()
    if moved is None:
        raise NotFound(_("Done. The case is no longer in your scope."))
    return _detail(moved, user)


@router.get("/departments", response={200: list[DepartmentOut], **errors(401)}, summary="The department tree")
def departments(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": d.pk,
            "name": d.name,
            "code": d.code,
            "parent": d.parent_id,
            "is_dispatch_centre": d.is_dispatch_centre,
            "active": d.active,
        }
        for d in Department.objects.order_by("path", "sort_order")
    ]


@router.get("/categories", response={200: list[CategoryOut], **errors(401)}, summary="The category tree")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "name": c.name,
            "parent": c.parent_id,
            "level": c.level,
            "department": c.department_id,
            "active": c.active,
        }
        for c in Category.objects.order_by("level", "sort_order", "name")
    ]
