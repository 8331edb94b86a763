"""Every write of notify: queue messages for staff and citizens, opt-outs and bounces.

Queueing only writes rows (in the caller's transaction); ``delivery.deliver_due`` sends them later. Each row has a
unique ``dedupe_key`` made of the recipient, the channel and the caller's ``key``, so asking twice never sends twice.
Addresses are stored encrypted and found by their keyed hash (``models.address_hash``); opt-out links name that
hash, never the address.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fankui.core import crypto
from fankui.core.errors import NotFound, ValidationFailed
from fankui.core.site import public_url
from fankui.core.vocab import Channel as CameBy

from . import quiet, wording
from .models import Channel, Contact, Message, Status, address_hash, normalised

if TYPE_CHECKING:
    from fankui.accounts.models import User

OPT_OUT_SALT = "fankui.notify.optout"
BATCH = 1000


def dedupe_key(recipient: str, channel: str, key: str) -> str:
    # Keyed: an unkeyed hash of "contact:13912345678..." gives the number back to whoever tries every number.
    return crypto.lookup_hash(f"{recipient}\x1f{channel}\x1f{key}")


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
def notify_staff(
    users: Iterable[User], subject: str, body: str, *, case_id: int | None = None, key: str, urgent: bool = False
) -> int:
    """Tell members of staff: in the application, and by e-mail when they have an address; ``case_id`` names the
    case it is about (the staff list links to it). Each (user, key) once, however often this is called. The e-mail
    of what is not ``urgent`` (``quiet.is_urgent`` knows the SLA's keys) waits for the end of quiet hours. Returns
    how many messages were queued now."""
    now = timezone.now()
    send_at = quiet.not_before(now, Channel.EMAIL, key, staff=True, urgent=urgent)
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
            email = normalised(Channel.EMAIL, user.email)
            rows.append(
                Message(
                    channel=Channel.EMAIL,
                    user=user,
                    address=email,
                    address_hash=address_hash(email),
                    case_id=case_id,
                    key=key[:200],
                    dedupe_key=dedupe_key(recipient, Channel.EMAIL, key),
                    subject=subject,
                    body=str(body),
                    created_at=now,
                    next_attempt_at=send_at,
                )
            )
    return _insert_new(rows)


# Composes (subject, body) in the built-in wording, in the active language.
Compose = Callable[[], tuple[str, str]]


def tell_staff(
    users: Iterable[User],
    kind: str,
    facts: Mapping[str, object],
    compose: Compose,
    *,
    key: str,
    case_id: int | None = None,
    urgent: bool = False,
    footer: Callable[[], str] | None = None,
) -> int:
    """``notify_staff`` in each recipient's language (``User.language``, else the site's): the message ``kind`` in
    its active template of that language filled with ``facts`` (values may be lazy translations: they are read in
    that language), else in the built-in wording ``compose`` writes; ``footer`` (the case's link) under either, where
    a template cannot remove it. Returns how many messages were queued."""
    by_language: dict[str, list[User]] = {}
    languages = dict(settings.LANGUAGES)
    for user in users:
        language = user.language if user.language in languages else settings.LANGUAGE_CODE
        by_language.setdefault(language, []).append(user)
    queued = 0
    for language, group in by_language.items():
        with translation.override(language):
            subject, body = wording.worded(kind, facts, compose())
            if footer is not None:
                body = f"{body}\n\n{footer()}"
            queued += notify_staff(group, subject, body, case_id=case_id, key=key, urgent=urgent)
    return queued


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
class Recipient:
    """A citizen address known by its keyed hash only (what an opt-out link names)."""

    channel: str
    address_hash: str


@dataclass(frozen=True)
class Address:
    """A citizen address (normalised: ``models.normalised``)."""

    channel: str
    address: str

    @cached_property
    def hash(self) -> str:
        return address_hash(self.address)

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.channel, self.hash)

    @property
    def where(self) -> tuple[str, str]:
        """The key of ``blocked_addresses``'s answers."""
        return (self.channel, self.hash)


# The one rule of which contact a citizen hears back on, by the channel their request came in (issue 15, "Out":
# the answer follows the channel; docs/notify.md has the table, tests/notify/test_the_answer_follows_the_channel.py
# walks it). A caller to the hotline and a visitor at the window gave the number they are reached at (the operator
# typed it): SMS, even when an e-mail is on file. Everyone else: e-mail, else SMS. E-mail cases are answered by
# e-mail (the mail app threads them). Open311 and partner cases are told to the client's system by those apps; the
# outbox writes to the citizen only when the system passed on their contact.
SMS_FIRST = frozenset({CameBy.PHONE, CameBy.VISIT})


def citizen_address(*, anonymous: bool, email: str, phone: str, came_by: str = CameBy.WEB) -> Address | None:
    """Where a citizen who left these contact details can be reached, for a request that came in by ``came_by``
    (``core.vocab.Channel``); none when anonymous or without contact."""
    if anonymous:
        return None
    email, phone = normalised(Channel.EMAIL, email or ""), normalised(Channel.SMS, phone or "")
    choices = [(Channel.SMS, phone), (Channel.EMAIL, email)]
    if came_by not in SMS_FIRST:
        choices.reverse()
    for channel, address in choices:
        if address:
            return Address(channel, address)
    return None


# Opt-out tokens: "2" + the channel's letter + the address's keyed hash (urlsafe base64 of its 32 bytes), signed.
# Version 1 (before issue 14) was base64 of "channel\x1faddress": anyone holding a link read the phone number in it.
# Those links are still honoured (they are in messages already sent); none is made any more.
TOKEN_VERSION = "2"
CHANNEL_LETTERS = {Channel.EMAIL: "e", Channel.SMS: "s"}
LETTER_CHANNELS = {letter: channel for channel, letter in CHANNEL_LETTERS.items()}


def opt_out_token(address: Address) -> str:
    """A signed, URL-safe token naming the address by its keyed hash: HMAC only (no JSON, no compression), as a
    broadcast makes one per message."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(address.hash)).decode().rstrip("=")
    return signing.Signer(salt=OPT_OUT_SALT).sign(f"{TOKEN_VERSION}{CHANNEL_LETTERS[Channel(address.channel)]}{digest}")


@functools.lru_cache(maxsize=1)
def _opt_out_path() -> str:
    # Reversed once: a broadcast builds tens of thousands of these links.
    return reverse("notify:optout", kwargs={"token": "TOKEN"}).removesuffix("TOKEN/")


def opt_out_url(address: Address, base_url: str | None = None) -> str:
    return f"{base_url or public_url()}{_opt_out_path()}{opt_out_token(address)}/"


def _unpad(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def recipient_for_token(token: str) -> Recipient:
    invalid = NotFound(_("This link is not valid. Please use the link from the message you received."))
    try:
        payload = signing.Signer(salt=OPT_OUT_SALT).unsign(token)
        if payload[:1] == TOKEN_VERSION and payload[1:2] in LETTER_CHANNELS:
            digest = _unpad(payload[2:])
            if len(digest) != hashlib.sha256().digest_size:
                raise ValueError(payload)
            return Recipient(LETTER_CHANNELS[payload[1:2]], digest.hex())
        channel, address = _unpad(payload).decode().split("\x1f", 1)  # version 1
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        raise invalid from None
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise invalid
    return Address(channel, normalised(channel, address)).recipient


def opt_out_footer() -> str:
    """The text around a message to a citizen, with its way out; ``%(body)s`` and ``%(url)s`` are filled in."""
    return _("%(body)s\n\nTo stop receiving these messages: %(url)s")


def citizen_body(body: str, address: Address, footer: str | None = None, base_url: str | None = None) -> str:
    """The text with the way out that every message to a citizen carries."""
    return (footer or opt_out_footer()) % {"body": body, "url": opt_out_url(address, base_url)}


def blocked_addresses() -> tuple[set[tuple[str, str]], dict[tuple[str, str], datetime]]:
    """Addresses that opted out, and those that bounced (with when), as (channel, address hash): ``Address.where``.
    Both stay small next to the number of cases."""
    opted = set(Contact.objects.filter(opted_out_at__isnull=False).values_list("channel", "address_hash"))
    bounced: dict[tuple[str, str], datetime] = {
        (c, h): at
        for c, h, at in Contact.objects.filter(bounced_at__isnull=False).values_list(
            "channel", "address_hash", "bounced_at"
        )
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
    requested: bool = False,
) -> Message:
    """One unsaved message to a citizen address; a known bounce makes it failed at once, with the reason. An SMS
    the citizen is not waiting for waits for the end of quiet hours (``quiet``)."""
    message = Message(
        channel=address.channel,
        address=address.address,
        address_hash=address.hash,
        case_id=case_id,
        key=key[:200],
        dedupe_key=dedupe_key(f"contact:{address.address}", address.channel, key),
        subject=str(subject)[:300],
        body=citizen_body(str(body), address, footer, base_url),
        created_at=now,
        next_attempt_at=quiet.not_before(now, address.channel, key, staff=False, requested=requested),
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
    contact = _find(address.recipient)
    if contact is not None and contact.opted_out_at is not None and not requested:
        return False
    bounced_at = contact.bounced_at if contact is not None else None
    message = citizen_message(
        address, subject, body, key=key, case_id=case_id, now=timezone.now(), bounced_at=bounced_at, requested=requested
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


def _find(who: Address | Recipient) -> Contact | None:
    recipient = who.recipient if isinstance(who, Address) else who
    return Contact.objects.filter(channel=recipient.channel, address_hash=recipient.address_hash).first()


def find_contact(who: Address | Recipient) -> Contact | None:
    return _find(who)


def _known_address(recipient: Recipient) -> str:
    """The address behind a hash, from a message sent to it; empty when none is left (erased)."""
    for stored in (
        Message.objects.filter(channel=recipient.channel, address_hash=recipient.address_hash)
        .exclude(address="")
        .order_by("-id")
        .values_list("address", flat=True)[:1]
    ):
        return stored
    return ""


def _contact(who: Address | Recipient) -> Contact:
    recipient = who.recipient if isinstance(who, Address) else who
    address = who.address if isinstance(who, Address) else _known_address(recipient)
    contact, _created = Contact.objects.get_or_create(
        channel=recipient.channel, address_hash=recipient.address_hash, defaults={"address": address}
    )
    return contact


def _queued_to(recipient: Recipient) -> QuerySet[Message]:
    return Message.objects.filter(
        channel=recipient.channel, address_hash=recipient.address_hash, user__isnull=True, status=Status.QUEUED
    )


@transaction.atomic
def opt_out(who: Address | Recipient) -> Contact:
    """The citizen asked for no more messages: nothing queued to the address is sent, nothing new is queued."""
    contact = _contact(who)
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at"])
    _queued_to(Recipient(contact.channel, contact.address_hash)).update(
        status=Status.FAILED, next_attempt_at=None, last_error=_("The recipient opted out.")
    )
    return contact


@transaction.atomic
def opt_in(who: Address | Recipient) -> Contact:
    contact = _contact(who)
    contact.opted_out_at = None
    contact.save(update_fields=["opted_out_at"])
    return contact


@transaction.atomic
def mark_bounced(channel: str, address: str, reason: str = "") -> Contact:
    """The address does not receive mail or SMS: later messages to it fail at once with the reason."""
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise ValidationFailed({"channel": [_("Only e-mail and SMS addresses can bounce.")]})
    address = normalised(channel, address)
    if not address:
        raise ValidationFailed({"address": [_("Give the address that bounced.")]})
    contact = _contact(Address(channel, address))
    contact.bounced_at = timezone.now()
    contact.bounce_reason = reason[:300]
    contact.save(update_fields=["bounced_at", "bounce_reason"])
    _queued_to(Address(channel, address).recipient).update(
        status=Status.FAILED, next_attempt_at=None, last_error=bounced_error(contact.bounced_at)[:500]
    )
    return contact


@transaction.atomic
def clear_bounce(channel: str, address: str) -> None:
    Contact.objects.filter(channel=channel, address_hash=address_hash(normalised(channel, address))).update(
        bounced_at=None, bounce_reason=""
    )


def forget_sent(sent: Iterable[tuple[Address, str]]) -> int:
    """Citizens' messages not about a case (a questionnaire's invitations, whose addresses the retention sweep
    erases), each named by its address and key, lose their address and text as ``forget_case`` empties a case's;
    found by their dedupe keys (the unique index), so the outbox is never scanned. Returns how many were emptied."""
    keys = [dedupe_key(f"contact:{address.address}", address.channel, key) for address, key in sent]
    emptied = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        emptied += _empty_citizen_messages(Message.objects.filter(dedupe_key__in=chunk, user__isnull=True))
    return emptied


def _empty_citizen_messages(messages: QuerySet[Message]) -> int:
    """Each message keeps its channel, status and dates (the delivery figures) and loses its address and text; what
    was still queued is not sent."""
    erased = _("Erased at the citizen's request or after the retention period.")
    emptied = 0
    for message in messages:
        message.address, message.address_hash = "", ""
        message.subject = erased[:300]
        message.body = ""
        # The dedupe key hashed the address: replaced by one that names nothing but the row.
        message.dedupe_key = hashlib.sha256(f"erased\x1f{message.pk}".encode()).hexdigest()
        if message.status == Status.QUEUED:
            message.status, message.next_attempt_at, message.last_error = Status.FAILED, None, erased[:500]
        message.save(
            update_fields=[
                "address",
                "address_hash",
                "subject",
                "body",
                "dedupe_key",
                "status",
                "next_attempt_at",
                "last_error",
            ]
        )
        emptied += 1
    return emptied


def forget_case(
    case_id: int, addresses: Iterable[Address], mask: Callable[[str], str], keep: Iterable[Address] = ()
) -> int:
    """A citizen's personal data was erased from the case ``case_id``: its messages to the citizen keep their
    channel, status and dates (the delivery figures) but lose their address and text, and what was still queued is
    not sent; staff's messages about the case are passed through ``mask``; the contact rows of ``addresses`` go
    too, except those in ``keep`` (still the contact of another case). Returns how many messages were emptied."""
    for note in Message.objects.filter(case_id=case_id, user__isnull=False):
        note.subject, note.body = mask(note.subject)[:300], mask(note.body)
        note.save(update_fields=["subject", "body"])
    emptied = _empty_citizen_messages(Message.objects.filter(case_id=case_id, user__isnull=True))
    kept = set(keep)
    for address in set(addresses) - kept:
        Contact.objects.filter(channel=address.channel, address_hash=address.hash).delete()
    return emptied


def sent_about(case_id: int, addresses: Iterable[Address]) -> list[Message]:
    """The messages about the case ``case_id`` written to these citizen addresses (queued, sent or not), oldest
    first: what a citizen's copy of their data lists (privacy.dossier). Messages about the case to anyone else (a
    person following it, staff) are not theirs to see."""
    hashes = {address.hash for address in addresses}
    if not hashes:
        return []
    found = Message.objects.filter(case_id=case_id, user__isnull=True, address_hash__in=hashes)
    return list(found.order_by("created_at", "id"))


def reencrypt_addresses(batch: int = 1000) -> tuple[int, int]:
    """``fankui rotate-key``: re-encrypt every stored address with the newest key (plain text left from before
    encryption too) and recompute the keyed hashes (address, dedupe key) with the current lookup key, a batch per
    transaction. Messages whose address was erased keep their dedupe key, which names only the row. A contact known
    only by its hash (an opt-out from a link after erasure) cannot be rehashed and is left as it is. Returns how
    many messages and contacts were rewritten."""
    messages = 0
    last = 0
    while True:
        with transaction.atomic():
            rows = list(
                Message.objects.filter(pk__gt=last)
                .order_by("pk")
                .select_for_update()
                .only("pk", "channel", "user_id", "address", "address_hash", "key", "dedupe_key")[:batch]
            )
            if not rows:
                break
            for row in rows:
                row.address_hash = address_hash(row.address)
                if row.user_id is not None:
                    row.dedupe_key = dedupe_key(f"user:{row.user_id}", row.channel, row.key)
                elif row.address:
                    row.dedupe_key = dedupe_key(f"contact:{row.address}", row.channel, row.key)
            Message.objects.bulk_update(rows, ["address", "address_hash", "dedupe_key"])
        messages += len(rows)
        last = rows[-1].pk
    contacts = 0
    with transaction.atomic():
        for contact in Contact.objects.select_for_update().exclude(address="").order_by("pk"):
            contact.save(update_fields=["address"])  # encrypts with the first key, rehashes (Contact.save)
            contacts += 1
    return messages, contacts
