from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from fankui.actions.models import Action
from fankui.analysis.models import CaseAnalysis
from fankui.topics.models import Topic


@pytest.mark.django_db
def test_the_demo_analyses_its_cases_and_makes_actions_from_the_hottest_topics() -> None:
    out = StringIO()
    call_command("demo", "--force-small", stdout=out)
    assert not CaseAnalysis.objects.exclude(status=CaseAnalysis.Status.DONE).exists()
    assert "analysed:" in out.getvalue()
    hot = Topic.objects.filter(active=True, size__gte=3)
    assert hot.exists(), "the synthetic demo repeats places and issues, so some topics must form"
    assert Action.objects.count() == min(hot.count(), 4)
    for action in Action.objects.all():
        assert action.topic_id is not None and action.owner_id is not None
        assert action.links.exists()
    board = Client().get("/board/", headers={"Accept-Language": "en"})
    assert board.status_code == 200
    for action in Action.objects.filter(public=True).exclude(state="draft"):
        assert action.title in board.content.decode()
