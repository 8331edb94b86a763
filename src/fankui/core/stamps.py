"""Process-wide caches of rarely changed settings that still see every change at once.

Reference data such as the SLA policies is read on every intake, yet changes a few times a year. Each server
process keeps what it read, together with the *stamp* of the group (a random token in ``core_stamp``) it read it
under. Any change to the group writes a new token in the same transaction as the change, so one indexed
single-row read tells every process whether its copy is still current: the moment the change commits, the next
request anywhere reloads. Tokens are random, not counters, so a rolled-back change can never make an old copy
look current again.

Use ``LiveCache(name)`` for the data and call ``bump(name)`` (or connect ``bump_on_change``) wherever the data
changes. The cache is a plain dict shared by the threads of a process: values are replaced, never mutated.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

_TABLE = "core_stamp"


def _new_token() -> int:
    return secrets.randbits(63)


def read(name: str) -> int | None:
    """The group's current token (None before its first change)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {_TABLE} WHERE name = %s", [name])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def bump(name: str) -> None:
    """Mark the group changed; call it in the transaction that changes the data."""
    from .models import Stamp

    Stamp.objects.update_or_create(name=name, defaults={"token": _new_token()})
    for cache in _caches.get(name, ()):
        cache.clear()


class LiveCache:
    """Values computed from the group ``name``, reused while its stamp is unchanged."""

    def __init__(self, name: str) -> None:
        self.name = name
        # (token, values) as one object: a thread never pairs one thread's token with another's values.
        self._state: tuple[object, dict[object, Any]] = (_UNREAD, {})
        _caches.setdefault(name, []).append(self)

    def clear(self) -> None:
        self._state = (_UNREAD, {})

    def current(self) -> dict[object, Any]:
        """The values valid now (reads the stamp once; read it before loading, so a change that commits while
        loading makes the next call reload rather than keep stale data under the new token)."""
        token = read(self.name)
        state = self._state
        if state[0] != token:
            state = self._state = (token, {})
        return state[1]


_UNREAD = object()  # a token no read returns: the next call reloads
_caches: dict[str, list[LiveCache]] = {}


def bump_on_change(name: str, *models: type[Model]) -> None:
    """Bump ``name`` whenever an instance of one of ``models`` is saved or deleted (bulk operations, which send no
    signals, must call ``bump`` themselves)."""

    def changed(sender: type[Model], **kwargs: Any) -> None:
        bump(name)

    for model in models:
        uid = f"stamps.{name}.{model._meta.label}"
        post_save.connect(changed, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(changed, sender=model, dispatch_uid=uid + ".delete", weak=False)
