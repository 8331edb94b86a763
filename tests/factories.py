"""Small factory functions for tests: each makes one valid object through the services, with overridable fields."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from fankui.accounts import services as accounts
from fankui.accounts.models import Department, Role, User
from fankui.actions.models import Action
from fankui.actions.services import creating
from fankui.cases.models import Case, Category
from fankui.cases.services import moves
from fankui.cases.services.receiving import receive
from fankui.intake.services import SubmissionInput

_seq = itertools.count(1)
PASSWORD = "correct-horse-42"


def department(name: str = "", parent: Department | None = None, **kwargs: Any) -> Department:
    n = next(_seq)
    return accounts.create_department(name or f"部门{n}", kwargs.pop("code", f"d{n}"), parent, **kwargs)


def user(role: str = Role.DISPATCHER, department: Department | None = None, **kwargs: Any) -> User:
    n = next(_seq)
    return accounts.create_user(kwargs.pop("username", f"{role}{n}"), PASSWORD, role, department=department, **kwargs)


def category(name: str = "", parent: Category | None = None, **kwargs: Any) -> Category:
    return Category.objects.create(name=name or f"类别{next(_seq)}", parent=parent, **kwargs)


def case(body: str = "小区门口的路灯坏了一个月，晚上很黑，请尽快修理。", **kwargs: Any) -> Case:
    # A case that exists already: its receipt is not what a test is about (tests of receipts pass receipt=True).
    kwargs.setdefault("receipt", False)
    created, _ = receive(SubmissionInput(body=body, **kwargs))
    return created


def case_in(state: str, *, dispatcher: User, lead: Department, handler: User) -> Case:
    """A case walked through the workflow to ``state`` by the given people."""
    from fankui.surveys.services import rate

    c = case()
    if state == "received":
        return c
    if state == "rejected":
        return moves.reject(c, dispatcher, "不属于受理范围")
    if state == "merged":
        return moves.merge(c, dispatcher, case())
    if state == "spam":
        return moves.mark_spam(c, dispatcher, "spam", "广告")
    moves.accept(c, dispatcher)
    if state == "accepted":
        return c
    moves.dispatch(c, dispatcher, lead)
    if state == "dispatched":
        return c
    if state == "returned":
        return moves.return_case(c, handler, "不属于本部门职责")
    moves.start(c, handler)
    if state == "in_progress":
        return c
    moves.reply(c, handler, "已安排维修，三日内修复。")
    if state == "replied":
        return c
    rate(c, 5 if state == "closed" else 1)
    c.refresh_from_db()
    assert c.state == state, (c.state, state)
    return c


def action(user: User, owner: User, department: Department, **kwargs: Any) -> Action:
    """An improvement action made by ``user`` for ``owner`` in ``department`` (cases by ``case_ids=[...]``)."""
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
