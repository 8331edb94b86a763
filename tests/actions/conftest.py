from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action
from fankui.actions.services import creating
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.topics.models import Topic
from tests import factories


@pytest.fixture
def analyst(centre: Department) -> User:
    return factories.user(Role.ANALYST, centre)


@pytest.fixture
def owner(dept: Department) -> User:
    return factories.user(Role.HANDLER, dept, email="owner@example.gov.cn")


@pytest.fixture
def topic(db: None) -> Topic:
    now = timezone.now()
    return Topic.objects.create(label="幸福小区路灯不亮", first_seen_at=now, last_seen_at=now)


def in_topic(case: Case, topic: Topic) -> Case:
    CaseAnalysis.objects.filter(case=case).update(topic=topic)
    return case


def make_action(user: User, owner: User, department: Department, **kwargs: Any) -> Action:
    data = creating.ActionInput(
        title=kwargs.pop("title", "修复幸福小区路灯"),
        goal=kwargs.pop("goal", "路灯全部恢复照明"),
        measures=kwargs.pop("measures", "更换线路和灯具，建立每月巡查制度"),
        owner=owner.pk,
        department=department.pk,
        deadline=kwargs.pop("deadline", date(2026, 12, 31)),
        **kwargs,
    )
    return creating.create_action(user, data)
