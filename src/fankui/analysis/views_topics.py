"""Staff pages of hot topics: the list (hottest first) and one topic with its cases. Thin: topics are shown to a
user only through cases ``cases.queries.visible_cases`` lets them see, and case texts only as masked."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fankui.accounts.models import User
from fankui.cases import queries
from fankui.cases.models import Case
from fankui.cases.views import staff_required

from .models import CaseAnalysis, Topic

MAX_PK = 2**63 - 1
FILTERS = ("active", "retired", "all")


def visible_topics(user: User) -> QuerySet[Topic]:
    """Topics with at least one case the user may see."""
    seen = CaseAnalysis.objects.filter(case__in=queries.visible_cases(user), topic__isnull=False).values("topic_id")
    return Topic.objects.filter(id__in=seen)


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
    page = Paginator(topics, settings.FANKUI["PAGE_SIZE"]).get_page(request.GET.get("page"))
    return render(
        request,
        "analysis/topics.html",
        {"page": page, "topics": list(page.object_list), "shown": shown, "filters": FILTERS},
    )


@staff_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    if pk > MAX_PK:
        raise Http404
    topic = visible_topics(user).filter(pk=pk).first()
    if topic is None:
        raise Http404
    cases = (
        queries.visible_cases(user)
        .filter(analysis__topic=topic)
        .select_related("analysis", "lead_department")
        .order_by("-created_at", "-id")
    )
    page = Paginator(cases, settings.FANKUI["PAGE_SIZE"]).get_page(request.GET.get("page"))
    rows: list[Case] = list(page.object_list)
    return render(request, "analysis/topic_detail.html", {"topic": topic, "page": page, "rows": rows})
