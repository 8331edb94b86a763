"""Reads about the analysis shared by pages and checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .models import CaseAnalysis


def backlog_check() -> tuple[bool, dict[str, Any]]:
    """/readyz: cases still waiting for their analysis (masking, kind, routing) stay under
    ``FANKUI_READY_MAX_BACKLOG``. The count stops just above it: the pending index is small, but need not be read
    whole."""
    limit = settings.FANKUI_READY_MAX_BACKLOG
    pending = CaseAnalysis.objects.filter(status=CaseAnalysis.Status.PENDING)[: limit + 1].count()
    return pending <= limit, {"pending": pending, "max": limit}
