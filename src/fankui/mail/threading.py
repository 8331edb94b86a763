"""Keeping a case's e-mails in one thread, both ways.

What we send about a case carries a Message-ID of our own that names the case and is signed with the site's secret
(``<case-42.1234.5f0c…@host>``), and a reference line in its text (``[ref:42.9ab3…]``) for mail programs that
drop the headers of a reply. A reply names our Message-ID in In-Reply-To or References, or quotes the line, and
comes back to its case; nobody can make up either for a case whose mail they never received. Answers to a case
that arrived by e-mail also carry In-Reply-To/References of the citizen's own messages, so their mail program
shows one conversation.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from fankui.notify.models import Channel, Message

from .models import InboundMail, Status

SALT = "fankui.mail.thread"
OUR_ID = re.compile(r"^case-(\d{1,18})\.(\d{1,18})\.([0-9a-f]{20})@")
MARKER = re.compile(r"\[ref:(\d{1,18})\.([0-9a-f]{16})\]")
MAX_REFERENCES = 10


def _sign(value: str, length: int) -> str:
    return salted_hmac(SALT, value, algorithm="sha256").hexdigest()[:length]


def domain() -> str:
    """The right-hand side of our Message-IDs: the domain of the address we send from."""
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"


def message_id_for(case_id: int, message_pk: int) -> str:
    """Our Message-ID (without angle brackets) for outbox message ``message_pk`` about case ``case_id``."""
    return f"case-{case_id}.{message_pk}.{_sign(f'{case_id}.{message_pk}', 20)}@{domain()}"


def case_of_message_id(message_id: str) -> int | None:
    """The case an id of ours names, if the signature holds (whatever the domain: it may have changed since)."""
    found = OUR_ID.match(message_id)
    if not found:
        return None
    case_id, message_pk, signature = found.groups()
    return int(case_id) if constant_time_compare(signature, _sign(f"{case_id}.{message_pk}", 20)) else None


def marker_for(case_id: int) -> str:
    return f"[ref:{case_id}.{_sign(f'marker.{case_id}', 16)}]"


def case_of_marker(text: str) -> int | None:
    """The case named by a reference line found in ``text`` (the last one: the newest quoted message)."""
    for case_id, signature in reversed(MARKER.findall(text)):
        if constant_time_compare(signature, _sign(f"marker.{case_id}", 16)):
            return int(case_id)
    return None


def _about_a_case(message: Message) -> bool:
    # Staff messages name a case too; only what goes to the citizen belongs in their thread.
    return message.channel == Channel.EMAIL and message.case_id is not None and message.user_id is None


def intake_configured() -> bool:
    """Replies reach us: a mailbox is polled, the SMTP listener is set, or replies go to an address we read."""
    return bool(settings.FANKUI_IMAP_URL or settings.FANKUI_SMTPD_BIND or settings.FANKUI_MAIL_REPLY_TO)


def headers(message: Message) -> dict[str, str]:
    """For ``notify.delivery.HEADER_PROVIDERS``: our Message-ID, and the citizen's own Message-IDs of the case as
    In-Reply-To and References (the first and the latest few)."""
    if not _about_a_case(message):
        return {}
    assert message.case_id is not None
    found = {"Message-ID": f"<{message_id_for(message.case_id, message.pk)}>"}
    if settings.FANKUI_MAIL_REPLY_TO:
        found["Reply-To"] = settings.FANKUI_MAIL_REPLY_TO
    theirs = list(
        InboundMail.objects.filter(case_id=message.case_id, status__in=(Status.CASE, Status.FOLLOW_UP))
        .exclude(message_id="")
        .exclude(message_id__endswith="@no-message-id")
        .order_by("received_at", "id")
        .values_list("message_id", flat=True)
    )
    if theirs:
        chain = theirs if len(theirs) <= MAX_REFERENCES else [theirs[0], *theirs[-(MAX_REFERENCES - 1) :]]
        found["In-Reply-To"] = f"<{theirs[-1]}>"
        found["References"] = " ".join(f"<{mid}>" for mid in chain)
    return found


def footer(message: Message) -> str:
    """For ``notify.delivery.FOOTER_PROVIDERS``: the reference line that brings a reply back to its case."""
    if not _about_a_case(message) or not intake_configured():
        return ""
    assert message.case_id is not None
    return _("To add to your request, reply to this e-mail and keep this line: %(ref)s") % {
        "ref": marker_for(message.case_id)
    }
