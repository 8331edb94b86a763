"""Every write of notify: queue messages for staff and citizens, opt-outs and bounces.

Queueing only writes rows (in the caller's transaction); ``delivery.deliver_due`` sends them later. Each row has a
unique ``dedupe_key`` made of the recipient, the channel and the caller's ``key``, so asking twice never sends twice.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.core.errors import NotFound, ValidationFailed
from fankui.core.site import public_url

from .models import Channel, Contact, Message, Status

if TYPE_CHECKING:
    from fankui.accounts.models import User

OPT_OUT_SALT = "fankui.notify.optout"
BATCH = 1000


def dedupe_key(recipient: str, channel: str, key: str) -> str:
    return hashlib.sha256(f"{recipient}\x1f{channel}\x1f{key}".encode()).hexdigest()


def _insert_new(messages: list[Message]) -> int:
    """Insert the messages whose dedupe key is not taken yet; returns how many were new.

    The existing keys are read first so the count is exact on every database; ``ignore_conflicts`` still settles
    a race with another process queueing the same message at the same moment."""
    if not messages:
        return 0
    taken = set(
        Message.objects.filter(dedupe_key__in=[m.dedupe_key for m in messages]).values_list("dedupe_key", flat=True)
    )
    fresh: dict[str, Message] = {}
    for message in messages:
        if message.dedupe_key not in taken:
            fresh.setdefault(message.dedupe_key, message)
    Message.objects.bulk_create(fresh.values(), batch_size=BATCH, ignore_conflicts=True)
    return len(fresh)


# --- Staff ------------------------------------------------------------------------------------------------------
def notify_staff(users: Iterable[User], subject: str, body: str, *, case_id: int | None = None, key: str) -> int:
    """Tell members of staff: in the application, and by e-mail when they have an address; ``case_id`` names the
    case it is about (the staff list links to it). Each (user, key) once, however often this is called. Returns
    how many messages were queued now."""
    now = timezone.now()
    rows: list[Message] = []
    subject = str(subject)[:300]
    for user in users:
        if not user.is_active:
            continue
        recipient = f"user:{user.pk}"
        rows.append(
            Message(
                channel=Channel.IN_APP,
                status=Status.SENT,
                user=user,
                case_id=case_id,
                key=key[:200],
                dedupe_key=dedupe_key(recipient, Channel.IN_APP, key),
                subject=subject,
                body=str(body),
                created_at=now,
                sent_at=now,
            )
        )
        if user.email:
            rows.append(
                Message(
                    channel=Channel.EMAIL,
                    user=user,
                    address=user.email,
                    case_id=case_id,
                    key=key[:200],
                    dedupe_key=dedupe_key(recipient, Channel.EMAIL, key),
                    subject=subject,
                    body=str(body),
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    return _insert_new(rows)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's in-app notifications read: the given ones, or all."""
    unread = Message.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: User) -> int:
    return Message.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True).count()


# --- Citizens ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Address:
    channel: str
    address: str


def citizen_address(*, anonymous: bool, email: str, phone: str) -> Address | None:
    """Where a citizen who left these contact details can be reached: their e-mail, else their phone (SMS); none
    when anonymous."""
    if anonymous:
        return None
    if email:
        return Address(Channel.EMAIL, email.strip().lower())
    if phone:
        return Address(Channel.SMS, phone.strip())
    return None


def opt_out_token(address: Address) -> str:
    """A signed, URL-safe token naming the address: HMAC only (no JSON, no compression), as a broadcast makes one
    per message."""
    raw = f"{address.channel}\x1f{address.address}".encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return signing.Signer(salt=OPT_OUT_SALT).sign(payload)


@functools.lru_cache(maxsize=1)
def _opt_out_path() -> str:
    # Reversed once: a broadcast builds tens of thousands of these links.
    return reverse("notify:optout", kwargs={"token": "TOKEN"}).removesuffix("TOKEN/")


def opt_out_url(address: Address, base_url: str | None = None) -> str:
    return f"{base_url or public_url()}{_opt_out_path()}{opt_out_token(address)}/"


def address_for_token(token: str) -> Address:
    invalid = NotFound(_("This link is not valid. Please use the link from the message you received."))
    try:
        payload = signing.Signer(salt=OPT_OUT_SALT).unsign(token)
        channel, address = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("\x1f", 1)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        raise invalid from None
    if channel not in Channel.values:
        raise invalid
    return Address(channel, address)


def opt_out_footer() -> str:
    """The text around a message to a citizen, with its way out; ``%(body)s`` and ``%(url)s`` are filled in."""
    return _("%(body)s\n\nTo stop receiving these messages: %(url)s")


def citizen_body(body: str, address: Address, footer: str | None = None, base_url: str | None = None) -> str:
    """The text with the way out that every message to a citizen carries."""
    return (footer or opt_out_footer()) % {"body": body, "url": opt_out_url(address, base_url)}


def blocked_addresses() -> tuple[set[tuple[str, str]], dict[tuple[str, str], datetime]]:
    """Addresses that opted out, and those that bounced (with when). Both stay small next to the number of cases."""
    opted = set(Contact.objects.filter(opted_out_at__isnull=False).values_list("channel", "address"))
    bounced: dict[tuple[str, str], datetime] = {
        (c, a): at
        for c, a, at in Contact.objects.filter(bounced_at__isnull=False).values_list("channel", "address", "bounced_at")
        if at is not None
    }
    return opted, bounced


def bounced_error(at: datetime) -> str:
    return _("This address bounced on %(date)s; it is not used again until it is corrected.") % {
        "date": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    }


def citizen_message(
    address: Address,
    subject: str,
    body: str,
    *,
    key: str,
    case_id: int | None,
    now: datetime,
    bounced_at: datetime | None = None,
    footer: str | None = None,
    base_url: str | None = None,
) -> Message:
    """One unsaved message to a citizen address; a known bounce makes it failed at once, with the reason."""
    message = Message(
        channel=address.channel,
        address=address.address,
        case_id=case_id,
        key=key[:200],
        dedupe_key=dedupe_key(f"contact:{address.address}", address.channel, key),
        subject=str(subject)[:300],
        body=citizen_body(str(body), address, footer, base_url),
        created_at=now,
        next_attempt_at=now,
    )
    if bounced_at is not None:
        message.status = Status.FAILED
        message.next_attempt_at = None
        message.last_error = bounced_error(bounced_at)[:500]
    return message


def notify_citizen(
    address: Address | None, subject: str, body: str, *, key: str, case_id: int | None = None, requested: bool = False
) -> bool:
    """Queue a message to a citizen's ``address`` (``citizen_address``) by e-mail or SMS, about the case
    ``case_id``. Not without an address (anonymous, no contact) or when it opted out, unless the citizen
    ``requested`` this very message on the site (a one-time code); once per (address, key).
    Returns whether a message was queued for sending (a known bounced address gets a failed row saying so, and
    False)."""
    if address is None:
        return False
    contact = Contact.objects.filter(channel=address.channel, address=address.address).first()
    if contact is not None and contact.opted_out_at is not None and not requested:
        return False
    bounced_at = contact.bounced_at if contact is not None else None
    message = citizen_message(
        address, subject, body, key=key, case_id=case_id, now=timezone.now(), bounced_at=bounced_at
    )
    return _insert_new([message]) == 1 and bounced_at is None


def queue_in_batches(messages: Iterable[Message], batch: int = BATCH) -> int:
    """Insert a stream of messages in batches without holding them all in memory; returns how many were new."""
    total = 0
    chunk: list[Message] = []
    for message in messages:
        chunk.append(message)
        if len(chunk) >= batch:
            total += _insert_new(chunk)
            chunk = []
    return total + _insert_new(chunk)


def _contact(address: Address) -> Contact:
    contact, _created = Contact.objects.get_or_create(channel=address.channel, address=address.address)
    return contact


@transaction.atomic
def opt_out(address: Address) -> Contact:
    """The citizen asked for no more messages: nothing queued to the address is sent, nothing new is queued."""
    contact = _contact(address)
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at"])
    Message.objects.filter(channel=address.channel, address=address.address, status=Status.QUEUED).update(
        status=Status.FAILED, next_attempt_at=None, last_error=_("The recipient opted out.")
    )
    return contact


@transaction.atomic
def opt_in(address: Address) -> Contact:
    contact = _contact(address)
    contact.opted_out_at = None
    contact.save(update_fields=["opted_out_at"])
    return contact


@transaction.atomic
def mark_bounced(channel: str, address: str, reason: str = "") -> Contact:
    """The address does not receive mail or SMS: later messages to it fail at once with the reason."""
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise ValidationFailed({"channel": [_("Only e-mail and SMS addresses can bounce.")]})
    address = address.strip().lower() if channel == Channel.EMAIL else address.strip()
    if not address:
        raise ValidationFailed({"address": [_("Give the address that bounced.")]})
    contact = _contact(Address(channel, address))
    contact.bounced_at = timezone.now()
    contact.bounce_reason = reason[:300]
    contact.save(update_fields=["bounced_at", "bounce_reason"])
    Message.objects.filter(channel=channel, address=address, status=Status.QUEUED).update(
        status=Status.FAILED, next_attempt_at=None, last_error=bounced_error(contact.bounced_at)[:500]
    )
    return contact


@transaction.atomic
def clear_bounce(channel: str, address: str) -> None:
    Contact.objects.filter(channel=channel, address=address).update(bounced_at=None, bounce_reason="")


def forget_case(
    case_id: int, addresses: Iterable[Address], mask: Callable[[str], str], keep: Iterable[Address] = ()
) -> int:
    """A citizen's personal data was erased from the case ``case_id``: its messages to the citizen keep their
    channel, status and dates (the delivery figures) but lose their address and text, and what was still queued is
    not sent; staff's messages about the case are passed through ``mask``; the contact rows of ``addresses`` go
    too, except those in ``keep`` (still the contact of another case). Returns how many messages were emptied."""
    erased = _("Erased at the citizen's request or after the retention period.")
    for note in Message.objects.filter(case_id=case_id, user__isnull=False):
        note.subject, note.body = mask(note.subject)[:300], mask(note.body)
        note.save(update_fields=["subject", "body"])
    emptied = 0
    for message in Message.objects.filter(case_id=case_id, user__isnull=True):
        message.address = ""
        message.subject = erased[:300]
        message.body = ""
        # The dedupe key hashed the address: replaced by one that names nothing but the row.
        message.dedupe_key = hashlib.sha256(f"erased\x1f{message.pk}".encode()).hexdigest()
        if message.status == Status.QUEUED:
            message.status, message.next_attempt_at, message.last_error = Status.FAILED, None, erased[:500]
        message.save(
            update_fields=["address", "subject", "body", "dedupe_key", "status", "next_attempt_at", "last_error"]
        )
        emptied += 1
    kept = set(keep)
    for address in set(addresses) - kept:
        Contact.objects.filter(channel=address.channel, address=address.address).delete()
    return emptied
