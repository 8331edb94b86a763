"""The public part of the API: submitting (``POST /submissions``, the schema in ``intake.api``), and what a submitter
may see and do with their tracking code. No authentication: the code is the key, so an unknown and a malformed code
get the very same 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Router, Schema, Status
from pydantic import BaseModel

from fankui.accounts.services import user_for_token
from fankui.cases.models import Case
from fankui.cases.queries import find_by_code
from fankui.cases.services.receiving import receive
from fankui.cases.workflow import State
from fankui.core import throttle
from fankui.core.errors import NotFound
from fankui.core.text import Text
from fankui.intake.api import ContactIn, LocationIn, OptionalText, SubmissionIn, channel_for, enum, errors
from fankui.intake.services import SubmissionInput
from fankui.surveys.models import SUB_SCORES, Level, Rating
from fankui.surveys.services import rate, rate_rectification

from .queries import Tracking, tracking

router = Router(tags=["tracking"])

CODE_DESCRIPTION = "The tracking code, with or without dashes, in any case (e.g. `ABCD-2345-EFGH7`)."


class TimelineEntryOut(Schema):
    action: str = Field(description="What happened (a workflow action, or `receive`).", examples=["dispatch"])
    label: str = Field(description="The same, in words for people.", examples=["Sent to the responsible department"])
    at: datetime
    message: str = Field(description="A reason or note given with it, e.g. why a request was not accepted.")
    department: str = Field(description="The department concerned (the lead department of a dispatch).")


class ReplyOut(Schema):
    body: str = Field(description="The reply text.")
    at: datetime
    department: str = Field(description="The department that replied.")


class TrackOut(Schema):
    tracking_code: str = Field(examples=["ABCD2345EFGH7"])
    state: str = Field(
        description="The workflow state of the case followed (the primary one, once merged).",
        examples=["replied"],
        json_schema_extra=enum(State.values),
    )
    state_label: str = Field(examples=["Replied"])
    kind: str = Field(
        description="What the request is (complaint, praise, ...); empty until the submitter, staff or the analysis "
        "has said what it is.",
        examples=["complaint"],
    )
    title: str
    submitted_text: str = Field(description="The submitter's own text, as sent.")
    received_at: datetime
    merged: bool = Field(
        description=(
            "True when this request was merged with another on the same problem: state, timeline and replies are "
            "then those of that case. Its tracking code is not shown: it belongs to another person."
        )
    )
    timeline: list[TimelineEntryOut]
    replies: list[ReplyOut]
    can_rate: bool = Field(description="A reply is waiting for the submitter's rating.")


class RatingIn(BaseModel):
    level: int = Field(
        ge=1,
        le=5,
        description="5 very satisfied, 4 satisfied, 3 fairly satisfied, 2 unsatisfied, 1 very unsatisfied. "
        "1 and 2 reopen the case; 3 to 5 close it.",
        examples=[5],
    )
    comment: OptionalText = Field(default="", description="Optional words with the rating (2,000 characters at most).")
    # The standard's dimensions (国办发〔2019〕51号), optional, on the same five levels (docs/surveys.md).
    attitude: int | None = Field(default=None, ge=1, le=5, description="Optional: service attitude (服务态度), 1..5.")
    efficiency: int | None = Field(default=None, ge=1, le=5, description="Optional: efficiency (办事效率), 1..5.")
    outcome: int | None = Field(
        default=None, ge=1, le=5, description="Optional: the result and the explanation given (办理结果), 1..5."
    )
    convenience: int | None = Field(
        default=None, ge=1, le=5, description="Optional: how easy the channel was to use (渠道便捷), 1..5."
    )

    def scores(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name, _label in SUB_SCORES}


class RatingOut(Schema):
    tracking_code: str
    level: int = Field(examples=[5])
    level_label: str = Field(examples=["Very satisfied"])
    attitude: int | None = None
    efficiency: int | None = None
    outcome: int | None = None
    convenience: int | None = None
    state: str = Field(description="The case's state after the rating: `closed` or `reopened`.", examples=["closed"])
    state_label: str = Field(examples=["Closed"])


def _case(tracking_code: str) -> Case:
    case = find_by_code(tracking_code)
    if case is None:
        raise NotFound(_("No request matches this tracking code."))
    return case


def _local(at: datetime) -> datetime:
    return timezone.localtime(at)


def _track_out(view: Tracking) -> dict[str, Any]:
    return {
        "tracking_code": view.tracking_code,
        "state": view.state,
        "state_label": view.state_label,
        "kind": view.kind,
        "title": view.title,
        "submitted_text": view.submitted_text,
        "received_at": _local(view.received_at),
        "merged": view.merged,
        "timeline": [
            {
                "action": e.action,
                "label": e.label,
                "at": _local(e.at),
                "message": e.message,
                "department": e.department,
            }
            for e in view.timeline
        ],
        "replies": [{"body": r.body, "at": _local(r.at), "department": r.department} for r in view.replies],
        "can_rate": view.can_rate,
    }


@router.get(
    "/track/{tracking_code}",
    response={200: TrackOut, **errors(404, 422, 429)},
    summary="Track a request",
    description="What the submitter sees: the state, the public timeline and the replies. Never staff names or "
    "internal steps.",
)
def track(request: HttpRequest, tracking_code: Text = Path(..., description=CODE_DESCRIPTION)) -> dict[str, Any]:
    throttle.check(request, "track")
    return _track_out(tracking(_case(tracking_code)))


@router.post(
    "/track/{tracking_code}/rating",
    response={201: RatingOut, **errors(400, 404, 409, 413, 422, 429)},
    summary="Rate the reply",
    description="The submitter's five-level rating (好差评) of the latest reply. **409** when there is nothing to "
    "rate (no reply yet, or already rated), **422** for a level outside 1..5.",
)
def rate_reply(
    request: HttpRequest, payload: RatingIn, tracking_code: Text = Path(..., description=CODE_DESCRIPTION)
) -> Status[dict[str, Any]]:
    throttle.check(request, "rate")
    case = _case(tracking_code)
    rating = rate(case, payload.level, payload.comment, payload.scores())
    return Status(201, _rating_out(case, rating))


def _rating_out(case: Case, rating: Rating) -> dict[str, Any]:
    case.refresh_from_db(fields=["state"])
    state = State(case.state)
    out: dict[str, Any] = {
        "tracking_code": case.tracking_code,
        "level": rating.level,
        "level_label": str(Level(rating.level).label),
        "state": state.value,
        "state_label": str(state.label),
    }
    out.update({name: getattr(rating, name) for name, _label in SUB_SCORES})
    return out


@router.post(
    "/track/{tracking_code}/rectification/rating",
    response={201: RatingOut, **errors(400, 404, 409, 413, 422, 429)},
    summary="Rate the rectification",
    description="After a bad rating the department rectifies (差评整改) and reports what it did; this is the "
    "submitter's rating of that report, on the same five levels with the same optional sub-scores. It does not "
    "move the case. **409** when no reported rectification waits for a rating.",
)
def rate_rectification_api(
    request: HttpRequest, payload: RatingIn, tracking_code: Text = Path(..., description=CODE_DESCRIPTION)
) -> Status[dict[str, Any]]:
    throttle.check(request, "rate")
    case = _case(tracking_code)
    rating = rate_rectification(case, payload.level, payload.comment, payload.scores())
    return Status(201, _rating_out(case, rating))


# --- Submitting ---------------------------------------------------------------------------------------------------
class SubmissionOut(Schema):
    tracking_code: str = Field(
        description="The submitter's key to the case: give it to them, it is the only way to follow it.",
        examples=["ABCD2345EFGH7"],
    )
    tracking_url: str = Field(
        description="The public tracking page, for the submitter.",
        examples=["https://feedback.example.gov.cn/track/ABCD2345EFGH7/"],
    )
    state: str = Field(description="The workflow state; always `received` for a new case.", examples=["received"])
    received_at: datetime


def _has_token(request: HttpRequest) -> bool:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip()) and user_for_token(token.strip()) is not None


def _answer(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "tracking_code": case.tracking_code,
        "tracking_url": request.build_absolute_uri(reverse("portal:track", kwargs={"code": case.tracking_code})),
        "state": case.state,
        "received_at": timezone.localtime(case.created_at),
    }


@router.post(
    "/submissions",
    tags=["submissions"],
    response={201: SubmissionOut, 200: SubmissionOut, **errors(400, 409, 413, 422, 429, 503)},
    summary="Submit feedback",
    description=(
        "Store a message and open its case; answers at once with the tracking code. No authentication.\n\n"
        "Send an `Idempotency-Key` header (e.g. a UUID per message) to make retries safe: a request whose key "
        "was seen before answers **200** with the case the first one created instead of **201** with a new one, "
        "and **409** when that case's text differs (a new message needs a new key).\n\n"
        "Invalid input answers **422** with every problem at once, field by field; a body that is not JSON "
        "answers **400**. A `channel` other than `api` or `web` needs an API token (**422** without one).\n\n"
        "Without an API token, submissions are rate-limited per client address and per phone number or e-mail "
        "address: **429** with a `Retry-After` header (seconds) when over the limit.\n\n"
        "While the site cannot store anything (its database is being restarted, the attachment store is full) it "
        "answers **503** with a `Retry-After` header: nothing was stored; send the same request again (with the same "
        "`Idempotency-Key`) after that many seconds."
    ),
    openapi_extra={"responses": {200: {"description": "The key was seen before: the earlier case."}}},
)
def create_submission(
    request: HttpRequest,
    payload: SubmissionIn,
    idempotency_key: Text = Header(
        "",
        alias="Idempotency-Key",
        description="A unique key per message (100 characters at most); a retry with the same key creates nothing.",
    ),
) -> Status[dict[str, Any]]:
    contact = payload.contact or ContactIn()
    location = payload.location or LocationIn()
    # Staff and partner systems (the hotline's desk, a bulk import) send for many people: only anonymous callers
    # are counted.
    if not _has_token(request):
        throttle.check(request, "submit", contacts=(contact.phone, contact.email))
    case, created = receive(
        SubmissionInput(
            body=payload.body,
            title=payload.title,
            kind=payload.kind,
            category=payload.category,
            channel=channel_for(request, payload.channel),
            contact_name=contact.name,
            contact_phone=contact.phone,
            contact_email=contact.email,
            anonymous=bool(payload.anonymous),
            address=location.address,
            lat=location.lat,
            lng=location.lng,
            idempotency_key=idempotency_key,
            language=payload.language,
        )
    )
    return Status(201 if created else 200, _answer(request, case))
