from __future__ import annotations

from typing import Any

from django import template

from fankui.notify.services import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(user)
