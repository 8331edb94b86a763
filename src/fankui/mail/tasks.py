"""The mailbox poll, a sweep of `fankui worker` when FANKUI_IMAP_URL is set."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from imapclient.exceptions import IMAPClientError

from . import imap

log = logging.getLogger("fankui.mail")
_last_poll = [float("-inf")]


def poll_mailbox() -> int:
    """Poll the mailbox every FANKUI_MAIL_POLL_SECONDS (this process's own clock: several workers polling one
    mailbox is safe, the Message-ID decides). A mail server that is down is logged and tried at the next turn."""
    if not settings.FANKUI_IMAP_URL or time.monotonic() - _last_poll[0] < settings.FANKUI_MAIL_POLL_SECONDS:
        return 0
    _last_poll[0] = time.monotonic()
    try:
        return imap.poll()
    except (IMAPClientError, OSError) as error:
        log.warning("the mailbox could not be polled: %s", error)
        return 0


# Collected by `fankui worker` (core/management/commands/worker.py).
SWEEPS: list[tuple[str, Callable[[], int]]] = [("mail_poll_mailbox", poll_mailbox)]
