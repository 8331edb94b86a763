"""Sending queued messages: e-mail through Django's backend, SMS through an HTTP gateway.

A failure that may pass (a timeout, a 5xx) is retried with growing pauses; one that will not (the server refuses
the address) marks the contact bounced. One failing message never stops the others. Without an SMS gateway, SMS
stay queued and say so: they are sent once a gateway is configured.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core import logs
from fankui.core.middleware import is_outage

from . import services
from .models import Channel, Contact, Message, Status

log = logging.getLogger("fankui.notify")

# Pauses before the 2nd, 3rd... attempt; after the last one the message is failed for good.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claimed message is left alone by other workers for FANKUI_NOTIFY_LEASE_SECONDS (5 minutes); a worker killed
# mid-send loses nothing: once the lease expired, another worker (or the same, restarted) sends it again, with the
# same id (SMS) and the same Message-ID (e-mail), by which the gateway and mail systems recognise a repeat.
NO_GATEWAY_PAUSE = timedelta(minutes=10)
TIMEOUT_SECONDS = 10


def lease() -> timedelta:
    """How long a claim on a message (or a partner's callback) lasts: FANKUI_NOTIFY_LEASE_SECONDS."""
    return timedelta(seconds=settings.FANKUI_NOTIFY_LEASE_SECONDS)


class Permanent(Exception):
    """The recipient's server refused the address: retrying will not help."""


class Temporary(Exception):
    """Worth trying again later."""


# Filled by higher apps in their AppConfig.ready() (the outbox imports none of them): each callable returns headers
# for an e-mail (``fankui.mail`` threads the messages about a case: Message-ID, In-Reply-To, References) and each
# footer callable a line added to its text ("" for none).
HEADER_PROVIDERS: list[Callable[[Message], dict[str, str]]] = []
FOOTER_PROVIDERS: list[Callable[[Message], str]] = []
# Filled by the cases app: case ids -> the request id their submission came with (core.logs), so that the log line of
# each message sent about a case carries the id of the case's intake.
REQUEST_IDS: list[Callable[[set[int]], dict[int, str]]] = []


def _send_email(message: Message) -> None:
    # Every e-mail we send says a machine sent it (RFC 3834), so vacation responders and other helpdesks do not
    # answer it, and our own intake ignores it: no mail loops.
    headers = {"Auto-Submitted": "auto-replied"}
    for provide in HEADER_PROVIDERS:
        headers.update(provide(message))
    # The same Message-ID at every attempt: a message sent again after a worker died mid-send is a repeat that mail
    # systems recognise, not a second message.
    headers.setdefault("Message-ID", f"<fankui.message.{message.pk}@{_domain()}>")
    body = "\n\n".join([message.body, *filter(None, (footer(message) for footer in FOOTER_PROVIDERS))])
    email = EmailMessage(message.subject, body, settings.DEFAULT_FROM_EMAIL, [message.address], headers=headers)
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise Permanent(str(error)[:300]) from error
    except (smtplib.SMTPException, OSError) as error:
        raise Temporary(str(error)[:300] or type(error).__name__) from error


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"


def _post(url: str, payload: dict[str, object]) -> None:
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1024)
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise Permanent(f"HTTP {error.code}") from error
        raise Temporary(f"HTTP {error.code}") from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise Temporary(str(error)[:300] or type(error).__name__) from error


def _send_sms(message: Message) -> None:
    _post(settings.FANKUI_SMS_GATEWAY_URL, {"to": message.address, "text": message.body, "id": message.pk})


SENDERS = {Channel.EMAIL: _send_email, Channel.SMS: _send_sms}


def _claim(limit: int) -> list[Message]:
    """Take up to ``limit`` due messages: their next attempt is moved past the lease in one transaction that read
    them locked, skipping rows another worker holds (PostgreSQL; SQLite has one writer at a time anyway), so two
    workers never send the same message and no lock is held while sending. Two statements for the whole batch: one
    conditional UPDATE per message was a third of the worker's sending time under steady intake."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Status.QUEUED, next_attempt_at__lte=now)
            .exclude(channel=Channel.IN_APP)
            .order_by("next_attempt_at", "id")[:limit]
        )
        Message.objects.filter(pk__in=[message.pk for message in claimed]).update(next_attempt_at=now + lease())
    claimed.sort(key=lambda message: message.pk)
    return claimed


def _blocked_addresses(messages: list[Message]) -> dict[tuple[str, str], str]:
    """Why each citizen address of these messages may not receive messages any more ("" for none), in one query."""
    wanted = {
        (message.channel, message.address_hash)
        for message in messages
        if message.user_id is None and message.channel in (Channel.EMAIL, Channel.SMS)
    }
    if not wanted:
        return {}
    found: dict[tuple[str, str], str] = {}
    contacts = Contact.objects.filter(address_hash__in={address for _, address in wanted})
    for contact in contacts.only("channel", "address_hash", "opted_out_at", "bounced_at"):
        key = (contact.channel, contact.address_hash)
        if key not in wanted:
            continue
        if contact.opted_out_at is not None:
            found[key] = _("The recipient opted out.")
        elif contact.bounced_at is not None:
            found[key] = services.bounced_error(contact.bounced_at)
        else:
            found[key] = ""
    return found


def _blocked(message: Message) -> str:
    """Why a citizen address may not receive this message any more, or ""."""
    return _blocked_addresses([message]).get((message.channel, message.address_hash), "")


def deliver(message: Message, blocked: str | None = None) -> str:
    """Try to send one claimed message; returns its new status. ``blocked``: ``_blocked(message)`` when the caller
    looked it up already (for a whole batch)."""
    now = timezone.now()
    reason = _blocked(message) if blocked is None else blocked
    if reason:
        message.status, message.next_attempt_at, message.last_error = Status.FAILED, None, reason[:500]
    elif message.channel == Channel.SMS and not settings.FANKUI_SMS_GATEWAY_URL:
        # Kept, not failed: the messages go out once FANKUI_SMS_GATEWAY_URL is set.
        message.next_attempt_at = now + NO_GATEWAY_PAUSE
        message.last_error = "no gateway configured"
    else:
        message.attempts += 1
        try:
            SENDERS[Channel(message.channel)](message)
        except Permanent as error:
            message.status, message.next_attempt_at, message.last_error = Status.BOUNCED, None, str(error)[:500]
            if message.user_id is None and message.channel in (Channel.EMAIL, Channel.SMS):
                services.mark_bounced(message.channel, message.address, str(error))
        except Temporary as error:
            message.last_error = str(error)[:500]
            if message.attempts >= MAX_ATTEMPTS:
                message.status, message.next_attempt_at = Status.FAILED, None
            else:
                message.next_attempt_at = now + BACKOFF[message.attempts - 1]
            log.warning("message %s attempt %d failed: %s", message.pk, message.attempts, message.last_error)
        else:
            message.status, message.sent_at, message.next_attempt_at, message.last_error = Status.SENT, now, None, ""
    message.save(update_fields=["status", "attempts", "next_attempt_at", "last_error", "sent_at"])
    return message.status


def _request_ids(messages: list[Message]) -> dict[int, str]:
    cases = {message.case_id for message in messages if message.case_id is not None}
    found: dict[int, str] = {}
    for provide in REQUEST_IDS:
        if cases:
            found.update(provide(cases))
    return found


def deliver_due(limit: int = 200) -> int:
    """Send what is due; returns how many messages were tried. Each is sent and logged in the log context of its
    case's intake (its request id), so the logs follow a case to every message sent about it."""
    handled = 0
    claimed = _claim(limit)
    request_ids = _request_ids(claimed)
    blocked = _blocked_addresses(claimed)
    for message in claimed:
        request_id = request_ids.get(message.case_id or 0, "")
        with logs.context(request_id=request_id, case_id=message.case_id):
            try:
                status = deliver(message, blocked.get((message.channel, message.address_hash), ""))
            except Exception as exc:  # one broken message must not keep the others waiting; its lease expires
                if is_outage(exc):
                    # The database is gone: what is sent now cannot be recorded as sent and would go out again when
                    # its lease expires. The rest of the batch waits for the lease instead of being sent twice.
                    log.exception("message %s: the database is unreachable; the rest of the batch waits", message.pk)
                    return handled + 1
                log.exception("message %s could not be delivered", message.pk)
            else:
                log.info(
                    "message %s %s (%s, attempt %d)",
                    message.pk,
                    status,
                    message.channel,
                    message.attempts,
                    extra={"message_id": message.pk, "channel": message.channel, "status": status},
                )
        handled += 1
    return handled


def report() -> dict[str, object]:
    """Counts by channel and status, the failures' reasons, and SMS waiting for a gateway."""
    from django.db.models import Count

    counts: dict[str, dict[str, int]] = {}
    for row in Message.objects.values("channel", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row["channel"], {})[row["status"]] = row["n"]
    failures = list(
        Message.objects.filter(status__in=(Status.FAILED, Status.BOUNCED))
        .values("last_error")
        .annotate(n=Count("id"))
        .order_by("-n")[:10]
    )
    waiting = Message.objects.filter(status=Status.QUEUED, channel=Channel.SMS, last_error="no gateway configured")
    return {
        "counts": counts,
        "failures": [{"reason": f["last_error"], "n": f["n"]} for f in failures],
        "sms_waiting_for_gateway": waiting.count(),
        "sms_gateway_configured": bool(settings.FANKUI_SMS_GATEWAY_URL),
    }
