"""The staff header's warning when no background worker is at work (``core/_worker_warning.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from fankui.core import health

register = template.Library()


@register.simple_tag
def worker_stale(user: Any) -> bool:
    """True when ``user`` is signed in and no worker stamped its heartbeat recently: analysis, masking, deadline
    warnings and messages are waiting."""
    return bool(getattr(user, "is_authenticated", False)) and health.worker_is_stale()
