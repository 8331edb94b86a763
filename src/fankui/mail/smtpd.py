"""The inbound SMTP listener (aiosmtpd), the alternative to a polled mailbox: the organisation's mail server
forwards the intake address here (a transport or relay rule), and each message is handled before it is answered.

"250" is said only after the case (or follow-up) has committed, so a message acknowledged is never lost; while
the database is away the answer is "451" and the sending server tries again later (the Message-ID keeps a
retry from creating anything twice). A message too big is refused with "552" before it is read whole, and one that
is set aside (unreadable, refused by intake) with "554" and its reason, so the sender's server tells the sender:
unlike an IMAP mailbox, the listener has no folder to keep it in.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from fankui.core import throttle

from . import services
from .models import InboundMail, Source, Status

log = logging.getLogger("fankui.mail")


def _handle(raw: bytes) -> InboundMail:
    close_old_connections()
    try:
        return services.handle(raw, source=Source.SMTP, mailbox="smtp")
    finally:
        close_old_connections()


def _peer_throttled(peer: str) -> int:
    """Count a message from ``peer`` (the connecting address) against the web form's limit per address ("submit",
    the same counter); the seconds to wait when over it, else 0. The relays in ``FANKUI_SMTPD_RELAYS`` are not
    counted: all mail comes through them."""
    if not peer or peer in settings.FANKUI_SMTPD_RELAYS:
        return 0
    return throttle.count("submit", "ip:" + peer, settings.FANKUI_RATE_LIMITS.get("submit"))


def _peer_address(session: Session) -> str:
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) and peer else str(peer or "")


class Handler:
    """aiosmtpd's handler: the database work runs in a small pool of threads, never on the event loop."""

    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fankui-smtpd")

    def close(self) -> None:
        """Close each thread's database connection (kept open between messages) and stop the threads."""
        barrier = threading.Barrier(self.workers)

        def close_mine() -> None:
            barrier.wait(timeout=30)  # one task per thread: each waits until every thread holds one
            connections.close_all()

        for future in [self.pool.submit(close_mine) for _ in range(self.workers)]:
            future.result()
        self.pool.shutdown()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        # As a delivering server does: the envelope sender on top. An empty one (<>) is a bounce or an auto-reply.
        sender = (envelope.mail_from or "").strip("<>")
        raw = b"Return-Path: <" + sender.encode("utf-8", "replace") + b">\r\n" + raw
        loop = asyncio.get_running_loop()
        try:
            # The cache may be a server (Redis): counted in the pool too, never on the event loop.
            if await loop.run_in_executor(self.pool, _peer_throttled, _peer_address(session)):
                return "451 4.7.1 Too many messages from your address; please try again later"
            record = await loop.run_in_executor(self.pool, _handle, raw)
        except DatabaseError:
            log.exception("an e-mail could not be stored; the sender is asked to try again")
            return "451 4.3.0 Temporary failure, please try again later"
        except Exception:
            log.exception("an e-mail could not be handled")
            return "451 4.3.0 Temporary failure, please try again later"
        if record.status == Status.FAILED:
            reason = "".join(ch for ch in record.reason if 32 <= ord(ch) < 127)[:200]
            return f"554 5.6.0 Message not accepted: {reason}"
        return "250 2.0.0 OK"


def split_bind(bind: str) -> tuple[str, int]:
    host, _sep, port = bind.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected host:port, not {bind!r}")
    return host.strip("[]"), int(port)


def controller(bind: str, workers: int = 2) -> Controller:
    """A listener on ``bind`` (host:port), not yet started."""
    host, port = split_bind(bind)
    return Controller(
        Handler(workers),
        hostname=host,
        port=port,
        data_size_limit=settings.FANKUI_MAIL_MAX_BYTES,
        # Chinese clients send 8-bit headers and bodies; SMTPUTF8 lets them say so.
        enable_SMTPUTF8=True,
        ident="Fankui",
    )


def serve(bind: str) -> None:
    """Run the listener until SIGINT or SIGTERM (``fankui mail smtpd``)."""
    listener = controller(bind)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    listener.start()
    log.info("listening for e-mail on %s", bind)
    try:
        stop.wait()
    finally:
        listener.stop()
        listener.handler.close()
