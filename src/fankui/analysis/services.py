"""Every write of the analysis app."""

from __future__ import annotations

from typing import Any

from fankui.cases.models import Case

from .models import CaseAnalysis


def queue_case(sender: type, case: Case, **kwargs: Any) -> None:
    """Mark a new case's analysis as pending, in the transaction that opened the case (``case_created``)."""
    CaseAnalysis.objects.create(case=case)
