"""The respondent's pages: a questionnaire page by page, without JavaScript, on the public link or an invitation's
one-time link. Thin: every write is ``answering.save_page`` or ``answering.submit``.

A GET only shows (mail scanners and link checkers open links): the draft is made by the first page posted. Answers
are kept between pages in a server-side ``Draft``, named by a signed key in a cookie and a hidden field; show-if
is evaluated on the server for every page shown. Each POST counts against the client's rate limit
(``core.throttle``, scope "questionnaire")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fankui.core import throttle
from fankui.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from fankui.core.throttle import Throttled

from .models import NUMBER_KINDS, Draft, Invitation, Kind, Page, Question, Questionnaire
from .services import answering
from .services.answering import Form
from .services.distribution import find_invitation

DRAFT_DAYS_SECONDS = answering.DRAFT_DAYS * 86400


def _cookie(questionnaire: Questionnaire) -> str:
    return f"fq{questionnaire.pk}"


def _message_page(request: HttpRequest, questionnaire: Questionnaire | None, message: str, status: int) -> HttpResponse:
    return render(
        request, "questionnaires/message.html", {"questionnaire": questionnaire, "message": message}, status=status
    )


def _not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return _message_page(request, None, message or _("There is no questionnaire at this address."), 404)


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, key: str) -> HttpResponse:
    questionnaire = answering.public_questionnaire(key)
    if questionnaire is None:
        return _not_found(request)
    return _flow(request, questionnaire, None)


@require_http_methods(["GET", "HEAD", "POST"])
def invited(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = find_invitation(token[:200])
    except NotFound as error:
        return _not_found(request, str(error.message))
    return _flow(request, invitation.questionnaire, invitation)


def _shown_pages(form: Form, values: dict[str, Any]) -> list[Page]:
    """The pages with at least one question shown with these answers (show-if may hide a whole page)."""
    keys = answering.shown(form, values)
    return [p for p in form.pages if any(q.key in keys for q in form.on_page(p))]


def _flow(request: HttpRequest, questionnaire: Questionnaire, invitation: Invitation | None) -> HttpResponse:
    if request.method == "GET" and request.GET.get("done") == "1":
        return _message_page(request, questionnaire, _("Thank you. Your answers were recorded."), 200)
    if invitation is not None and invitation.used_at is not None:
        return _message_page(request, questionnaire, answering.used_message(), 200 if request.method != "POST" else 409)
    reason = answering.closed_reason(questionnaire)
    if reason:
        return _message_page(request, questionnaire, reason, 200 if request.method != "POST" else 409)
    version = questionnaire.current_version
    assert version is not None
    form = Form.of(version)
    signed = str(request.POST.get("draft", "")) or request.COOKIES.get(_cookie(questionnaire), "")
    draft = answering.find_draft(signed, questionnaire, invitation)
    values = draft.values() if draft is not None else {}
    pages = _shown_pages(form, values)
    if request.method != "POST":
        number = request.GET.get("p", "1")
        # ASCII digits only: "²" is a digit to str.isdigit and not a number to int().
        index = int(number) - 1 if number.isascii() and number.isdigit() and len(number) < 4 else 0
        index = min(max(index, 0), len(pages) - 1) if draft is not None else 0
        return _page(request, questionnaire, invitation, form, pages, index, values, draft)
    return _post(request, questionnaire, invitation, form, draft)


def _post(
    request: HttpRequest, questionnaire: Questionnaire, invitation: Invitation | None, form: Form, draft: Draft | None
) -> HttpResponse:
    values = draft.values() if draft is not None else {}
    pages = _shown_pages(form, values)
    page = next((p for p in form.pages if p.key == request.POST.get("page")), form.pages[0])
    go = request.POST.get("go", "next")
    try:
        throttle.check(request, "questionnaire")
        draft = answering.save_page(
            questionnaire, page, request.POST, draft=draft, invitation=invitation, form=form, partial=go == "back"
        )
    except Throttled as error:
        response = _page(
            request,
            questionnaire,
            invitation,
            form,
            pages,
            _index(pages, page),
            values,
            draft,
            errors={"__all__": [str(error.message)]},
            posted=request.POST,
            status=429,
        )
        response["Retry-After"] = str(error.retry_after)
        return response
    except ValidationFailed as error:
        return _page(
            request,
            questionnaire,
            invitation,
            form,
            pages,
            _index(pages, page),
            values,
            draft,
            errors=error.errors,
            posted=request.POST,
            status=422,
        )
    except Conflict as error:
        return _message_page(request, questionnaire, str(error.message), 409)
    values = draft.values()
    pages = _shown_pages(form, values)
    index = _index(pages, page)
    if go == "back":
        return _go(request, questionnaire, draft, max(index - 1, 0) + 1)
    if go != "submit" or index + 1 < len(pages):
        return _go(request, questionnaire, draft, min(index + 1, len(pages) - 1) + 1)
    try:
        answering.submit(
            questionnaire, values, invitation=invitation, language=get_language() or "", draft=draft, form=form
        )
    except ValidationFailed as error:
        # An earlier page's answer is missing (show-if changed what is asked): that page, with the message.
        wrong = next((q for q in form.questions if q.field in error.errors), None)
        index = _index(pages, wrong.page) if wrong is not None else 0
        return _page(
            request, questionnaire, invitation, form, pages, index, values, draft, errors=error.errors, status=422
        )
    except DomainError as error:
        return _message_page(request, questionnaire, str(error.message), error.status)
    response = HttpResponseRedirect(f"{request.path}?done=1")
    response.delete_cookie(_cookie(questionnaire), path=request.path)
    return response


def _index(pages: list[Page], page: Page) -> int:
    return next((n for n, p in enumerate(pages) if p.key == page.key), 0)


def _go(request: HttpRequest, questionnaire: Questionnaire, draft: Draft, number: int) -> HttpResponse:
    response = HttpResponseRedirect(f"{request.path}?p={number}")
    response.set_cookie(
        _cookie(questionnaire),
        answering.sign_draft(draft),
        max_age=DRAFT_DAYS_SECONDS,
        path=request.path,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def question_item(question: Question, value: Any, error: list[str]) -> dict[str, Any]:
    """What the template needs to draw one question, with the answer given so far checked."""
    item: dict[str, Any] = {"q": question, "errors": error, "value": value if isinstance(value, str) else ""}
    options = question.options  # type: ignore[attr-defined]
    if question.kind in NUMBER_KINDS:
        low, high = question.range
        item["numbers"] = [(str(n), str(n) == str(value)) for n in range(low, high + 1)]
    elif question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        chosen = set(value) if isinstance(value, list) else {value}
        item["options"] = [(c.key, c.label, c.key in chosen) for c in options]
    elif question.kind == Kind.MATRIX:
        given = value if isinstance(value, dict) else {}
        item["rows"] = [
            {
                "key": r.key,
                "label": r.label,
                "name": f"{question.field}_{r.key}",
                "options": [(c.key, c.label, given.get(r.key) == c.key) for c in options],
            }
            for r in question.rows  # type: ignore[attr-defined]
        ]
    return item


def _page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    invitation: Invitation | None,
    form: Form,
    pages: list[Page],
    index: int,
    values: dict[str, Any],
    draft: Draft | None,
    *,
    errors: dict[str, list[str]] | None = None,
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
    page = pages[index] if pages else form.pages[0]
    questions = form.on_page(page)
    if posted is not None:
        values = {**values, **answering.read_posted(questions, posted)}
    keys = answering.shown(form, values)
    errors = errors or {}
    items = [question_item(q, values.get(q.key), errors.get(q.field, [])) for q in questions if q.key in keys]
    context = {
        "questionnaire": questionnaire,
        "invitation": invitation,
        "page": page,
        "number": index + 1,
        "total": len(pages),
        "last": index + 1 >= len(pages),
        "items": items,
        "general_errors": errors.get("__all__", []),
        "has_errors": bool(errors),
        "draft": answering.sign_draft(draft) if draft is not None else "",
    }
    return render(request, "questionnaires/answer.html", context, status=status)
