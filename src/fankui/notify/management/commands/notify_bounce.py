"""`fankui notify_bounce CHANNEL ADDRESS [--reason ...] [--clear]`: record (or clear) a bounce reported by the mail
server or the SMS provider, so later messages to that address fail at once with the reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.core.errors import ValidationFailed
from fankui.notify import services


class Command(BaseCommand):
    help = "Mark an e-mail address or phone number as bounced (or clear it with --clear)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("channel", choices=["email", "sms"])
        parser.add_argument("address")
        parser.add_argument("--reason", default="")
        parser.add_argument("--clear", action="store_true", help="the address works again")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clear"]:
            services.clear_bounce(options["channel"], options["address"].strip())
            self.stdout.write("cleared")
            return
        try:
            services.mark_bounced(options["channel"], options["address"], options["reason"])
        except ValidationFailed as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write("bounced")
