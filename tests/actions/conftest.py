from __future__ import annotations

import pytest
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
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


# The actions tests' name for the shared factory.
make_action = factories.action
