"""Words for the events other apps write on a case's timeline (SLA warnings, extensions, improvement actions...).

``cases`` and ``portal`` own the words of the workflow's own events; an app that records events of its own
registers them here in its ``AppConfig.ready()``, so the staff timeline, the API and the citizen's tracking page
can name them without importing that app.

Words a person wrote (a rating's comment, the submitter's answer, the question asked of them) are not copied into
an event: erasure masks them in their own row, and an audit row never changes. Such an event holds the row's id in
``data``; the app that owns the row registers a loader (``register_text``) and the timelines read the words with
``with_words``, one query per kind of row. Events recorded before that keep their ``message``, shown when the
event refers to no row.

Words staff wrote with a step (a note, a reason, an instruction) are not copied either: ``services.record_events``
puts every event's ``message`` into an ``EventText`` row and the event refers to it (``data["text_id"]``);
``with_words`` reads them back the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


# The words of the rows events refer to: ``loader(ids)`` returns ``{id: text}`` for the rows it found.
TextLoader = Callable[[set[int]], dict[int, str]]
_texts: dict[str, tuple[str, TextLoader]] = {}
# The actions whose row holds staff's words (a question asked of the submitter), not the citizen's.
_staff_rows: set[str] = set()


def register_text(action: str, key: str, loader: TextLoader, *, citizen: bool = True) -> None:
    """An ``action`` event whose ``data[key]`` is a row's id shows that row's words (read by ``loader``): the
    citizen's (a supplement, an answer, a rating's comment) unless ``citizen=False`` (staff wrote them)."""
    _texts[action] = (key, loader)
    if citizen:
        _staff_rows.discard(action)
    else:
        _staff_rows.add(action)


def with_words(events: Iterable[Event], citizen: Callable[[str], str] | None = None) -> list[Event]:
    """The events, each that refers to a row of words carrying them in ``message`` (in memory, never saved): the
    row's words as they are now, masked once the person was erased. One query per loader, whatever the count.
    ``citizen``, when given, is applied to the citizen's words (how the staff reader may read them: masked or not)."""
    events = list(events)
    wanted: dict[TextLoader, set[int]] = {}
    for event in events:
        ref = _reference(event)
        if ref is not None:
            wanted.setdefault(ref[1], set()).add(ref[0])
        text_id = _text_id(event)
        if text_id is not None:
            wanted.setdefault(_staff_texts, set()).add(text_id)
    found = {loader: loader(ids) for loader, ids in wanted.items()}
    for event in events:
        text_id = _text_id(event)
        if text_id is not None and text_id in found[_staff_texts]:
            event.message = found[_staff_texts][text_id]
        ref = _reference(event)  # the row a citizen's words are in wins
        if ref is not None and ref[0] in found[ref[1]]:
            words = found[ref[1]][ref[0]]
            event.message = citizen(words) if citizen and words and event.action not in _staff_rows else words
    return events


def _staff_texts(ids: set[int]) -> dict[int, str]:
    from .models import EventText

    return dict(EventText.objects.filter(pk__in=ids).values_list("pk", "text"))


def _text_id(event: Event) -> int | None:
    from .models import TEXT_ID

    pk = event.data.get(TEXT_ID) if isinstance(event.data, dict) else None
    return pk if isinstance(pk, int) and not isinstance(pk, bool) else None


def _reference(event: Event) -> tuple[int, TextLoader] | None:
    if event.action not in _texts or not isinstance(event.data, dict):
        return None
    key, loader = _texts[event.action]
    pk = event.data.get(key)
    return (pk, loader) if isinstance(pk, int) and not isinstance(pk, bool) else None
