"""Staff pages: the inboxes, the case list, the case page and its actions. Thin: every list starts from
``queries.visible_cases`` and every action goes through ``moves.perform``."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fankui.accounts import permissions
from fankui.accounts.models import DEPARTMENT_ROLES, User
from fankui.accounts.views import staff_required
from fankui.audit.services import record_access, record_accesses
from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.forms import show_errors

from . import queries, workflow
from .forms import ActionForm, FilterForm, action_form
from .models import Case
from .services import moves
from .workflow import Action

# The largest primary key a database column holds; a longer number in a URL is simply not a case.
MAX_PK = 2**63 - 1


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if permissions.has_role(user, workflow.TRIAGE):  # the people who accept and dispatch start there
        return redirect("staff:triage")
    if permissions.has_role(user, DEPARTMENT_ROLES):
        return redirect("staff:inbox")
    if permissions.only_audits(user):  # an auditor works no case: their work is the audit trail
        return redirect("audit:search")
    return redirect("staff:cases")


# --- Lists ------------------------------------------------------------------------------------------------------
def _my_part(user: User, case: Case) -> str:
    """Whether the user's department leads the case or only assists (the inbox shows both)."""
    return "lead" if permissions.in_department(user, case.lead_department) else "assist"


def _page_of(cases: QuerySet[Case], number: str | None) -> tuple[Page[int], list[Case]]:
    """The page's cases in two steps: their ids (the filter, the order and the page, nothing else), then those 25 rows
    with everything the list shows. In one step SQLite computed the deadline columns and joins for every case a
    department's filter matched (4,600 of 100,000) before sorting them, and a handler's list took 16 ms in that query
    against 1 ms unscoped (bench/README.md, `bench security`)."""
    page = Paginator(cases.values_list("pk", flat=True), settings.FANKUI_PAGE_SIZE).get_page(number)
    ids = list(page.object_list)
    by_id = cases.in_bulk(ids)
    return page, [by_id[pk] for pk in ids if pk in by_id]


def _case_list(
    request: HttpRequest,
    cases: QuerySet[Case],
    *,
    title: str,
    intro: str,
    states: tuple[str, ...] | None = None,
    oldest_first: bool = False,
    show_part: bool = False,
) -> HttpResponse:
    user = _user(request)
    form = FilterForm(request.GET, states=states)
    form.is_valid()  # invalid filters are dropped and named above the list, never an error page
    filters = form.to_filter()
    cases = queries.for_list(queries.filter_cases(cases, filters, user))
    cases = queries.oldest_first(cases) if oldest_first else cases.order_by("-created_at", "-id")
    page, rows = _page_of(cases, request.GET.get("page"))
    if queries.phone_in(filters.q):
        # Finding cases by a caller's number is a look at personal data: each case shown is recorded.
        record_accesses(user, rows, "phone_search")
    part = show_part and permissions.has_role(user, DEPARTMENT_ROLES)
    for case in rows:
        case.my_part = _my_part(user, case) if part else ""  # type: ignore[attr-defined]
    context = {
        "title": title,
        "intro": intro,
        "form": form,
        "page": page,
        "rows": rows,
        "show_part": part,
        "ignored": form.ignored(),
        "list_url": request.path,
        "columns": queries.LIST_COLUMNS,
    }
    # htmx swaps only the table; a history restore (back button with an empty cache) needs the whole page.
    partial = "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers
    response = render(request, "cases/_table.html" if partial else "cases/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
def triage(request: HttpRequest) -> HttpResponse:
    if permissions.has_role(_user(request), DEPARTMENT_ROLES):
        # Triage is not a department's work (its menu does not offer it); its cases are in its inbox.
        return redirect("staff:inbox")
    return _case_list(
        request,
        queries.triage_inbox(_user(request)),
        title=_("Triage"),
        intro=_("New, accepted and returned cases waiting for acceptance or dispatch, oldest first."),
        states=queries.TRIAGE_STATES,
        oldest_first=True,
    )


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _case_list(
        request,
        queries.department_inbox(_user(request)),
        title=_("Department inbox"),
        intro=_("Cases dispatched to your department and not yet answered, oldest first."),
        states=queries.DEPARTMENT_STATES,
        oldest_first=True,
        show_part=True,
    )


@staff_required
def all_cases(request: HttpRequest) -> HttpResponse:
    return _case_list(
        request,
        queries.visible_cases(_user(request)),
        title=_("All cases"),
        intro=_("Every case you may see, newest first."),
    )


# --- One case ---------------------------------------------------------------------------------------------------
def _visible_case(user: User, pk: int) -> Case:
    """The case if ``user`` may see it; otherwise 404, so that a case outside one's scope does not even exist."""
    if pk > MAX_PK:
        raise Http404
    cases = queries.for_list(queries.visible_cases(user)).select_related("category__department")
    case = cases.filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def _has_contact(case: Case) -> bool:
    s = case.submission
    return not s.anonymous and bool(s.contact_name or s.contact_phone or s.contact_email or s.address)


def _render_case(
    request: HttpRequest, case: Case, *, failed: tuple[str, ActionForm] | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    view = queries.staff_view(case, user)
    failed_action, failed_form = failed or ("", None)
    actions = [
        (t, failed_form if t.action == failed_action and failed_form else action_form(t.action, case))
        for t in moves.available_actions(case, user)
    ]
    # Personal data by need (accounts.permissions): who may read the contact details, the words as written and the
    # attachments is decided per case; each look at what is shown is recorded.
    text = queries.readable_text(case, user)
    contact = _has_contact(case) and permissions.may_see_contact(user, case)
    attachments = view["attachments"] if permissions.may_open_attachments(user, case) else []
    if contact:
        record_access(user, case, queries.contact_look(case))
    if text.personal or view["words_personal"]:  # the citizen's words on the timeline are their text too
        record_access(user, case, "text")
    context = {
        **view,
        "actions": actions,
        "failed_action": failed_action,
        # The form of a move that is no longer possible is not offered again, but what was typed is kept.
        "orphan_form": failed_form if failed_form and failed_action not in {t.action for t, _ in actions} else None,
        "text": text,
        "attachments": attachments,
        "hidden_attachments": len(view["attachments"]) - len(attachments),
        "show_contact": contact,
        "contact_withheld": _has_contact(case) and not contact,
        "reporter_protected": permissions.is_report(case),
        "danger_actions": {Action.REJECT, Action.RETURN, Action.REOPEN, Action.MARK_SPAM},
    }
    return render(request, "cases/detail.html", context, status=status)


@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _visible_case(_user(request), pk))


DONE = {
    Action.ACCEPT: gettext_lazy("The case was accepted."),
    Action.REJECT: gettext_lazy("The case was rejected; the submitter sees the reason."),
    Action.DISPATCH: gettext_lazy("The case was dispatched."),
    Action.REDISPATCH: gettext_lazy("The case was dispatched again."),
    Action.RETURN: gettext_lazy("The case was returned to triage."),
    Action.START: gettext_lazy("You started handling the case."),
    Action.REPLY: gettext_lazy("The reply was sent; the submitter is asked to rate it."),
    Action.CLOSE: gettext_lazy("The case was closed."),
    Action.REOPEN: gettext_lazy("The case was reopened."),
    Action.MERGE: gettext_lazy("The case was merged into its primary."),
    Action.MARK_SPAM: gettext_lazy("The case was marked as spam or abuse; the submitter is not told."),
    Action.UNMARK_SPAM: gettext_lazy("The spam mark was taken back; the case is received again."),
    Action.ANSWER_AT_ONCE: gettext_lazy("The answer was recorded and the case closed; the submitter is sent it."),
}


@staff_required
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in moves.STAFF_ACTIONS:
        raise Http404
    user = _user(request)
    case = _visible_case(user, pk)
    if request.method != "POST":
        return redirect("staff:case", pk=case.pk)
    form = action_form(action, case, request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return _render_case(request, case, failed=(action, form), status=422)
    try:
        moves.perform(case, user, action, form.to_input())
    except ValidationFailed as error:
        show_errors(form, error)
        messages.error(request, str(error.message))
        return _render_case(request, case, failed=(action, form), status=error.status)
    except DomainError as error:
        messages.error(request, str(error.message))
        case.refresh_from_db()
        return _render_case(request, case, failed=(action, form), status=error.status)
    done = str(DONE[Action(action)])
    if action in (Action.REPLY, Action.ANSWER_AT_ONCE) and not case.submission.has_contact:
        # Nothing can be sent to a submitter who left no contact: say where they will find the reply instead.
        done = _("The reply is on the tracking page; the submitter left no contact to send it to.")
    messages.success(request, done)
    # After a redispatch elsewhere the case may have left this user's scope: land on their home page then.
    if queries.visible_cases(user).filter(pk=case.pk).exists():
        return redirect("staff:case", pk=case.pk)
    return redirect(reverse("staff:home"))
