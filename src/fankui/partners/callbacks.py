"""What a partner is told about a step of one of its cases: the body of a callback (docs/partners.md, "Callbacks").

The partner sees what the submitter's tracking page shows and nothing more: the public steps, the state as the
submitter reads it (``portal.queries.public_state``), a rejection's reason and the reply, which are written for the
submitter. Never a staff note, a staff name, the staff-only case number, a rating's comment or contact details: the
partner sent the request, and hears back what its submitter would.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from fankui.audit import labels
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.cases.workflow import Action
from fankui.core.site import public_url
from fankui.portal.queries import LABELS, public_state

from .models import PartnerCase


def tracking_url(case: Case) -> str:
    return public_url() + reverse("portal:track", kwargs={"code": case.tracking_code})


def _local(at: Any) -> str:
    return timezone.localtime(at).isoformat()


# Steps that are not moves of the workflow, named by the audit event whose public words they use.
OTHER_EVENTS = {"info_requested": "sla_info_requested", "extension": "sla_extension_approved"}


def _label(action: str) -> str:
    if action in OTHER_EVENTS:
        words = labels.words(OTHER_EVENTS[action])
        if words is not None:
            return str(words.public or words.staff)
    return str(LABELS.get(action, action))


def body(
    link: PartnerCase,
    followed: Case,
    action: str,
    event: Event | None,
    delivery_id: uuid.UUID,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The callback about ``action`` on ``followed`` for the partner case ``link`` (its own case, or one merged into
    ``followed``), in the submitter's language; ``extra`` adds the fields of a step that is not a move."""
    own = link.case
    state = public_state(followed.state if own.merged_into_id == followed.pk else own.state)
    reply: dict[str, Any] | None = None
    if action == Action.REPLY and own.pk == followed.pk:
        # A follower is not sent the words: they were written to another person and may name them.
        answer = followed.replies.select_related("department").order_by("-created_at", "-id").first()
        if answer is not None:
            reply = {
                "body": answer.body,
                "department": answer.department.name if answer.department else "",
                "at": _local(answer.created_at),
            }
    with translation.override(own.submission.language or settings.LANGUAGE_CODE):
        return {
            "id": str(delivery_id),
            "event": action,
            "event_label": _label(action),
            "occurred_at": _local(event.created_at if event is not None else timezone.now()),
            "partner": link.partner.slug,
            "reference": link.reference,
            "tracking_code": own.tracking_code,
            "tracking_url": tracking_url(own),
            "state": state.value,
            "state_label": str(state.label),
            "merged": own.pk != followed.pk or own.merged_into_id is not None,
            # A rejection's reason is written for the submitter (cases.workflow.CITIZEN_MESSAGES); other notes are
            # the staff's.
            "reason": event.message if event is not None and action == Action.REJECT else "",
            "reply": reply,
            **(extra or {}),
        }
