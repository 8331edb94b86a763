"""Polling a mailbox over IMAP (IMAPClient): every message in the folder is one to handle, because each handled one
is moved out (to the processed folder, or the failed one when set aside) or deleted, and only after its case has
committed. A crash between the commit and the move leaves the message in the folder; the next poll finds its
``InboundMail`` row by Message-ID and only moves it.

Sizes and Message-IDs are read first (``RFC822.SIZE`` and the one header), so a 50 MB message is set aside without
being downloaded; each message is fetched on its own, so one that cannot be read never holds up those behind it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import InterfaceError, OperationalError
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from . import parsing, services
from .models import InboundMail, Source, Status

log = logging.getLogger("fankui.mail")
TIMEOUT_SECONDS = 60
HEADER = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool
    starttls: bool


def mailbox(url: str) -> Mailbox:
    """``imaps://user:password@host:993/INBOX`` (TLS), ``imap+starttls://…:143/…``, or ``imap://`` (plain: for a
    server on the same machine only). User and password are URL-encoded (``%40`` for an @)."""
    parts = urlsplit(url)
    if parts.scheme not in ("imaps", "imap", "imap+starttls") or not parts.hostname:
        raise ValueError("FANKUI_IMAP_URL: expected imaps://user:password@host:993/INBOX")
    tls = parts.scheme == "imaps"
    return Mailbox(
        host=parts.hostname,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
        starttls=parts.scheme == "imap+starttls",
    )


def connect(box: Mailbox) -> IMAPClient:
    context = ssl.create_default_context()
    client = IMAPClient(box.host, port=box.port, ssl=box.tls, ssl_context=context, timeout=TIMEOUT_SECONDS)
    if box.starttls:
        client.starttls(context)
    client.login(box.user, box.password)
    return client


def _ensure_folder(client: IMAPClient, name: str) -> None:
    if name and not client.folder_exists(name):
        try:
            client.create_folder(name)
        except IMAPClientError:
            if not client.folder_exists(name):  # created by another worker meanwhile, or really refused
                raise


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    """Move one message out of the polled folder (delete it when ``folder`` is empty)."""
    if folder and client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    if folder:
        client.copy([uid], folder)
    client.delete_messages([uid])
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()


def _placeholder_id(box: Mailbox, uidvalidity: int, uid: int) -> str:
    """A key for a message without a Message-ID that is too big to read: its place in the mailbox, stable while the
    folder keeps its UIDVALIDITY."""
    place = hashlib.sha256(f"{box.host}|{box.user}|{box.folder}|{uidvalidity}".encode()).hexdigest()[:24]
    return f"imap.{place}.{uid}@no-message-id"


def _destination(record: InboundMail) -> str:
    return (
        settings.FANKUI_MAIL_FAILED_FOLDER if record.status == Status.FAILED else settings.FANKUI_MAIL_PROCESSED_FOLDER
    )


def poll(url: str = "", limit: int = 200) -> int:
    """Handle up to ``limit`` messages of the mailbox; returns how many were handled (moved out of the folder)."""
    box = mailbox(url or settings.FANKUI_IMAP_URL)
    client = connect(box)
    try:
        return _poll(client, box, limit)
    finally:
        with contextlib.suppress(IMAPClientError, OSError):
            client.logout()


def _poll(client: IMAPClient, box: Mailbox, limit: int) -> int:
    status = client.select_folder(box.folder)
    uidvalidity = int(status.get(b"UIDVALIDITY", 0))
    uids = sorted(client.search(["NOT", "DELETED"]))[:limit]
    if not uids:
        return 0
    _ensure_folder(client, settings.FANKUI_MAIL_PROCESSED_FOLDER)
    _ensure_folder(client, settings.FANKUI_MAIL_FAILED_FOLDER)
    facts = client.fetch(uids, ["RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    handled = 0
    for uid in uids:
        fact = facts.get(uid, {})
        size = int(fact.get(b"RFC822.SIZE", 0))
        message_id = parsing.header_message_id(fact.get(HEADER) or b"")
        try:
            record = _handle_one(client, box, uid, size, message_id or _placeholder_id(box, uidvalidity, uid))
        except (OperationalError, InterfaceError):
            # The database is away: leave this message and the rest where they are, for the next poll.
            log.exception("the database is unavailable; the mailbox is polled again later")
            break
        try:
            _move(client, uid, _destination(record))
        except IMAPClientError:
            # Recorded already: the next poll finds the record and tries the move again, and creates nothing twice.
            log.exception("message %s could not be moved to %s", uid, _destination(record))
            continue
        handled += 1
    return handled


def _handle_one(client: IMAPClient, box: Mailbox, uid: int, size: int, message_id: str) -> InboundMail:
    record = services.seen(services.key_of(message_id))
    if record is not None:
        return record  # handled before the last poll stopped: only the move is left
    if size > settings.FANKUI_MAIL_MAX_BYTES:
        return services.set_aside(
            message_id, services.too_big(size), source=Source.IMAP, mailbox=box.folder, uid=uid, size=size
        )
    try:
        raw = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
        if not isinstance(raw, bytes):
            raise ValueError("the server sent no content")
        return services.handle(raw, source=Source.IMAP, mailbox=box.folder, uid=uid)
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:  # one broken message must not hold up the others: it is set aside with its reason
        log.exception("message %s could not be handled", uid)
        return services.set_aside(
            message_id, f"{type(error).__name__}: {error}"[:300], source=Source.IMAP, mailbox=box.folder, uid=uid
        )
