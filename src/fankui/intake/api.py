"""What ``POST /api/v1/submissions`` accepts (the intake channel for programs: apps, mini-programs, partner systems);
the endpoint itself is the portal's (``portal.api``), as it opens a case.

The schema checks JSON types, ``cases.services.receiving.receive`` checks everything else (the same messages as the
web form).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator, GetJsonSchemaHandler

from fankui.accounts.services import user_for_token
from fankui.core.errors import ValidationFailed
from fankui.core.text import Text
from fankui.core.vocab import Channel, Kind

# Input models are plain pydantic models: ninja's ``Schema`` also reads attributes of arbitrary objects, which would
# let a JSON string stand in for an object (``"contact": "138..."``) instead of being refused.


def _none_is_empty(value: object) -> object:
    return "" if value is None else value


def enum(values: list[str]) -> dict[str, Any]:
    """Document the accepted values while ``submit`` checks them, so a wrong one gets the service's message."""
    return {"enum": values}


class _NullAllowed:
    """Says in the document what ``_none_is_empty`` accepts: the text, or null."""

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {"anyOf": [handler(core_schema), {"type": "null"}]}


# An optional text: JSON null means the same as leaving it out. Every text refuses control characters (core.text).
OptionalText = Annotated[Text, BeforeValidator(_none_is_empty), _NullAllowed()]


class ErrorOut(Schema):
    code: str = Field(description="Machine-readable error code.", examples=["validation_failed"])
    detail: str = Field(description="A message for people, in the language of the request.")
    errors: dict[str, list[str]] | None = Field(
        default=None,
        description="Messages field by field (only for `validation_failed`).",
        examples=[{"body": ["Please describe your request."]}],
    )


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers an endpoint documents (``response={200: X, **errors(401, 422)}``), all with one body.
    tests/core/test_openapi_documents_every_answer.py checks each endpoint lists what it can answer."""
    return dict.fromkeys(statuses, ErrorOut)


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


# What anybody may say about how a message came: it came through this API (an app, a mini-program) or a web page.
PUBLIC_CHANNELS = frozenset({Channel.API, Channel.WEB})


def channel_for(request: HttpRequest, asked: str) -> str:
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
