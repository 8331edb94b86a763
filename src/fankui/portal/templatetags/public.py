"""``{{ text|public }}``: text as a public page may show it (``nlp.public.public_text``: personal data and people's
names masked). Every text on the board, its action pages and its widget goes through it; it returns plain text,
which the template still escapes."""

from __future__ import annotations

from typing import Any

from django import template

from fankui.nlp.public import public_text

register = template.Library()


@register.filter(name="public")
def public(value: Any) -> str:
    return public_text(str(value)) if value not in (None, "") else ""
