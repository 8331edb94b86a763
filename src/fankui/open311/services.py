"""Every write of the Open311 channel: issuing and revoking client keys (each recorded in the audit trail), and a
client's request, which goes through the one door of every channel (``cases.services.receiving.receive``), and a
client's update on one of its requests, which goes through the one door of what is written on a case later
(``cases.services.supplements.add_supplement``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.audit.services import record_entry
from fankui.cases.models import Case, Supplement
from fankui.cases.services.receiving import receive
from fankui.cases.services.supplements import add_supplement
from fankui.core import crypto
from fankui.core.lookups import lookups
from fankui.core.vocab import Channel
from fankui.intake.services import SubmissionInput, normalize_phone

from .models import Open311Client, Open311Request

KEY_PREFIX = "o311_"


def _audit(kind: str, client: Open311Client, actor: Any, **data: Any) -> None:
    record_entry(
        kind,
        actor=actor,
        actor_name="" if getattr(actor, "is_authenticated", False) else "command",
        target=f"open311:{client.pk} {client.name}"[:200],
        data={"client": client.pk, "name": client.name, "prefix": client.prefix, **data},
    )


def issue_client(name: str, *, rate: str = "", actor: Any = None) -> tuple[Open311Client, str]:
    """A new client and its key, which is returned once and cannot be read back (only its hash is kept)."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = Open311Client.objects.create(name=name, rate=rate, prefix=raw[:12], key_hash=Open311Client.hash(raw))
        _audit("open311_client_issued", client, actor, rate=rate)
    return client, raw


def revoke_clients(clients: QuerySet[Open311Client], *, actor: Any = None) -> int:
    """Stop the keys of ``clients`` working from now on; how many still worked. A revoked client stays listed, with
    its requests."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        for client in clients.select_for_update().filter(revoked_at=None):
            Open311Client.objects.filter(pk=client.pk).update(active=False, revoked_at=now)
            _audit("open311_client_revoked", client, actor)
            count += 1
    return count


def record_change(client: Open311Client, changes: dict[str, list[Any]], *, actor: Any = None) -> None:
    """An administrator changed a client in the admin (its name, limit or active flag): ``changes`` field ->
    [before, after]."""
    if changes:
        _audit("open311_client_changed", client, actor, changes=changes)


def client_for_key(raw: str) -> Open311Client | None:
    """The active client whose key ``raw`` is; None for an unknown or revoked one. The active clients are kept by
    the process while they stay unchanged (``core.lookups``; open311 migration 0002 renews the stamp on any change
    but the last-used time): a revoked key stops at the next request in every process."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    values = active_clients().get(Open311Client.hash(raw))
    if values is None:
        return None
    # A fresh instance per request: the kept rows are shared by the process's threads, instances are not.
    client = Open311Client.from_db(None, _CLIENT_FIELDS, values)
    now = timezone.now()
    # Touch at most once a minute (per process) so that a busy client does not turn every request into two writes.
    last = _touched.get(client.pk) or client.last_used_at
    if last is None or (now - last).total_seconds() > 60:
        _touched[client.pk] = now
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


_CLIENT_FIELDS = [field.attname for field in Open311Client._meta.concrete_fields]
# When this process last wrote each client's last-used time (the kept rows keep the time they were read with).
_touched: dict[int, datetime] = {}


def active_clients() -> dict[str, tuple[Any, ...]]:
    """The active clients' rows by key hash."""
    cache = lookups()
    if "open311.clients" not in cache:
        rows = Open311Client.objects.filter(active=True, revoked_at=None).values_list(*_CLIENT_FIELDS)
        key = _CLIENT_FIELDS.index("key_hash")
        cache["open311.clients"] = {row[key]: row for row in rows}
    return cache["open311.clients"]  # type: ignore[return-value]


@dataclass
class RequestInput:
    """What an Open311 client posted, already read (``schemas.RequestIn``)."""

    service_code: str
    description: str
    title: str = ""
    kind: str = ""
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    media_url: str = ""
    # The client's own id of the request (Idempotency-Key, attribute[fixmystreet_id], attribute[external_id]).
    client_request_id: str = ""


def contact_name(first: str, last: str) -> str:
    """A Chinese name is written family name first, without a space (王 + 小明 = 王小明); others as "first last"."""
    first, last = first.strip(), last.strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def body_of(data: RequestInput) -> str:
    """The text kept for staff: the description, and the picture's address when one was given (staff open it; the
    server never fetches what a client points at)."""
    if not data.media_url:
        return data.description
    return f"{data.description}\n\n{data.media_url}"


def submit(client: Open311Client, data: RequestInput) -> tuple[Case, Open311Request, bool]:
    """Open a case for what ``client`` posted; ``(case, request, created)``. A retry with the same client id
    returns the first case (``created`` False), per client: one client can never reach another's requests.

    The request's row is written in intake's transaction (``receive``'s ``then``): the client hears of the case
    only after both are stored, and a crash stores neither."""
    token = secrets.token_urlsafe(18)
    fields = {"client": client, "media_url": data.media_url}
    key = f"open311:{client.pk}:{data.client_request_id}" if data.client_request_id else ""
    case, created = receive(
        SubmissionInput(
            body=body_of(data),
            title=data.title,
            kind=data.kind,
            category=data.service_code,
            channel=Channel.OPEN311,
            contact_name=contact_name(data.first_name, data.last_name),
            contact_phone=data.phone,
            contact_email=data.email,
            anonymous=not (data.first_name or data.last_name or data.phone or data.email),
            address=data.address,
            lat=data.lat,
            lng=data.lng,
            idempotency_key=key,
            external_id=data.client_request_id,
        ),
        then=lambda new: Open311Request.objects.create(case=new, token=token, created_at=new.created_at, **fields),
    )
    if created:
        request = case.open311  # set by the create above, no query
    else:
        # A retry: the first post's row (requests stored before it was written with the case may lack one).
        request, _made = Open311Request.objects.get_or_create(
            case=case, defaults={"token": token, "created_at": case.created_at, **fields}
        )
    return case, request, created


# --- Updates posted by a client (FixMyStreet's POST servicerequestupdates) -----------------------------------------
@dataclass
class UpdateInput:
    """What a client posted on one of its requests, already read (``schemas.UpdateIn``)."""

    update_id: str
    description: str
    status: str = ""
    email: str = ""
    phone: str = ""
    media_urls: list[str] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)


# The statuses FixMyStreet sends with a comment (its extended list): a comment changes no state here, but one that
# says more than "still open" is shown to staff with the words.
QUIET_STATUSES = frozenset({"", "open"})


def _is_contact(case: Case, email: str, phone: str) -> bool:
    """The update's author is the request's contact: the same e-mail address or phone number (keyed hashes)."""
    submission = case.submission
    by_email = bool(email) and crypto.lookup_hash(email.strip().lower()) == submission.contact_email_hash
    by_phone = bool(phone) and crypto.lookup_hash(normalize_phone(phone)) == submission.contact_phone_hash
    return (by_email and bool(submission.contact_email_hash)) or (by_phone and bool(submission.contact_phone_hash))


def update_text(data: UpdateInput) -> str:
    """The words staff read: the comment, the status the app reported when it says more than "open", and the
    pictures' addresses (staff open them; the server never fetches what a client points at)."""
    parts = [data.description.strip()]
    if data.status.lower() not in QUIET_STATUSES:
        parts.append(_("The app reports the status: %(status)s") % {"status": data.status.upper()})
    parts.extend(data.media_urls)
    return "\n\n".join(part for part in parts if part)


def post_update(client: Open311Client, sent: Open311Request, data: UpdateInput) -> tuple[Supplement, bool]:
    """A comment on a request ``client`` sent (its citizen's words, or another user's of the app): a supplement on
    the case, ``(supplement, created)``. The client's ``update_id`` is the key: the same update again returns the
    first and adds nothing."""
    return add_supplement(
        sent.case,
        update_text(data),
        channel=Channel.OPEN311,
        from_contact=_is_contact(sent.case, data.email, data.phone),
        attachments=data.files,
        key=f"open311:{client.pk}:{data.update_id}",
    )
