"""Staff pages of answers by phone (回访, 电话访谈): choose a questionnaire for a call, and one page with all its
questions on which the operator records what the person answered. Thin: the one write is
``services.phone.record_by_phone`` (the respondent's own ``answering.submit`` with channel ``phone``).

- ``/staff/questionnaires/phone/?case=<id>``: the questionnaires open for phone answers (from a call of 回访);
- ``/staff/questionnaires/<id>/phone/`` with ``?case=<id>``, ``?invitation=<id>`` or neither: the form. Every
  question is on the page, in order; one whose show-if depends on another says when to ask it, and the server
  drops the answers of questions the answers hide (as on the public page). No JavaScript; keyboard first.

An invitation's page shows its address (the number to call): each opening counts against ``FANKUI_RATE_FOLLOW_UP``
per operator, as the call page of 回访 does, and is an audit entry (``invitation_address_look``). Each response sent,
with an invitation or without, counts against ``FANKUI_RATE_PHONE_ANSWER`` per operator.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fankui.accounts import permissions
from fankui.accounts.views import staff_required
from fankui.cases.models import Case
from fankui.core import throttle
from fankui.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from fankui.core.throttle import Throttled

from .models import NUMBER_KINDS, Invitation, Question, Questionnaire
from .services import answering, get_visible, phone
from .services.answering import Form
from .services.building import audit
from .services.distribution import masked
from .views_answer import question_item


def _case(request: HttpRequest, pk: Any) -> Case | None:
    if not pk:
        return None
    try:
        return phone.find_case(request.user, pk)
    except NotFound as error:
        raise Http404 from error


@staff_required
@require_http_methods(["GET", "HEAD"])
def choose(request: HttpRequest) -> HttpResponse:
    """The questionnaires the operator may record answers to now, each a link to its form (for the case of a call)."""
    case = _case(request, request.GET.get("case"))
    rows = list(phone.open_for_phone(request.user))
    context = {"case": case, "rows": rows, "may_call": permissions.may_follow_up(request.user)}
    return render(request, "questionnaires/phone_choose.html", context)


def _form_key(request: HttpRequest) -> str:
    key = str(request.POST.get("form_key", ""))
    return key if phone.FORM_KEY.fullmatch(key) else ""


def condition(question: Question, by_pk: dict[int, Question]) -> str:
    """When to ask a question that show-if hides, in words: the operator has the whole questionnaire on one page."""
    source = by_pk.get(question.show_if_id or 0)
    if source is None:
        return ""
    if source.kind in NUMBER_KINDS:
        low = question.show_if_min if question.show_if_min is not None else source.range[0]
        high = question.show_if_max if question.show_if_max is not None else source.range[1]
        return _("Ask only if the answer to “%(question)s” is from %(low)d to %(high)d.") % {
            "question": source.text,
            "low": low,
            "high": high,
        }
    wanted = set(question.show_if_values or [])
    labels = [c.label for c in source.options if c.key in wanted]  # type: ignore[attr-defined]
    if not labels:
        return _("Ask only if “%(question)s” was answered.") % {"question": source.text}
    return _("Ask only if the answer to “%(question)s” is: %(answers)s.") % {
        "question": source.text,
        "answers": " / ".join(labels),
    }


def _page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    form: Form,
    *,
    case: Case | None,
    invitation: Invitation | None,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    values = values or {}
    errors = errors or {}
    by_pk = {q.pk: q for q in form.questions}
    items = []
    for question in form.questions:
        item = question_item(question, values.get(question.key), errors.get(question.field, []))
        item["condition"] = condition(question, by_pk)
        items.append(item)
    address = ""
    if invitation is not None:
        address = invitation.address or ""
        if address:
            audit(request.user, questionnaire, "invitation_address_look", invitation=invitation.pk)
    context = {
        "questionnaire": questionnaire,
        "case": case,
        "invitation": invitation,
        "address": address,
        "masked": masked(invitation) if invitation is not None else "",
        "pages": [(page, [i for i in items if i["q"].page_id == page.pk]) for page in form.pages],
        "items": items,
        "general_errors": errors.get("__all__", []),
        "has_errors": bool(errors),
        "refused": refused or answering.closed_reason(questionnaire),
        # A refused form keeps its key: nothing was stored with it, and sending it again stays one response.
        "form_key": _form_key(request) or phone.new_form_key(),
    }
    return render(request, "questionnaires/phone.html", context, status=status)


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """One call's answers: GET shows every question; POST records them as one response with channel ``phone``."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        questionnaire = get_visible(request.user, pk)
    except NotFound as error:
        raise Http404 from error
    if not phone.may_record(request.user, questionnaire):
        raise DjangoPermissionDenied
    case = _case(request, data.get("case"))
    invitation = None
    if data.get("invitation"):
        try:
            invitation = phone.find_invitation(questionnaire, data.get("invitation"))
        except NotFound as error:
            raise Http404 from error
        try:
            # The page shows the person's address: counted per operator, never to be run in bulk.
            throttle.check_user(request, "follow_up")
        except Throttled as exc:
            return throttle.page(request, exc)
    version = questionnaire.current_version
    if version is None:
        raise Http404
    form = Form.of(version)
    if request.method != "POST":
        refused = answering.used_message() if invitation is not None and invitation.used_at else ""
        return _page(request, questionnaire, form, case=case, invitation=invitation, refused=refused)
    values = answering.read_posted(form.questions, request.POST)

    def again(status: int, **shown: Any) -> HttpResponse:
        """The page as filled in, nothing recorded, with what stopped it."""
        return _page(
            request, questionnaire, form, case=case, invitation=invitation, values=values, status=status, **shown
        )

    try:
        # Every response sent counts per operator (``FANKUI_RATE_PHONE_ANSWER``), with an invitation or without.
        throttle.check_user(request, "phone_answer")
        phone.record_by_phone(
            request.user,
            questionnaire,
            values,
            invitation=invitation,
            case=case,
            language=get_language() or "zh-hans",
            form=form,
            form_key=_form_key(request),
        )
    except ValidationFailed as error:
        return again(422, errors=error.errors)
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    except Throttled as error:
        # The answers are kept for when the limit lifts.
        page = again(429, errors={"__all__": [str(error.message)]})
        page["Retry-After"] = str(error.retry_after)
        return page
    except DomainError as error:
        return again(error.status, refused=str(error.message))
    messages.success(request, _("The answers were recorded as a phone response."))
    if case is not None:
        # Back to the call, whose outcome the operator records next (回访's page is the centre's).
        if permissions.may_follow_up(request.user):
            return redirect("surveys:call", pk=case.pk)
        return redirect("staff:case", pk=case.pk)
    if invitation is not None:
        return redirect("questionnaires:invitations", pk=questionnaire.pk)
    return redirect(reverse("questionnaires:phone", args=[questionnaire.pk]))
