"""Data for the analysis panel on the staff case page, loaded by the template so the case view stays untouched."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy

from fankui.accounts.models import Department, User
from fankui.cases.models import Case, Category
from fankui.cases.queries import visible_cases
from fankui.cases.services import moves
from fankui.core.vocab import Kind

from .. import services
from ..models import REASON_LABELS, CaseAnalysis, Nature

register = template.Library()

# What the masking found, by the names ``masking`` counts them under ({"mobile": 1}).
PERSONAL_DATA_KINDS = {
    "mobile": gettext_lazy("mobile number"),
    "landline": gettext_lazy("landline number"),
    "id_number": gettext_lazy("ID card number"),
    "bank_card": gettext_lazy("bank card number"),
    "email": gettext_lazy("e-mail address"),
    "plate": gettext_lazy("licence plate"),
    "name": gettext_lazy("person's name"),
}
# The steps named in ``CaseAnalysis.model_versions``.
STEPS = {
    "masking": gettext_lazy("Masking"),
    "kind": gettext_lazy("Kind"),
    "nature": gettext_lazy("Nature"),
    "category": gettext_lazy("Category"),
    "sentiment": gettext_lazy("Sentiment"),
    "urgency": gettext_lazy("Urgency"),
    "routing": gettext_lazy("Suggested department"),
    "department": gettext_lazy("Suggested department"),
}


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
    technical = services.can_see_model_details(user)
    return {
        "technical": technical,
        "versions": [(str(STEPS.get(k, k)), v) for k, v in (analysis.model_versions or {}).items()]
        if analysis and technical
        else [],
        "analysis": analysis,
        "reasons": [REASON_LABELS.get(r, r) for r in (analysis.urgency_reasons if analysis else [])],
        "duplicate": duplicate,
        "can_merge": bool(duplicate and moves.can_act(user, case, "merge")),
        "can_correct": can_correct,
        "kinds": Kind.choices if can_correct else [],
        "natures": Nature.choices if can_correct else [],
        "categories": list(Category.objects.filter(active=True, level=1)) if can_correct else [],
        "departments": list(Department.objects.filter(active=True).order_by("path")) if can_correct else [],
    }


@register.filter
def personal_data_kind(kind: str) -> str:
    return str(PERSONAL_DATA_KINDS.get(kind, kind))


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"
