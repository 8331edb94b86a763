"""SLA pages: the supervision board and the small forms of the case page's deadline panel. Thin: each form calls
one service; a refused action shows the form again with what was typed and the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.cases.models import Case
from fankui.cases.queries import visible_cases
from fankui.cases.views import MAX_PK
from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.forms import show_errors

from . import queries, services
from .forms import DecisionForm, ExtensionForm, InstructionForm, QuestionForm, ResumeForm
from .models import Extension
from .services import extensions, supervision, waiting


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _case(request: HttpRequest, pk: int) -> Case:
    if pk > MAX_PK:
        raise Http404
    case = visible_cases(_user(request)).select_related("lead_department").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _status(error: DomainError) -> int:
    return error.status


def _run(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    title: str,
    action: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Validate ``form``, call the service, and either go back to the case or show the form again with the error."""
    back = reverse("staff:case", args=[case.pk])
    status = 422
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationFailed as error:
            show_errors(form, error)
        except DomainError as error:
            form.add_error(None, str(error.message))
            status = _status(error)
        else:
            messages.success(request, done)
            # To the top of the case page, where the confirmation is: with "#sla" the browser scrolled past it.
            return redirect(back)
    context = {"case": case, "form": form, "title": title, "back": back}
    return render(request, "sla/form.html", context, status=status)


@staff_required
@require_POST
def request_information(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _run(
        request,
        case,
        QuestionForm(request.POST),
        _("Ask the submitter for more information"),
        lambda d: waiting.request_information(case, _user(request), d["question"]),
        _("The question was sent to the submitter; the deadlines are paused.")
        if case.submission.has_contact
        else _(
            "The question was recorded and the deadlines are paused, but the submitter left no contact: they see "
            "it only if they open their tracking page."
        ),
    )


@staff_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _run(
        request,
        case,
        ResumeForm(request.POST),
        _("Resume the deadlines"),
        lambda d: waiting.resume(case, _user(request), d.get("answer", "")),
        _("The deadlines run again."),
    )


@staff_required
@require_POST
def request_extension(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _run(
        request,
        case,
        ExtensionForm(request.POST),
        _("Ask for more time"),
        lambda d: extensions.request_extension(case, _user(request), d["days"], d["reason"]),
        _("The extension request was sent to the supervisors."),
    )


@staff_required
@require_POST
def decide_extension(request: HttpRequest, pk: int, extension: int) -> HttpResponse:
    case = _case(request, pk)
    if extension > MAX_PK or not Extension.objects.filter(pk=extension, case=case).exists():
        raise Http404
    return _run(
        request,
        case,
        DecisionForm(request.POST),
        _("Decide on the extension"),
        lambda d: extensions.decide_extension(extension, _user(request), d["decision"] == "approve", d.get("note", "")),
        _("The decision was recorded."),
    )


@staff_required
@require_POST
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    flagged = queries.case_panel(case).supervision is not None
    return _run(
        request,
        case,
        InstructionForm(request.POST),
        _("Supervise this case"),
        lambda d: (supervision.add_instruction if flagged else supervision.supervise)(
            case, _user(request), d["instruction"]
        ),
        _("The supervision instruction was recorded."),
    )


@staff_required
@require_POST
def unsupervise(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _run(
        request,
        case,
        ResumeForm(request.POST),
        _("End supervision"),
        lambda d: supervision.unsupervise(case, _user(request), d.get("answer", "")),
        _("Supervision ended."),
    )


@staff_required
def board(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "groups": queries.board(visible_cases(user)),
        "extensions": queries.pending_extensions(user) if services.may_supervise(user) else [],
    }
    return render(request, "sla/board.html", context)
