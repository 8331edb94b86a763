"""``POST /api/v1/submissions``: the intake channel for programs (apps, mini-programs, partner systems).

Thin and fast: the schema checks JSON types, ``intake.services.submit`` checks everything else (the same messages as
the web form) and does all the queries; building the answer costs none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from pydantic import AfterValidator, BaseModel, BeforeValidator

from fankui.accounts.services import user_for_token
from fankui.cases.models import Case
from fankui.core.errors import ValidationFailed
from fankui.core.vocab import Channel, Kind
from fankui.intake.services import SubmissionInput, submit

router = Router(tags=["submissions"])

# Input models are plain pydantic models: ninja's ``Schema`` also reads attributes of arbitrary objects, which would
# let a JSON string stand in for an object (``"contact": "138..."``) instead of being refused.


def _no_nul(value: str) -> str:
    # As Django's form fields do: PostgreSQL cannot store NUL, and no person types one.
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")
    return value


def _none_is_empty(value: object) -> object:
    return "" if value is None else value


def enum(values: list[str]) -> dict[str, Any]:
    """Document the accepted values while ``submit`` checks them, so a wrong one gets the service's message."""
    return {"enum": values}


Text = Annotated[str, AfterValidator(_no_nul)]
# An optional text: JSON null means the same as leaving it out.
OptionalText = Annotated[str, BeforeValidator(_none_is_empty), AfterValidator(_no_nul)]


class ErrorOut(Schema):
    code: str = Field(description="Machine-readable error code.", examples=["validation_failed"])
    detail: str = Field(description="A message for people, in the language of the request.")
    errors: dict[str, list[str]] | None = Field(
        default=None,
        description="Messages field by field (only for `validation_failed`).",
        examples=[{"body": ["Please describe your request."]}],
    )


class ContactIn(BaseModel):
    name: OptionalText = Field(default="", description="Name of the submitter.", examples=["张先生"])
    phone: OptionalText = Field(
        default="",
        description="Mainland mobile (11 digits) or landline with area code; `+86`, spaces and dashes are accepted.",
        examples=["13800138000"],
    )
    email: OptionalText = Field(default="", description="E-mail address.", examples=["zhang@example.com"])


class LocationIn(BaseModel):
    address: OptionalText = Field(
        default="", description="Where the problem is: street, building, landmark.", examples=["人民路88号"]
    )
    lat: float | None = Field(default=None, description="Latitude (WGS-84), -90..90.", examples=[28.2282])
    lng: float | None = Field(default=None, description="Longitude (WGS-84), -180..180.", examples=[112.9388])


class SubmissionIn(BaseModel):
    body: Text = Field(
        description="The message itself (required, 10,000 characters at most).",
        examples=["小区门口的路灯坏了一个月，晚上很黑，请尽快修理。"],
    )
    title: OptionalText = Field(
        default="", description="A subject line (200 characters at most).", examples=["路灯不亮"]
    )
    kind: OptionalText = Field(
        default="",
        description=(
            "What it is. Left out: the analysis decides (it applies its kind when it is sure enough; until then, "
            "and when it is not, the case counts as `complaint`)."
        ),
        examples=[Kind.COMPLAINT.value],
        json_schema_extra=enum(["", *Kind.values]),
    )
    category: int | Text | None = Field(
        default=None, description="An active category, by id or by exact name.", examples=["市政设施"]
    )
    channel: Annotated[Text, BeforeValidator(lambda value: Channel.API.value if value is None else value)] = Field(
        default=Channel.API.value,
        description=(
            "The channel the message came through. Without a token only `api` (the default) or `web`; staff and "
            "partner systems relaying a phone call or an e-mail send their API token "
            "(`Authorization: Bearer ...`) to set another one."
        ),
        json_schema_extra=enum(Channel.values),
    )
    contact: ContactIn | None = Field(default=None, description="How to reach the submitter; ignored when `anonymous`.")
    anonymous: bool | None = Field(default=False, description="Keep no contact details at all.")
    language: OptionalText = Field(
        default="",
        description=(
            "The submitter's language, for every message sent to them (`zh-hans` or `en`; variants such as `zh-CN` "
            "are understood). Left out: the request's `Accept-Language`. A partner system relaying other people's "
            "messages should give it."
        ),
        examples=["zh-hans"],
    )
    location: LocationIn | None = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "title": "路灯不亮",
                    "body": "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。",
                    "kind": "complaint",
                    "contact": {"name": "张先生", "phone": "13800138000"},
                    "location": {"address": "人民路88号", "lat": 28.2282, "lng": 112.9388},
                }
            ]
        }
    }


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


# What anybody may say about how a message came: it came through this API (an app, a mini-program) or a web page.
PUBLIC_CHANNELS = frozenset({Channel.API, Channel.WEB})


def _channel(request: HttpRequest, asked: str) -> str:
    """The channel the request may set: a phone call or an e-mail is recorded by staff or a partner system with an
    API token, never claimed by an anonymous caller (the figures by channel and the phone follow-ups rely on it)."""
    if asked in PUBLIC_CHANNELS or asked not in Channel.values:
        return asked  # an unknown channel gets intake's own message
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip() and user_for_token(token.strip()) is not None:
        return asked
    raise ValidationFailed(
        {
            "channel": [
                _("Only staff and partner systems with an API token may set the channel “%(value)s”; leave it out.")
                % {"value": asked}
            ]
        }
    )


def _answer(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "tracking_code": case.tracking_code,
        "tracking_url": request.build_absolute_uri(reverse("portal:track", kwargs={"code": case.tracking_code})),
        "state": case.state,
        "received_at": timezone.localtime(case.created_at),
    }


@router.post(
    "/submissions",
    response={201: SubmissionOut, 200: SubmissionOut, 400: ErrorOut, 422: ErrorOut},
    summary="Submit feedback",
    description=(
        "Store a message and open its case; answers at once with the tracking code. No authentication.\n\n"
        "Send an `Idempotency-Key` header (e.g. a UUID per message) to make retries safe: a request whose key "
        "was seen before answers **200** with the case the first one created instead of **201** with a new one.\n\n"
        "Invalid input answers **422** with every problem at once, field by field; a body that is not JSON "
        "answers **400**. A `channel` other than `api` or `web` needs an API token (**422** without one)."
    ),
    openapi_extra={"responses": {200: {"description": "The key was seen before: the earlier case."}}},
)
def create_submission(
    request: HttpRequest,
    payload: SubmissionIn,
    idempotency_key: str = Header(
        "",
        alias="Idempotency-Key",
        description="A unique key per message (100 characters at most); a retry with the same key creates nothing.",
    ),
) -> Status[dict[str, Any]]:
    contact = payload.contact or ContactIn()
    location = payload.location or LocationIn()
    case, created = submit(
        SubmissionInput(
            body=payload.body,
            title=payload.title,
            kind=payload.kind,
            category=payload.category,
            channel=_channel(request, payload.channel),
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
