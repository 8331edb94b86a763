"""The operator's desk (话务员工作台): one page for a call or a visit, and the fragments it asks for while the
operator types (the caller's earlier cases, the emergency advice, the knowledge of earlier replies). Thin: parse,
ask ``accounts.permissions``, call one service or query, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.analysis.models import REASON_LABELS
from fankui.cases.queries import visible_cases
from fankui.core import throttle
from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.forms import show_errors
from fankui.core.vocab import Channel

from . import knowledge, queries, services
from .forms import SERVICE_FIELDS, CallForm, TextForm, new_token

# The last call recorded at this desk (its case's id), shown with its tracking code until the next one.
LAST = "desk_last"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def desk_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Staff whose role takes calls (``permissions.may_use_desk``); everybody else is told so (403)."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not permissions.may_use_desk(request.user):
            return render(request, "desk/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _page(request: HttpRequest, form: CallForm, token: str, *, status: int = 200) -> HttpResponse:
    user = _user(request)
    last = None
    if LAST in request.session:
        last = visible_cases(user).select_related("submission").filter(pk=request.session[LAST]).first()
    caller = form["caller"].value() or ""
    # Focus where the operator types next: the number, or after one the phone system passed, the name; after an
    # error the field of the first error.
    first_error = next((name for name in form.fields if name in form.errors), None)
    focus = first_error or ("name" if caller and not form.is_bound else "caller")
    form.fields[focus].widget.attrs["autofocus"] = True
    reasons = services.emergency_reasons(str(form["title"].value() or ""), str(form["body"].value() or ""))
    context = {
        "form": form,
        "token": token,
        "last": last,
        "last_emergency": last is not None and last.events.filter(action="flagged_emergency").exists(),
        "may_answer": services.may_answer_at_once(user),
        "sees_history": permissions.is_centre(user),
        "history": queries.caller_history(user, str(caller)) if caller else None,
        "urgency_reasons": reasons,
        "urgency_words": [str(REASON_LABELS.get(reason, reason)) for reason in reasons],
    }
    return render(request, "desk/desk.html", context, status=status)


@desk_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # The phone system opens the desk with the caller's number: /staff/desk/?caller=13812345678.
        initial = {"caller": request.GET.get("caller", "")[:40], "channel": request.GET.get("channel", Channel.PHONE)}
        if not TextForm({"caller": initial["caller"]}).is_valid():  # a control character from a broken dialler
            initial["caller"] = ""
        return _page(request, CallForm(initial=initial), new_token())
    form = CallForm(request.POST)
    answer_now = request.POST.get("finish") == "answer"
    if form.is_valid():
        try:
            # The caller is written to in the site's language (Chinese), whatever language the operator's screen is in.
            call = form.call(answer_now=answer_now, language=settings.LANGUAGE_CODE)
            recorded = services.record_call(_user(request), call)
        except ValidationFailed as error:
            show_errors(form, error, SERVICE_FIELDS)
            status = error.status
        except DomainError as error:
            form.add_error(None, str(error.message))
            status = error.status
        else:
            request.session[LAST] = recorded.case.pk
            return redirect("desk:desk")
    else:
        status = 422
    # Everything typed comes back, with the same token: nothing was stored under it.
    return _page(request, form, form.cleaned_data.get("token") or new_token(), status=status)


def _fragment_form(request: HttpRequest) -> TextForm | HttpResponse:
    """The fragment's input, counted per operator against the limit of what is asked while typing (``suggest``, as
    the analysis' suggestions are): the caller history is a search by phone number, never to be run in bulk."""
    try:
        throttle.check_user(request, "suggest")
    except throttle.Throttled as error:
        response = render(request, "desk/_refused.html", {"errors": [error.message]}, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    form = TextForm(request.POST)
    if not form.is_valid():
        errors = [str(message) for messages in form.errors.values() for message in messages]
        return render(request, "desk/_refused.html", {"errors": errors}, status=422)
    return form


@desk_required
@require_POST
def history(request: HttpRequest) -> HttpResponse:
    form = _fragment_form(request)
    if isinstance(form, HttpResponse):
        return form
    raw = form.cleaned_data["caller"].strip()
    found = queries.caller_history(_user(request), raw) if raw else None
    context = {"history": found, "raw": raw, "sees_history": permissions.is_centre(_user(request))}
    return render(request, "desk/_history.html", context)


@desk_required
@require_POST
def urgency(request: HttpRequest) -> HttpResponse:
    """The emergency advice while the operator types: the analysis's own urgency rules, run at once."""
    form = _fragment_form(request)
    if isinstance(form, HttpResponse):
        return form
    reasons = services.emergency_reasons(form.cleaned_data["title"], form.cleaned_data["body"])
    words = [str(REASON_LABELS.get(reason, reason)) for reason in reasons]
    return render(request, "desk/_urgency.html", {"reasons": reasons, "words": words})


@desk_required
@require_POST
def knowledge_search(request: HttpRequest) -> HttpResponse:
    """The closest earlier official replies to the search, or else to what the caller says."""
    form = _fragment_form(request)
    if isinstance(form, HttpResponse):
        return form
    query = form.cleaned_data["q"].strip() or f"{form.cleaned_data['title']} {form.cleaned_data['body']}".strip()
    answers = knowledge.search(query)
    return render(request, "desk/_knowledge.html", {"answers": answers, "query": query})
