"""An action's life as data: which role may take which step in which state, and where it leads.

``actions.services.moves.transition`` is the only code that applies it; tests walk every (state, step, role).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.accounts.models import Role

from .models import State


class Step(models.TextChoices):
    APPROVE = "approve", _("Approve")
    START = "start", _("Start")
    COMPLETE = "complete", _("Mark done")
    VERIFY = "verify", _("Verify the effect")
    ABANDON = "abandon", _("Abandon")


# Who decides about actions: they create, approve, abandon and verify. Department heads within their subtree.
MANAGER = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN, Role.DEPT_HEAD})
OWNER = "owner"
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    source: State
    step: Step
    target: State
    actors: frozenset[str]
    needs_reason: bool = False


S = State
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, Step.APPROVE, S.APPROVED, MANAGER),
    Transition(S.DRAFT, Step.ABANDON, S.ABANDONED, MANAGER, needs_reason=True),
    Transition(S.APPROVED, Step.START, S.IN_PROGRESS, MANAGER | {OWNER}),
    Transition(S.APPROVED, Step.ABANDON, S.ABANDONED, MANAGER, needs_reason=True),
    Transition(S.IN_PROGRESS, Step.COMPLETE, S.DONE, MANAGER | {OWNER}),
    Transition(S.IN_PROGRESS, Step.ABANDON, S.ABANDONED, MANAGER, needs_reason=True),
    Transition(S.DONE, Step.VERIFY, S.VERIFIED, MANAGER | {SYSTEM}),
)

_BY_KEY: dict[tuple[str, str], Transition] = {(t.source, t.step): t for t in TRANSITIONS}
assert len(_BY_KEY) == len(TRANSITIONS), "one transition per (state, step)"


def find(state: str, step: str) -> Transition | None:
    return _BY_KEY.get((state, step))


def allowed(state: str, step: str, actors: set[str] | frozenset[str]) -> bool:
    transition = find(state, step)
    return transition is not None and bool(transition.actors & actors)
