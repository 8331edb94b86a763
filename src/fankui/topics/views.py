"""Staff pages of hot topics: the list (hottest first), one topic with its cases, and renaming one. Thin: topics are
shown to a user only through cases ``cases.queries.visible_cases`` lets them see, and case texts only as masked."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fankui.accounts import permissions
from fankui.accounts.models import User
from fankui.accounts.views import staff_required
from fankui.cases import queries
from fankui.cases.models import Case
from fankui.core.errors import DomainError
from fankui.core.forms import posted_text
from fankui.nlp.public import public_text

from . import services
from .models import Topic, TopicEvent
from .queries import visible_topics

MAX_PK = 2**63 - 1
FILTERS = ("active", "retired", "all")


@staff_required
def topic_list(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    shown = request.GET.get("show", "active")
    if shown not in FILTERS:
        shown = "active"
    topics = visible_topics(user)
    if shown != "all":
        topics = topics.filter(active=shown == "active")
    topics = topics.order_by("-heat", "-id")
    page = Paginator(topics, settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "topics/list.html",
        {"page": page, "topics": list(page.object_list), "shown": shown, "filters": FILTERS},
    )


@staff_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    topic = _visible_topic(user, pk)
    cases = (
        queries.visible_cases(user)
        .filter(analysis__topic=topic)
        .select_related("analysis", "lead_department")
        .order_by("-created_at", "-id")
    )
    page = Paginator(cases, settings.FANKUI_PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Case] = list(page.object_list)
    return render(
        request,
        "topics/detail.html",
        {
            "topic": topic,
            "page": page,
            "rows": rows,
            "can_rename": services.can_rename(user),
            "can_publish": permissions.may_approve_for_public(user),
            "is_public": services.is_public(topic),
            "public_label": public_text(topic.label),
            "public_events": TopicEvent.objects.filter(topic=topic).select_related("actor").order_by("-id")[:10],
        },
    )


@staff_required
@require_POST
def topic_label(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename the topic, or (``automatic``) hand its label back to the analysis."""
    user = cast(User, request.user)
    topic = _visible_topic(user, pk)
    try:
        if request.POST.get("automatic"):
            services.use_automatic_label(topic, user)
            messages.success(request, _("The label is made from the topic's cases again."))
        else:
            services.rename(topic, user, posted_text(request.POST, "label"))
            messages.success(request, _("Label saved: improvement actions and messages use it from now on."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("topics:detail", pk=topic.pk)


@staff_required
@require_POST
def topic_public(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the topic's label for the public board (``decision=approve``), or withdraw that approval."""
    user = cast(User, request.user)
    topic = _visible_topic(user, pk)
    try:
        if request.POST.get("decision") == "withdraw":
            services.withdraw_from_public(topic, user, posted_text(request.POST, "reason"))
            messages.success(request, _("The label is no longer shown on public pages."))
        else:
            services.approve_for_public(topic, user)
            messages.success(request, _("Label approved: the public board shows it, with people's names masked."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("topics:detail", pk=topic.pk)


def _visible_topic(user: User, pk: int) -> Topic:
    topic = visible_topics(user).filter(pk=pk).select_related("label_edited_by").first() if pk <= MAX_PK else None
    if topic is None:
        raise Http404
    return topic
