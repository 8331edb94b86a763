"""A department head's new-action page showed the label of any hot topic, one made only of other departments' cases
included (issue 14): ``?topic=`` and the form's hidden topic are now looked up among the topics with at least one
case the user may see (``topics.queries.visible_topics``), on the page and in the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action
from fankui.cases.models import Case
from fankui.topics.models import Topic
from tests import factories

from .conftest import in_topic

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}


def _topic(label: str, lead: Department) -> Topic:
    now = timezone.now()
    topic = Topic.objects.create(label=label, first_seen_at=now, last_seen_at=now)
    case = factories.case()
    Case.objects.filter(pk=case.pk).update(lead_department=lead)
    in_topic(case, topic)
    return topic


def test_a_topic_of_other_departments_cases_is_unknown_on_the_new_action_page(
    dept: Department, other_dept: Department, client_for: Callable[[User], Client]
) -> None:
    head = factories.user(Role.DEPT_HEAD, dept)
    theirs = _topic("青山镇王建军所长受贿", other_dept)
    ours = _topic("幸福小区路灯不亮", dept)
    client = client_for(head)

    page = client.get(f"/staff/actions/new/?topic={theirs.pk}", headers=EN).content.decode()
    assert "王建军" not in page
    assert "幸福小区路灯不亮" in client.get(f"/staff/actions/new/?topic={ours.pk}", headers=EN).content.decode()

    # Posting the hidden field by hand names no topic either: the service refuses it like an unknown one.
    response = client.post(
        "/staff/actions/new/",
        {
            "title": "整改",
            "goal": "目标",
            "measures": "措施",
            "owner": head.pk,
            "department": dept.pk,
            "deadline": "2026-12-31",
            "source": "topic",
            "topic": theirs.pk,
            "indicator": "none",
            "indicator_weeks": "4",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Unknown hot topic." in response.content.decode() and "王建军" not in response.content.decode()
    assert not Action.objects.exists()
