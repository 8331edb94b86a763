"""Improvement actions for the demo, made from the demo's own hot topics through the services, so that the action
pages, the tracking pages of linked cases and the public board (你说我改) have something true to show.

Runs after the demo cases were analysed (topics exist only then). Each action goes through the same steps a
manager and an owner would take; the closing-the-loop messages they queue land in the outbox like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count

from fankui.accounts.models import Role, User
from fankui.cases.models import Case
from fankui.topics.models import Topic

from .models import Action, Indicator, Source
from .services import creating, moves
from .workflow import Step

# (state to reach, weeks to the deadline, public): the hottest topic first.
PLAN: tuple[tuple[str, int, bool], ...] = (
    ("in_progress", 6, True),
    ("done", 2, True),
    ("approved", 10, True),
    ("draft", 8, False),
)


def _owner_and_department(topic: Topic, manager: User) -> tuple[User, int | None]:
    """The topic's usual lead department and one of its people (its head if there is one)."""
    lead = (
        Case.objects.filter(analysis__topic=topic, lead_department__isnull=False)
        .values("lead_department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if lead is None:
        return manager, manager.department_id
    department_id = lead["lead_department"]
    people = User.objects.filter(department_id=department_id, is_active=True)
    owner = people.filter(role=Role.DEPT_HEAD).first() or people.first() or manager
    return owner, department_id


def install(out: Callable[[str], None], today: dt.date) -> int:
    """Create a few actions from the hottest topics; returns how many. Does nothing if actions exist already."""
    if Action.objects.exists():
        return 0
    manager = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first()
    if manager is None:
        return 0
    topics = list(Topic.objects.filter(active=True, size__gte=3).order_by("-heat", "-id")[: len(PLAN)])
    made = 0
    for topic, (target, weeks, public) in zip(topics, PLAN, strict=False):
        owner, department = _owner_and_department(topic, manager)
        if department is None:
            continue
        deadline = today + dt.timedelta(weeks=weeks)
        action = creating.create_action(
            manager,
            creating.ActionInput(
                title=f"整改：{topic.label}",
                goal=f"从根本上解决“{topic.label}”问题，同类诉求明显减少。",
                root_cause="同一地点同类问题反复出现，责任单位之间缺少协同，日常巡查未覆盖。",
                measures="1. 现场核查并明确责任单位；2. 限期整改并公开整改结果；3. 建立定期巡查和回访机制。",
                expected_effect="该热点每周新增诉求下降一半以上，相关诉求满意率提升。",
                owner=owner.pk,
                department=department,
                deadline=deadline,
                topic=topic.pk,
                source=Source.TOPIC,
                public=public,
                indicator=Indicator.TOPIC_WEEKLY,
                indicator_target=0.5,
                milestones=[
                    ("现场核查，明确责任单位", today + dt.timedelta(days=7)),
                    ("完成整改", deadline - dt.timedelta(days=7)),
                ],
            ),
        )
        steps = {"draft": [], "approved": [Step.APPROVE], "in_progress": [Step.APPROVE, Step.START]}.get(
            target, [Step.APPROVE, Step.START, Step.COMPLETE]
        )
        for step in steps:
            if step == Step.COMPLETE:
                moves.post_progress(
                    action, owner, "已完成现场核查和整改，相关单位已建立每周巡查制度。", milestones_done=[]
                )
            moves.transition(action, manager if step == Step.APPROVE else owner, step)
            if step == Step.START:
                moves.post_progress(action, owner, "已组织相关单位现场核查，责任单位已明确，整改方案已制定。")
        made += 1
    out(f"  improvement actions made from the hottest topics: {made}")
    return made
