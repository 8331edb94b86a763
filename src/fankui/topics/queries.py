"""Reads of topics shared by the topic pages and the apps above (an improvement action made from a topic)."""

from __future__ import annotations

from django.db.models import QuerySet

from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis
from fankui.cases import queries

from .models import Topic


def visible_topics(user: User) -> QuerySet[Topic]:
    """Topics with at least one case the user may see (``cases.queries.visible_cases``): a topic made only of other
    departments' cases does not exist for a department's staff, not even its label."""
    seen = CaseAnalysis.objects.filter(case__in=queries.visible_cases(user), topic__isnull=False).values("topic_id")
    return Topic.objects.filter(id__in=seen)
