"""`fankui mail poll` (handle what waits in the mailbox now) and `fankui mail smtpd --bind host:port` (the inbound
SMTP listener). docs/mail.md."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from imapclient.exceptions import IMAPClientError

from fankui.mail import imap, smtpd


class Command(BaseCommand):
    help = "E-mail intake: poll the mailbox once, or run the inbound SMTP listener."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="Handle the messages waiting in the mailbox (FANKUI_IMAP_URL) now.")
        poll.add_argument("--url", default="", help="Another mailbox than FANKUI_IMAP_URL.")
        poll.add_argument("--limit", type=int, default=200)
        listen = sub.add_parser("smtpd", help="Receive e-mail over SMTP until stopped.")
        listen.add_argument("--bind", default="", help="host:port (default FANKUI_SMTPD_BIND).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "poll":
            url = options["url"] or settings.FANKUI_IMAP_URL
            if not url:
                raise CommandError("No mailbox: set FANKUI_IMAP_URL (imaps://user:password@host:993/INBOX) or --url.")
            try:
                handled = imap.poll(url, limit=options["limit"])
            except (ValueError, OSError, IMAPClientError) as error:
                raise CommandError(f"The mailbox could not be polled: {error}") from error
            self.stdout.write(json.dumps({"handled": handled}))
            return
        bind = options["bind"] or settings.FANKUI_SMTPD_BIND
        if not bind:
            raise CommandError("No address: set FANKUI_SMTPD_BIND or --bind host:port.")
        try:
            smtpd.serve(bind)
        except (ValueError, OSError) as error:
            raise CommandError(f"The SMTP listener could not start on {bind}: {error}") from error
