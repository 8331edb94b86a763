"""Data for the analysis panel on the staff case page, loaded by the template so the case view stays untouched."""

from __future__ import annotations

from typing import Any

from django import template

from fankui.accounts.models import Department, User
from fankui.cases import services as case_services
from fankui.cases.models import Case, Category
from fankui.cases.queries import visible_cases
from fankui.core.vocab import Kind

from .. import services
from ..models import CaseAnalysis, Nature
from ..rules import REASON_LABELS

register = template.Library()


@register.simple_tag
def analysis_panel(case: Case, user: User) -> dict[str, Any]:
    analysis = (
        CaseAnalysis.objects.select_related("category", "department", "topic", "duplicate_of", "rule")
        .filter(case=case)
        .first()
    )
    duplicate = None
    if analysis and analysis.duplicate_of_id:
        duplicate = visible_cases(user).filter(pk=analysis.duplicate_of_id).first()
    can_correct = services.can_correct(user)
    return {
        "analysis": analysis,
        "reasons": [REASON_LABELS.get(r, r) for r in (analysis.urgency_reasons if analysis else [])],
        "duplicate": duplicate,
        "can_merge": bool(duplicate and case_services.can_act(user, case, "merge")),
        "can_correct": can_correct,
        "kinds": Kind.choices if can_correct else [],
        "natures": Nature.choices if can_correct else [],
        "categories": list(Category.objects.filter(active=True, level=1)) if can_correct else [],
        "departments": list(Department.objects.filter(active=True).order_by("path")) if can_correct else [],
    }


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"
