"""Staff pages of the analysis app: the correction of a case's analysis (the panel is on the case page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fankui.accounts.models import Department
from fankui.accounts.views import staff_required
from fankui.cases.models import Category
from fankui.cases.queries import visible_cases
from fankui.cases.views import _user
from fankui.core.errors import DomainError, ValidationFailed

from . import services

MAX_PK = 2**63 - 1


def _pick(model: type[Category] | type[Department], raw: str | None, field: str) -> Category | Department | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_PK:
        raise ValidationFailed({field: [_("Unknown choice.")]})
    found = model.objects.filter(pk=int(raw)).first()
    if found is None:
        raise ValidationFailed({field: [_("Unknown choice.")]})
    return found


@staff_required
@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = visible_cases(user).filter(pk=pk).first() if pk <= MAX_PK else None
    if case is None:
        raise Http404
    try:
        category = _pick(Category, request.POST.get("category"), "category")
        department = _pick(Department, request.POST.get("department"), "department")
        services.correct(
            case,
            user,
            kind=request.POST.get("kind") or None,
            nature=request.POST.get("nature") or None,
            category=category if isinstance(category, Category) else None,
            department=department if isinstance(department, Department) else None,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Thank you: the correction is saved and the models will learn from it."))
    return redirect("staff:case", pk=case.pk)
