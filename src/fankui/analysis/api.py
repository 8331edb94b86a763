"""The staff API of the analysis: suggestions for a text not sent yet (what the operator's desk shows while they type),
for a telephony or CRM system of the centre's own. Thin: check who asks, count the request, one service call."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import BaseModel

from fankui.accounts.api import staff_auth
from fankui.accounts.models import User
from fankui.core import throttle
from fankui.core.errors import PermissionDenied
from fankui.core.text import Text
from fankui.intake.api import OptionalText, errors

from . import queries, services

router = Router(tags=["staff"], auth=staff_auth)


class SuggestIn(BaseModel):
    text: Text = Field(description="What the caller says so far: the request's text.", examples=["小区燃气泄漏"])
    title: OptionalText = Field(default="", description="A title, if one is typed.")


class ChoiceOut(Schema):
    id: int
    name: str
    confidence: float = Field(description="0..1")


class DuplicateOut(Schema):
    id: int
    number: str
    state: str
    title: str = Field(description="The case's title with personal data masked.")
    similarity: float = Field(description="0..1: how much of the two texts' wording they share.")
    url: str = Field(description="The case's staff page.")


class SuggestOut(Schema):
    kind: str
    kind_label: str
    kind_confidence: float
    category: ChoiceOut | None
    department: ChoiceOut | None = Field(description="The department routing would choose (auto-dispatch's).")
    auto_dispatch: bool = Field(
        description="The department is sure enough to be dispatched automatically (FANKUI_AUTO_DISPATCH_CONFIDENCE)."
    )
    urgency: str = Field(description="normal, urgent or emergency.")
    urgency_label: str
    urgency_confidence: float
    urgency_reasons: list[str] = Field(
        description="Why, by code: gas, trapped, self_harm, violence, fire, medical, flood, electric, danger_to_life "
        "(an emergency); hazard, utilities, vulnerable, pressing (urgent)."
    )
    urgency_reason_labels: list[str]
    emergency: bool
    emergency_numbers: list[str] = Field(description="Where to transfer an emergency: 110, 119, 120.")
    emergency_instruction: str
    duplicate: DuplicateOut | None = Field(
        description="An open or recent case about the same problem, when you may see it."
    )
    personal_data: dict[str, int] = Field(description="What the masking found, by type (counts, never values).")
    model_versions: dict[str, str] | None = Field(description="Analysts and administrators only.")


@router.post(
    "/analysis/suggest",
    response={200: SuggestOut, **errors(400, 401, 403, 413, 422, 429)},
    summary="Suggestions for a text being typed",
    description=(
        "What the analysis would find in a caller's request while the operator types it: kind, category, urgency "
        "(with the emergency numbers to transfer to), the department routing would choose and a likely duplicate "
        "among open and recent cases. Nothing is stored. Dispatchers, supervisors and administrators (403 "
        "otherwise); limited per user (`FANKUI_RATE_SUGGEST`, 429 with `Retry-After`); 422 for a blank or too long "
        "text and for control characters."
    ),
)
def suggest(request: HttpRequest, payload: SuggestIn) -> dict[str, Any]:
    user = cast(User, request.user)
    if not services.can_suggest(user):
        raise PermissionDenied(_("Only the people who take calls and triage cases ask for suggestions."))
    throttle.check_user(request, "suggest")
    suggestion = services.suggest(payload.text, payload.title)
    found = queries.suggested_duplicate(suggestion, user)
    duplicate = None
    if found is not None and suggestion.duplicate is not None:
        case, title = found
        duplicate = {
            "id": case.pk,
            "number": case.number,
            "state": case.state,
            "title": title,
            "similarity": suggestion.duplicate.similarity,
            "url": reverse("staff:case", args=[case.pk]),
        }
    return {
        "kind": suggestion.kind,
        "kind_label": suggestion.kind_label,
        "kind_confidence": suggestion.kind_confidence,
        "category": suggestion.category,
        "department": suggestion.department,
        "auto_dispatch": suggestion.auto_dispatch,
        "urgency": suggestion.urgency,
        "urgency_label": suggestion.urgency_label,
        "urgency_confidence": suggestion.urgency_confidence,
        "urgency_reasons": suggestion.urgency_reasons,
        "urgency_reason_labels": suggestion.reason_labels,
        "emergency": suggestion.emergency,
        "emergency_numbers": suggestion.emergency_numbers,
        "emergency_instruction": suggestion.instruction,
        "duplicate": duplicate,
        "personal_data": suggestion.personal_data,
        "model_versions": suggestion.model_versions if services.can_see_model_details(user) else None,
    }
