"""Reads about the analysis shared by pages and checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.queries import shown_title, visible_cases
from fankui.core.doctor import FAIL, OK, Finding

from . import store
from .models import CaseAnalysis
from .suggestions import Suggestion


def backlog_check() -> tuple[bool, dict[str, Any]]:
    """/readyz: cases still waiting for their analysis (masking, kind, routing) stay under
    ``FANKUI_READY_MAX_BACKLOG``. The count stops just above it: the pending index is small, but need not be read
    whole."""
    limit = settings.FANKUI_READY_MAX_BACKLOG
    pending = CaseAnalysis.objects.filter(status=CaseAnalysis.Status.PENDING)[: limit + 1].count()
    return pending <= limit, {"pending": pending, "max": limit}


def backlog_finding() -> Finding:
    """`fankui doctor`: the same count as /readyz, in words."""
    ok, details = backlog_check()
    text = _("%(pending)d cases wait for their analysis (at most %(max)d)") % details
    return Finding("analysis_backlog", OK if ok else FAIL, text)


def models_finding() -> Finding:
    """`fankui doctor`: the trained models in the database, each with its version and size; one whose bytes do not
    match their checksum fails (the analysis would refuse it)."""
    found = store.sizes()
    if not found:
        return Finding("models", OK, _("no trained model: the shipped models and keyword rules are used"))
    listed = ", ".join(f"{version} ({size / 1e6:.1f} MB)" for _name, version, size, _ok in found)
    damaged = [name for name, _version, _size, ok in found if not ok]
    if damaged:
        text = _("damaged (do not match their checksum): %(names)s; train them again") % {"names": ", ".join(damaged)}
        return Finding("models", FAIL, text)
    return Finding(
        "models", OK, _("%(count)d trained, in the database: %(models)s") % {"count": len(found), "models": listed}
    )


def suggested_duplicate(suggestion: Suggestion, user: User) -> tuple[Case, str] | None:
    """The likely duplicate of a suggestion as ``user`` may see it: the case and its title with personal data masked
    (``cases.queries.shown_title``), or None when there is none or it is outside what ``user`` may see."""
    if suggestion.duplicate is None:
        return None
    case = visible_cases(user).select_related("submission", "analysis").filter(pk=suggestion.duplicate.case_id).first()
    return (case, shown_title(case, user)) if case is not None else None
