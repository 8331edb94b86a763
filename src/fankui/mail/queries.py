"""Reads of this app that higher apps share (privacy's dossier of everything held about a request)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fankui.cases.models import Case

from .models import FollowUp


def follow_ups(case: Case) -> list[dict[str, Any]]:
    """The citizen's later e-mails on ``case`` as the dossier lists them: when, and the words kept. Mail from
    another address about the case (someone copied on the thread) is that person's, not the citizen's."""
    return [
        {"at": timezone.localtime(item.created_at).isoformat(timespec="seconds"), "text": item.text}
        for item in FollowUp.objects.filter(case=case, from_contact=True).order_by("created_at", "id")
    ]
