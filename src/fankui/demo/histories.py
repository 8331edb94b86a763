"""Plausible past workflows for demo cases, as ``cases.services.history.Step`` lists that ``replay`` validates.

A history is first drawn as moves with natural gaps (a dispatcher accepts within the hour, a bureau replies
within days), then laid out in time: squeezed when it must fit before a known reply time or before now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fankui.accounts.models import Department, Role, User
from fankui.cases.services.history import Step
from fankui.cases.workflow import Action, Actor, State
from fankui.surveys.models import Level

# What the dispatcher wrote when marking a case as spam or abuse (kind, reason).
SPAM_REASONS = (
    ("spam", "推销贷款广告，与政务服务无关。"),
    ("spam", "内容为乱码，系测试信息。"),
    ("abuse", "辱骂一线工作人员，无具体诉求。"),
    ("abuse", "同一号码一日内重复提交相同的恶意内容。"),
)
REJECT_REASONS = (
    "该诉求属于涉法涉诉事项，请通过司法途径解决，本热线不予受理。",
    "诉求内容不完整，无法确定具体地点和问题，请补充后重新提交。",
    "该事项已进入行政复议程序，根据规定不予重复受理。",
    "该诉求不属于本市政务服务范围，已告知诉求人向所属单位反映。",
)
RETURN_REASONS = (
    "该事项不属于本单位职责范围，建议改派至属地街道办事处。",
    "诉求地点不在本单位管辖区域，请改派属地部门办理。",
    "经核实，该问题由其他部门主管，请重新派单。",
)
REOPEN_REASONS = (
    "答复内容未针对诉求人反映的具体问题，请重新办理。",
    "回访中诉求人表示问题仍未解决，请承办单位再次核实处理。",
)
UNSATISFIED_COMMENTS = ("问题还没有解决，答复敷衍。", "只是打电话说了一下，现场情况没有任何变化。", "", "")
SATISFIED_COMMENTS = ("处理很及时，谢谢！", "问题已经解决，感谢工作人员。", "答复清楚，满意。", "", "", "", "")
INTERIM_REPLIES = (
    "您好！您反映的“{title}”已收悉。我单位已安排工作人员现场核查，核查结果及处理措施将在{n}个工作日内反馈。"
    "感谢您的监督和支持。",
    "您好！关于“{title}”，经初步了解，相关情况已转交责任单位限期整改，我们将督促落实并及时告知办理结果。",
)
FOLLOW_UP_REPLIES = (
    "您好！针对您再次反映的问题，我单位会同属地街道再次到现场核查，已督促责任单位完成整改，"
    "并于{n}日内安排专人回访。给您带来不便，深表歉意。",
    "您好！收到您的评价后，我单位重新调查了相关情况，已约谈责任单位负责人并明确整改时限，"
    "目前问题已处理完毕。感谢您的监督。",
)

# Levels of a satisfied rating: mostly 满意 and 非常满意, some 基本满意.
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED)
SATISFIED_WEIGHTS = (50, 35, 15)
UNSATISFIED_SHARE = 0.10
RATED_SHARE = 0.75  # the rest closes on its own when the rating window passes
MISROUTED_SHARE = 0.05  # returned by a wrong bureau and redispatched


@dataclass
class Crew:
    """Who works on one case: the centre's people, the lead bureau and its handler, and a bureau that could
    receive it by mistake."""

    dispatcher: User
    supervisor: User
    lead: Department
    # None only when a demo username was taken by someone else before the demo: the event then has no user.
    handler: User | None
    wrong: Department
    wrong_handler: User | None


@dataclass
class Move:
    action: str
    actor: str
    user: User | None
    gap: timedelta
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    reply: str = ""


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def _dispatch(rng: random.Random, crew: Crew, department: Department, action: str = Action.DISPATCH) -> Move:
    data = {
        "lead_department": department.pk,
        "assist_departments": [],
        "lead_department_name": department.name,
        "assist_department_names": [],
    }
    return Move(action, Role.DISPATCHER, crew.dispatcher, minutes(rng, 5, 240), data=data)


def triage(rng: random.Random, crew: Crew, *, misrouted: bool = False) -> list[Move]:
    """Accept and dispatch, optionally first to the wrong bureau, which returns it for redispatch (改派)."""
    moves = [Move(Action.ACCEPT, Role.DISPATCHER, crew.dispatcher, minutes(rng, 3, 90))]
    if misrouted:
        moves.append(_dispatch(rng, crew, crew.wrong))
        moves.append(
            Move(
                Action.RETURN,
                Role.HANDLER,
                crew.wrong_handler,
                hours(rng, 1, 30),
                message=rng.choice(RETURN_REASONS),
                data={"department": crew.wrong.pk},
            )
        )
        moves.append(_dispatch(rng, crew, crew.lead, Action.REDISPATCH))
    else:
        moves.append(_dispatch(rng, crew, crew.lead))
    return moves


def handling(rng: random.Random, crew: Crew) -> Move:
    return Move(Action.START, Role.HANDLER, crew.handler, hours(rng, 0.5, 48))


def answer(rng: random.Random, crew: Crew, text: str, gap: timedelta) -> Move:
    return Move(Action.REPLY, Role.HANDLER, crew.handler, gap, reply=text)


def rating(rng: random.Random, satisfied: bool) -> Move:
    if satisfied:
        level = rng.choices(SATISFIED_LEVELS, SATISFIED_WEIGHTS)[0]
        comment = rng.choice(SATISFIED_COMMENTS)
        action = Action.RATE_SATISFIED
    else:
        level = Level.UNSATISFIED if rng.random() < 0.7 else Level.VERY_UNSATISFIED
        comment = rng.choice(UNSATISFIED_COMMENTS)
        action = Action.RATE_UNSATISFIED
    return Move(action, Actor.CITIZEN, None, hours(rng, 1, 96), message=comment, data={"rating": int(level)})


def closed_by_system(rng: random.Random, window_days: int) -> Move:
    return Move(
        Action.CLOSE,
        Actor.SYSTEM,
        None,
        days(rng, window_days, window_days + 0.5),
        data={"reason": "rating_window_passed"},
    )


def after_reply(rng: random.Random, crew: Crew, title: str, window_days: int) -> list[Move]:
    """What follows a reply on a case that ends closed: a rating, a bad rating and a second round, or silence."""
    draw = rng.random()
    if draw < UNSATISFIED_SHARE:
        follow_up = fill(rng, rng.choice(FOLLOW_UP_REPLIES), title)
        return [
            rating(rng, satisfied=False),
            handling(rng, crew),
            answer(rng, crew, follow_up, days(rng, 1, 6)),
            rating(rng, satisfied=True),
        ]
    if draw < UNSATISFIED_SHARE + RATED_SHARE:
        return [rating(rng, satisfied=True)]
    return [closed_by_system(rng, window_days)]


def fill(rng: random.Random, template: str, title: str) -> str:
    return template.format(title=title or "您反映的问题", n=rng.randint(3, 10))


def lay_out(start: datetime, moves: list[Move], *, within: timedelta | None = None) -> list[Step]:
    """Give the moves times after ``start``; ``within`` squeezes the gaps so the last one falls inside it."""
    total = sum((move.gap for move in moves), timedelta())
    scale = within / total if within is not None and total > within else 1.0
    at = start
    steps = []
    for move in moves:
        at += max(move.gap * scale, timedelta(seconds=1))
        steps.append(Step(move.action, at, move.actor, move.user, move.message, dict(move.data), move.reply))
    return steps


def closed_history(
    rng: random.Random, crew: Crew, received: datetime, replied: datetime, reply: str, title: str, window_days: int
) -> list[Step]:
    """A finished case whose reply text and time are known: everything before the reply fits before it."""
    before = [*triage(rng, crew, misrouted=rng.random() < MISROUTED_SHARE), handling(rng, crew)]
    steps = lay_out(received, before, within=(replied - received) * 0.8)
    steps.append(Step(Action.REPLY, replied, Role.HANDLER, crew.handler, reply=reply))
    return steps + lay_out(replied, after_reply(rng, crew, title, window_days))


# The open states the demo shows, each at least once, in these proportions.
OPEN_STATES: dict[str, int] = {
    State.RECEIVED: 50,
    State.ACCEPTED: 35,
    State.DISPATCHED: 55,
    State.RETURNED: 20,
    State.IN_PROGRESS: 65,
    State.REPLIED: 50,
    State.REOPENED: 25,
    State.REJECTED: 25,
    State.MERGED: 30,
    State.CLOSED: 45,
    State.SPAM: 8,
}
# How long ago the last move of a case in each state may be, so inboxes look alive (nothing stale for a month)
# and no replied case is already past its rating window.
IDLE_DAYS: dict[str, float] = {
    State.RECEIVED: 1.5,
    State.ACCEPTED: 2,
    State.DISPATCHED: 4,
    State.RETURNED: 3,
    State.IN_PROGRESS: 8,
    State.REPLIED: 5,
    State.REOPENED: 4,
}
RECENT_DAYS = 29


def open_states(rng: random.Random, count: int) -> list[str]:
    """Every state once (when there is room), the rest drawn by OPEN_STATES' proportions."""
    states = list(OPEN_STATES)[:count]
    states += rng.choices(list(OPEN_STATES), list(OPEN_STATES.values()), k=max(0, count - len(states)))
    rng.shuffle(states)
    return states


def moves_to(rng: random.Random, state: str, crew: Crew, title: str, window_days: int) -> list[Move]:
    """A path from received to ``state`` (merged is built by the loader, which knows the primary)."""
    if state == State.RECEIVED:
        return []
    if state == State.REJECTED:
        moves = (
            [] if rng.random() < 0.7 else [Move(Action.ACCEPT, Role.DISPATCHER, crew.dispatcher, minutes(rng, 3, 90))]
        )
        return [
            *moves,
            Move(Action.REJECT, Role.DISPATCHER, crew.dispatcher, minutes(rng, 5, 180), rng.choice(REJECT_REASONS)),
        ]
    if state == State.SPAM:
        kind, reason = rng.choice(SPAM_REASONS)
        data = {"kind": kind}
        return [Move(Action.MARK_SPAM, Role.DISPATCHER, crew.dispatcher, minutes(rng, 5, 120), reason, data=data)]
    if state == State.ACCEPTED:
        return triage(rng, crew)[:1]
    if state == State.RETURNED:
        return triage(rng, crew, misrouted=True)[:3]
    moves = triage(rng, crew, misrouted=rng.random() < MISROUTED_SHARE)
    if state == State.DISPATCHED:
        return moves
    moves.append(handling(rng, crew))
    if state == State.IN_PROGRESS:
        return moves
    moves.append(answer(rng, crew, fill(rng, rng.choice(INTERIM_REPLIES), title), days(rng, 0.5, 6)))
    if state == State.REPLIED:
        return moves
    if state == State.REOPENED:
        if rng.random() < 0.6:
            return [*moves, rating(rng, satisfied=False)]
        reason = rng.choice(REOPEN_REASONS)
        return [*moves, Move(Action.REOPEN, Role.SUPERVISOR, crew.supervisor, days(rng, 0.5, 3), reason)]
    if state == State.CLOSED:
        return moves + after_reply(rng, crew, title, window_days)
    raise ValueError(f"no demo path to {state}")


def merge_moves(rng: random.Random, crew: Crew, primary: int, primary_number: str) -> list[Move]:
    moves = [] if rng.random() < 0.5 else triage(rng, crew)[:1]
    data = {"primary": primary, "primary_number": primary_number}
    return [*moves, Move(Action.MERGE, Role.DISPATCHER, crew.dispatcher, minutes(rng, 10, 240), data=data)]


def recent_start(rng: random.Random, state: str, moves: list[Move], now: datetime) -> tuple[datetime, timedelta]:
    """When a recent case was received, and the span its moves may take, so that it ends before now."""
    natural = sum((move.gap for move in moves), timedelta())
    span = min(natural, timedelta(days=RECENT_DAYS - 1))
    idle_cap = timedelta(days=IDLE_DAYS.get(state, RECENT_DAYS))
    room = timedelta(days=RECENT_DAYS) - span
    idle = timedelta(minutes=5) + (min(idle_cap, room) - timedelta(minutes=5)) * rng.random()
    return now - span - idle, span
