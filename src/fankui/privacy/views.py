"""The citizen's own data, from the tracking page: see it, download it, erase it, each after a one-time code sent
to the contact on file (the tracking code alone shows no contact details). Thin: every rule is in ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fankui.cases.models import Case
from fankui.core import throttle
from fankui.core.errors import Conflict, NotFound, ValidationFailed
from fankui.core.forms import show_errors
from fankui.portal.views import not_found

from . import dossier, services
from .forms import CodeForm, EraseForm


def _case(code: str) -> Case | None:
    try:
        return services.find(code)
    except NotFound:
        return None


def _proven(request: HttpRequest, case: Case) -> bool:
    return services.still_proven(request.session.get(services.session_key(case)))


def _page(request: HttpRequest, case: Case, status: int = 200, **forms: Any) -> HttpResponse:
    proven = _proven(request, case)
    address = services.contact_address(case.submission)
    context = {
        "case": case,
        "code": case.tracking_code,
        "display_code": case.display_code,
        "proven": proven,
        "erased": services.is_erased(case),
        "sent_to": services.masked_address(address) if address else "",
        "held": dossier.held(case) if proven else None,
        "code_form": forms.get("code_form") or CodeForm(),
        "erase_form": forms.get("erase_form") or EraseForm(),
        "nav": "track",
    }
    return render(request, "privacy/page.html", context, status=status)


@throttle.counted("track")
@require_GET
def page(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(code)
    return not_found(request) if case is None else _page(request, case)


@throttle.counted("track")
@require_POST
def send_code(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(code)
    if case is None:
        return not_found(request)
    try:
        address = services.send_code(case)
    except Conflict as exc:
        messages.warning(request, str(exc.message))
    else:
        messages.success(request, _("A code was sent to %(to)s.") % {"to": services.masked_address(address)})
    return redirect("privacy:page", code=case.tracking_code)


@throttle.counted("track")
@require_POST
def verify(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(code)
    if case is None:
        return not_found(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, case, status=422, code_form=form)
    try:
        services.check_code(case, form.cleaned_data["code"])
    except ValidationFailed as exc:
        show_errors(form, exc)
        return _page(request, case, status=422, code_form=form)
    request.session[services.session_key(case)] = services.proven_until()
    return redirect("privacy:page", code=case.tracking_code)


@throttle.counted("track")
@require_GET
def download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    case = _case(code)
    if case is None or fmt not in ("json", "pdf"):
        return not_found(request)
    if not _proven(request, case):
        return redirect("privacy:page", code=case.tracking_code)
    data = dossier.held(case)
    body, content_type = (
        (dossier.as_json(data), "application/json") if fmt == "json" else (dossier.as_pdf(data), "application/pdf")
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="fankui-{case.tracking_code}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@throttle.counted("track")
@require_POST
def erase(request: HttpRequest, code: str) -> HttpResponse:
    case = _case(code)
    if case is None:
        return not_found(request)
    if not _proven(request, case):
        messages.warning(request, _("Please enter the code we sent you first."))
        return redirect("privacy:page", code=case.tracking_code)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _page(request, case, status=422, erase_form=form)
    try:
        services.erase(case)
    except Conflict as exc:
        messages.warning(request, str(exc.message))
    else:
        messages.success(request, _("Your personal data was erased. The request itself is kept, without it."))
    request.session.pop(services.session_key(case), None)
    return redirect("portal:track", code=case.tracking_code)
