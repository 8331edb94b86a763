"""The auditor's search of the audit trail. Thin: the form says what to find, ``queries.search`` finds it, and the
search itself is recorded (``services.record_audit_search``)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.accounts.views import staff_required

from . import queries, services
from .forms import AuditSearchForm


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not permissions.reads_audit_trail(user):
        return render(request, "accounts/forbidden.html", status=403)
    form = AuditSearchForm(request.GET or None)
    chosen = form.chosen() if form.is_bound else queries.AuditFilter()
    if form.is_bound and not form.is_valid():
        page = None
        rows: list[queries.Row] = []
    else:
        page = Paginator(queries.search(chosen), settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = queries.named(list(page.object_list))
    services.record_audit_search(user, chosen.as_data(), page=page.number if page else None)
    return render(request, "audit/search.html", {"form": form, "page": page, "rows": rows})
