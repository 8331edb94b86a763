"""Staff pages of the analysis app: the correction of a case's analysis (the panel is on the case page), and the
operator's suggestions while typing (a fragment for the desk)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fankui.accounts.models import Department, User
from fankui.accounts.views import staff_required
from fankui.cases.models import Category
from fankui.cases.queries import visible_cases
from fankui.cases.views import _user
from fankui.core import throttle
from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.text import as_id, first_control

from . import queries, services
from .suggestions import Suggestion

MAX_PK = 2**63 - 1


def _pick(model: type[Category] | type[Department], raw: str | None, field: str) -> Category | Department | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    pk = as_id(raw)
    if pk is None or pk > MAX_PK:
        raise ValidationFailed({field: [_("Unknown choice.")]})
    found = model.objects.filter(pk=pk).first()
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


@staff_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """The operator's suggestions while they type (``services.suggest``): a fragment the desk swaps in after each
    pause in typing (htmx, with the CSRF token every htmx request sends). A problem with the text (a control
    character, too long) is shown in the fragment with 200: htmx swaps in only successful answers, and the operator
    must see it. Blank text: the hint of what will appear."""
    user = _user(request)
    if not services.can_suggest(user):
        raise PermissionDenied
    try:
        throttle.check_user(request, "suggest")
    except throttle.Throttled as error:
        response = render(request, TEMPLATE, {"problems": [error.message]}, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    text, title = request.POST.get("text", ""), request.POST.get("title", "")
    if not text.strip():
        # The desk may have only a title typed so far.
        text, title = title, ""
    if not text.strip() and first_control(text) is None:
        return render(request, TEMPLATE, {})
    try:
        suggestion = services.suggest(text, title)
    except ValidationFailed as error:
        problems = [str(problem) for field in error.errors.values() for problem in field]
        return render(request, TEMPLATE, {"problems": problems or [str(error.message)]})
    return render(request, TEMPLATE, presented(suggestion, user))


TEMPLATE = "analysis/_suggest.html"


def presented(suggestion: Suggestion, user: User) -> dict[str, Any]:
    """The fragment's context: the suggestion, and its likely duplicate only if ``user`` may see that case."""
    duplicate = queries.suggested_duplicate(suggestion, user)
    return {
        "s": suggestion,
        "duplicate": duplicate[0] if duplicate else None,
        "duplicate_title": duplicate[1] if duplicate else "",
    }
