"""What a partner posts: the fields of ``POST /api/v1/submissions`` (``intake.api.SubmissionIn``, one schema so the
two never drift) and the partner's own id of the request."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field
from pydantic import ValidationError

from fankui.core import schema_errors
from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.text import Text
from fankui.intake.api import ContactIn, LocationIn, OptionalText, SubmissionIn
from fankui.intake.services import SubmissionInput

from .services import MAX_REFERENCE


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


class PartnerSubmissionIn(SubmissionIn):
    reference: Text = Field(
        min_length=1,
        max_length=MAX_REFERENCE,
        description="Your own id of this request (1 to 60 characters). A request sent again with the same reference "
        "returns the first case instead of opening another.",
        examples=["WX-20261116-0001"],
    )
    channel: OptionalText = Field(
        default="",
        description="Ignored: a partner's requests are recorded under the channel `partner`.",
    )


def parse(body: bytes) -> PartnerSubmissionIn:
    """The request's JSON, checked: 400 when it is not JSON, 422 with every problem by field when it does not fit."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: arrays or objects nested thousands deep
        raise BadRequest(_("The request body could not be read: send JSON (Content-Type: application/json).")) from None
    try:
        return PartnerSubmissionIn.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(_errors(error)) from None


def _errors(error: ValidationError) -> dict[str, list[str]]:
    """Field paths as the API names them ("contact.phone"), every problem at once."""
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        path = ".".join(str(part) for part in item.get("loc", ())) or "request"
        errors.setdefault(path, []).append(schema_errors.message(item))
    return errors


def to_input(payload: PartnerSubmissionIn) -> SubmissionInput:
    contact = payload.contact or ContactIn()
    location = payload.location or LocationIn()
    data: dict[str, Any] = {
        "body": payload.body,
        "title": payload.title,
        "kind": payload.kind,
        "category": payload.category,
        "contact_name": contact.name,
        "contact_phone": contact.phone,
        "contact_email": contact.email,
        "anonymous": bool(payload.anonymous),
        "address": location.address,
        "lat": location.lat,
        "lng": location.lng,
        "language": payload.language,
    }
    return SubmissionInput(**data)
