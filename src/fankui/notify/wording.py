"""Message templates: the wording of what the outbox sends, editable per message and language in the admin (issue 15,
"Out"), for a submitter (``portal.notices``) and for staff (``cases.notices`` and the SLA's, surveys' and actions'
notices) alike. Each app that writes messages registers its kinds here in its ``AppConfig.ready()`` (the outbox never
imports it) and writes each message in its built-in wording (the gettext strings, in the recipient's language); an
active ``models.MessageTemplate`` of that message and language replaces it (``worded``).

A template is plain text with named placeholders in braces (``{code}``, ``{number}``; ``{{`` and ``}}`` for braces
themselves). Each message allows its own placeholders (``Kind.placeholders``); the admin refuses a template naming
any other, using attribute or index access (``{code.__class__}``), a format spec or a control character, so a template
that was saved can always be filled. Should one fail anyway (a placeholder withdrawn in a later version, a kind no
app registers any more), the built-in wording is sent and the failure logged: nobody is left without the message.
Messages are plain text (e-mail ``text/plain``, SMS, in-app): markup in a template is sent as the characters typed, and
the admin's preview shows it escaped. What a template cannot remove is added by the sender after it: the opt-out link
of a citizen's message (``services.citizen_body``), in a receipt the advice to call 110/119/120 for an emergency, and
under a staff notice the link to the case.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fankui.core.lookups import lookups
from fankui.core.text import first_control
from fankui.core.text import message as control_message

log = logging.getLogger("fankui.notify")


class Audience:
    CITIZEN = "citizen"
    STAFF = "staff"


@dataclass(frozen=True)
class Kind:
    """One message: its key (``case:accept``, ``staff:case:dispatch``), its name in the admin, who reads it, and each
    placeholder a template of it may use with what it stands for."""

    key: str
    label: Promise
    placeholders: Mapping[str, Promise]
    audience: str = Audience.CITIZEN

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.placeholders)


KINDS: dict[str, Kind] = {}
# What the admin's preview fills in, by placeholder name.
SAMPLE: dict[str, str] = {}


def register(kinds: Iterable[Kind], sample: Mapping[str, str]) -> None:
    """Make ``kinds`` editable in the admin (an app's ``ready()``), with preview values of their placeholders."""
    for kind in kinds:
        missing = [name for name in kind.placeholders if name not in sample and name not in SAMPLE]
        assert not missing, f"{kind.key}: no sample value of {missing}"
        KINDS[kind.key] = kind
    SAMPLE.update(sample)


def choices() -> list[tuple[str, str]]:
    """The messages a template may be written for (the model field's choices, read when asked): a submitter's first,
    then staff's, each in the order registered."""
    ordered = sorted(KINDS.values(), key=lambda kind: kind.audience != Audience.CITIZEN)
    prefix = {Audience.CITIZEN: _("To the submitter"), Audience.STAFF: _("To staff")}
    return [(kind.key, f"{prefix[kind.audience]}: {kind.label}") for kind in ordered]


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
    """The active template (subject, body) of the message ``kind`` in ``language`` (the active one), if any. The
    active templates are few and read together, and kept while they stay unchanged (``core.lookups``; notify
    migration 0005 renews the stamp on any change): a sweep that sends hundreds of notices reads them once."""
    from .models import MessageTemplate

    cache = lookups()
    if "notify.templates" not in cache:
        rows = MessageTemplate.objects.filter(active=True).values_list("key", "language", "subject", "body")
        cache["notify.templates"] = {(key, language): (subject, body) for key, language, subject, body in rows}
    templates: dict[tuple[str, str], tuple[str, str]] = cache["notify.templates"]  # type: ignore[assignment]
    return templates.get((kind, language or translation.get_language()))


def worded(kind: str, facts: Mapping[str, object], built_in: tuple[str, str]) -> tuple[str, str]:
    """The message ``kind`` in the active language: its active template filled with ``facts``, else ``built_in``."""
    template = active(kind)
    if template is None:
        return built_in
    registered = KINDS.get(kind)
    subject, body = template
    if registered is not None and not problems(subject, registered.names) and not problems(body, registered.names):
        try:
            return " ".join(fill(subject, facts).split())[:300], fill(body, facts)
        except KeyError:  # a placeholder of the message its sender did not fill: the sender's mistake, logged
            pass
    log.error(
        "message template %s (%s) cannot be filled; the built-in wording is sent", kind, translation.get_language()
    )
    return built_in
