"""Staff pages for improvement actions: list, create (from a topic, from cases, by hand), the action's page with
its steps, progress, cases and indicator. Thin: every write is one call of ``services``."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.cases.queries import visible_cases
from fankui.core.errors import DomainError, NotFound, ValidationFailed
from fankui.core.forms import posted_text, show_errors
from fankui.core.text import as_id
from fankui.topics.queries import visible_topics

from . import indicators, services
from .forms import SERVICE_FIELDS, ActionForm
from .models import Action, ActionCase, Source, State
from .services import creating, linking, moves
from .workflow import Step


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _get(request: HttpRequest, pk: int) -> Action:
    try:
        return services.get_visible(_user(request), pk)
    except NotFound as error:
        raise Http404 from error


@staff_required
def action_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    actions = services.visible_actions(user).select_related("owner", "department", "topic")
    state = request.GET.get("state", "")
    if state in State.values:
        actions = actions.filter(state=state)
    page = Paginator(actions.order_by("-created_at", "-id"), settings.FANKUI_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "actions/list.html",
        {"page": page, "states": State.choices, "state": state, "can_create": services.can_create(user)},
    )


def _initial(request: HttpRequest) -> dict[str, object]:
    """Prefill from where the user came: a hot topic (?topic=), selected cases (?cases=1,2,3) or survey answers."""
    initial: dict[str, object] = {"source": Source.MANUAL, "public": True, "indicator_weeks": "4"}
    topic_id = as_id(request.GET.get("topic", ""))
    if topic_id is not None:
        topic = visible_topics(_user(request)).filter(pk=topic_id).first()
        if topic is not None:
            initial.update(topic=str(topic.pk), source=Source.TOPIC, title=topic.label, indicator="topic_weekly")
    raw_ids = request.GET.get("cases", "")
    if raw_ids:
        initial.update(case_ids=raw_ids.replace(",", " ")[:20_000], source=Source.CASES)
    if request.GET.get("source") == Source.SURVEY:
        initial.update(source=Source.SURVEY, from_bad_ratings=True, indicator="department_satisfaction")
    return initial


@staff_required
def action_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.can_create(user):
        raise PermissionDenied  # the site's 403 page: this role does not create actions
    status = 200
    if request.method == "POST":
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                action = creating.create_action(user, form.to_input())
            except ValidationFailed as error:
                show_errors(form, error, SERVICE_FIELDS)
                messages.error(request, _("Please correct the marked fields."))
                status = 422
            except DomainError as error:
                messages.error(request, str(error.message))
                status = error.status
            else:
                messages.success(request, _("The action was created as a draft."))
                return redirect("actions:detail", pk=action.pk)
    else:
        form = ActionForm(initial=_initial(request))
    topic_id = as_id(form["topic"].value())
    topic = visible_topics(user).filter(pk=topic_id).first() if topic_id is not None else None
    return render(request, "actions/new.html", {"form": form, "topic": topic}, status=status)


def _render_detail(request: HttpRequest, action: Action, status: int = 200) -> HttpResponse:
    user = _user(request)
    links = (
        ActionCase.objects.filter(action=action, case__in=visible_cases(user))
        .select_related("case__submission")
        .order_by("-linked_at", "-id")
    )
    page = Paginator(links, 50).get_page(request.GET.get("page"))
    context = {
        "action": action,
        "steps": services.available_steps(action, user),
        "can_progress": services.can_post_progress(user, action),
        "can_link": services.may_change_cases(user, action) and services.cases_can_change(action),
        "milestones": list(action.milestones.all()),
        "updates": list(action.updates.select_related("author").prefetch_related("evidence")[:50]),
        "links": page,
        "events": list(action.events.select_related("actor").order_by("-created_at", "-id")[:100]),
        "figures": indicators.figures(action),
        "series": indicators.weekly_series(action),
        "broadcasts": list(action.broadcasts.order_by("id")),
    }
    return render(request, "actions/detail.html", context, status=status)


@staff_required
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get(request, pk))


DONE = {
    Step.APPROVE: gettext_lazy("The action was approved; the people who raised the problem are being told."),
    Step.START: gettext_lazy("The action is in progress."),
    Step.COMPLETE: gettext_lazy("The action is done; the people who raised the problem are being told."),
    Step.VERIFY: gettext_lazy("The effect was checked and recorded."),
    Step.ABANDON: gettext_lazy("The action was abandoned."),
}


@staff_required
@require_POST
def action_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in Step.values:
        raise Http404
    action = _get(request, pk)
    try:
        moves.transition(action, _user(request), step, posted_text(request.POST, "reason"))
    except DomainError as error:
        messages.error(request, str(error.message))
        action.refresh_from_db()
        return _render_detail(request, action, status=error.status)
    messages.success(request, str(DONE[Step(step)]))
    return redirect("actions:detail", pk=action.pk)


@staff_required
@require_POST
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get(request, pk)
    ticked = [pk for pk in map(as_id, request.POST.getlist("milestones")) if pk is not None]
    try:
        moves.post_progress(
            action,
            _user(request),
            posted_text(request.POST, "text"),
            request.FILES.getlist("files"),
            public=request.POST.get("internal") != "on",
            milestones_done=ticked,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return _render_detail(request, action, status=error.status)
    messages.success(request, _("Progress posted."))
    return redirect("actions:detail", pk=action.pk)


@staff_required
@require_POST
def action_link(request: HttpRequest, pk: int) -> HttpResponse:
    action = _get(request, pk)
    try:
        added = linking.link_cases(action, _user(request), refs=posted_text(request.POST, "cases").split())
    except DomainError as error:
        messages.error(request, str(error.message))
        return _render_detail(request, action, status=error.status)
    messages.success(request, ngettext("%(n)d case linked.", "%(n)d cases linked.", added) % {"n": added})
    return redirect("actions:detail", pk=action.pk)


@staff_required
@require_POST
def action_unlink(request: HttpRequest, pk: int, case_id: int) -> HttpResponse:
    action = _get(request, pk)
    try:
        linking.unlink_case(action, _user(request), case_id)
    except DomainError as error:
        messages.error(request, str(error.message))
        return _render_detail(request, action, status=error.status)
    messages.success(request, _("The case was unlinked."))
    return redirect("actions:detail", pk=action.pk)
