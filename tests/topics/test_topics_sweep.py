"""The hourly topic sweep: heat and growth recounted as time passes, labels redone, quiet topics retired."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fankui.analysis.models import CaseAnalysis
from fankui.topics import placement
from fankui.topics.models import Topic
from fankui.topics.tasks import SWEEPS, refresh_topics
from tests import factories

pytestmark = pytest.mark.django_db

PLANT = [
    ("投诉丽发新城附近建搅拌站噪音扰民", "丽发新城小区旁边新建了搅拌站，日夜施工，噪音扰民，灰尘很大。"),
    ("丽发新城搅拌站噪音太大", "搅拌站就在丽发新城小区旁边，晚上噪音吵得睡不着觉，请关停搅拌站。"),
]


def placed(title: str, body: str) -> CaseAnalysis:
    analysis = CaseAnalysis.objects.select_related("case__submission").get(case=factories.case(body, title=title))
    placement.place_in_topics([analysis])
    return analysis


def test_the_sweep_is_registered_for_the_worker() -> None:
    assert ("topics.refresh_topics", refresh_topics) in SWEEPS


def test_heat_and_growth_fall_as_weeks_pass_without_new_cases() -> None:
    for title, body in PLANT:
        placed(title, body)
    topic = Topic.objects.get()
    fresh_heat, fresh_growth = topic.heat, topic.growth

    assert refresh_topics() == 0  # placement counted it just now: nothing to do for an hour
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert refresh_topics() == 1
        assert refresh_topics() == 0  # refreshed less than an hour ago

    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert refresh_topics() == 1
    topic.refresh_from_db()
    assert topic.growth < 1 < fresh_growth  # none this week, two the week before
    assert topic.heat < fresh_heat
    assert topic.active and topic.label.startswith("丽发新城")


def test_topics_quiet_for_sixty_days_are_retired_and_no_longer_joined() -> None:
    first = placed(*PLANT[0])
    with time_machine.travel(timezone.now() + timedelta(days=61)):
        assert refresh_topics() == 1
        assert not Topic.objects.get().active
        later = placed(*PLANT[1])
    first.refresh_from_db()
    later.refresh_from_db()
    assert later.topic_id != first.topic_id
    assert Topic.objects.filter(active=True).count() == 1


def test_a_label_is_recomputed_from_the_cases() -> None:
    analysis = placed(*PLANT[0])
    Topic.objects.filter(id=analysis.topic_id).update(label="old", keywords=[])

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        refresh_topics()

    topic = Topic.objects.get()
    assert topic.label.startswith("丽发新城") and "搅拌站" in topic.keywords


def test_placement_stamps_the_topics_it_starts_and_joins_so_the_sweep_leaves_them_for_an_hour() -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        placed(*PLANT[0])
    assert Topic.objects.get().refreshed_at == start
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        placed(*PLANT[1])  # joins it: recounted with the new case
        joined = Topic.objects.get()
        assert joined.size == 2 and joined.refreshed_at == start + timedelta(minutes=30)
    with time_machine.travel(start + timedelta(minutes=85)):
        assert refresh_topics() == 0
    with time_machine.travel(start + timedelta(minutes=95)):
        assert refresh_topics() == 1
