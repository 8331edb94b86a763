"""Words for the events other apps write on a case's timeline (SLA warnings, extensions, improvement actions...).

``cases`` and ``portal`` own the words of the workflow's own events; an app that records events of its own
registers them here in its ``AppConfig.ready()``, so the staff timeline, the API and the citizen's tracking page
can name them without importing that app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import Event


@dataclass(frozen=True)
class EventWords:
    staff: Promise  # past tense, for the staff timeline ("Extension approved")
    public: Promise | None = None  # for the citizen, when the event is public
    detail: Callable[[Event], str] | None = None  # the facts in ``data``, in words


_registry: dict[str, EventWords] = {}


def register(
    action: str, staff: Promise, public: Promise | None = None, detail: Callable[[Event], str] | None = None
) -> None:
    _registry[action] = EventWords(staff, public, detail)


def words(action: str) -> EventWords | None:
    return _registry.get(action)
