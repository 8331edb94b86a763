"""Message templates: the wording of what a submitter is told, editable per message and language in the admin
(issue 15, "Out"). ``portal.notices`` writes each message in the built-in wording (the gettext strings, in the
person's language); an active ``MessageTemplate`` of that message and language replaces it.

A template is plain text with named placeholders in braces (``{code}``, ``{link}``; ``{{`` and ``}}`` for braces
themselves). Each message allows its own placeholders (``KINDS``); the admin refuses a template naming any other,
using attribute or index access (``{code.__class__}``), a format spec or a control character, so a template that was
saved can always be filled. Should one fail anyway (a placeholder withdrawn in a later version), the built-in wording
is sent and the failure logged: a citizen is never left without the message. Messages are plain text (e-mail
``text/plain``, SMS): markup in a template is sent as the characters typed, and the admin's preview shows it escaped.
What a template cannot remove: the opt-out link (``notify.services.citizen_body``) and, in a receipt, the advice to
call 110/119/120 for an emergency, which are added after it.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fankui.core.text import first_control
from fankui.core.text import message as control_message

log = logging.getLogger("fankui.portal")


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    placeholders: tuple[str, ...]


PLACEHOLDERS: dict[str, Promise] = {
    "code": _("the tracking code (2026-ABCD-1234)"),
    "link": _("the link the message leads to: the tracking page (the rating page in a reply)"),
    "date": _("a date and time: when it was received; the new expected date of an extension"),
    "reason": _("the reason given for not accepting it"),
    "department": _("the department that replied"),
    "reply": _("the text of the reply"),
    "days": _("a number of days: to rate the reply; to answer a question"),
    "question": _("the question asked of the submitter"),
}

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("case:receipt", _("Received (receipt with the tracking code)"), ("code", "date", "link")),
        Kind("case:accept", _("Accepted"), ("code", "link")),
        Kind("case:reject", _("Not accepted"), ("code", "reason", "link")),
        Kind("case:merge", _("Merged with another request"), ("code", "link")),
        Kind("case:reply", _("Reply"), ("code", "department", "reply", "days", "link")),
        Kind("case:close", _("Closed"), ("code", "link")),
        Kind("case:reopen", _("Reopened"), ("code", "link")),
        Kind("sla:info", _("More information needed"), ("code", "question", "days", "link")),
        Kind("sla:info:timeout", _("No answer came: handling goes on"), ("code", "link")),
        Kind("sla:extension", _("More time needed"), ("code", "date", "link")),
    )
}

# What the admin's preview fills in.
SAMPLE: dict[str, str] = {
    "code": "2026-ABCD-1234",
    "link": "https://12345.example.gov.cn/track/ABCD1234/",
    "date": "2026-11-16 10:00",
    "reason": "不属于本平台受理范围",
    "department": "市住房和城乡建设局",
    "reply": "路灯已于今日修复。",
    "days": "7",
    "question": "请问具体是哪一栋楼？",
}


def problems(text: str, allowed: tuple[str, ...]) -> list[str]:
    """Why ``text`` cannot be a template with the placeholders ``allowed`` (empty: it can)."""
    char = first_control(text.replace("\r\n", "\n"))
    if char is not None:
        return [control_message(char)]
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return [str(_("A brace is not closed or not opened: write a brace twice to show one."))]
    found = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            found.append(
                str(_("“{%(name)s}” is not a placeholder: write a name alone in braces, such as {code}."))
                % {"name": name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")}
            )
        elif name not in allowed:
            found.append(
                str(_("“{%(name)s}” is not a placeholder of this message. It may use: %(allowed)s."))
                % {"name": name, "allowed": ", ".join(f"{{{a}}}" for a in allowed)}
            )
    return found


def fill(text: str, facts: Mapping[str, object]) -> str:
    """``text`` with its placeholders filled (``problems`` found none)."""
    return text.format_map({name: str(value) for name, value in facts.items()})


def active(kind: str, language: str | None = None) -> tuple[str, str] | None:
    """The active template (subject, body) of the message ``kind`` in ``language`` (the active one), if any."""
    from .models import MessageTemplate

    row = (
        MessageTemplate.objects.filter(key=kind, language=language or translation.get_language(), active=True)
        .values_list("subject", "body")
        .first()
    )
    return row


def worded(kind: str, facts: Mapping[str, object], built_in: tuple[str, str]) -> tuple[str, str]:
    """The message ``kind`` in the active language: its active template filled with ``facts``, else ``built_in``."""
    template = active(kind)
    if template is None:
        return built_in
    allowed = KINDS[kind].placeholders
    subject, body = template
    if problems(subject, allowed) or problems(body, allowed):
        log.error(
            "message template %s (%s) cannot be filled; the built-in wording is sent", kind, translation.get_language()
        )
        return built_in
    return " ".join(fill(subject, facts).split())[:300], fill(body, facts)
