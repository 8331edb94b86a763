"""`fankui tokens`: list staff API tokens (all, or one user's); `fankui tokens --revoke PREFIX`: stop one working."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


class Command(BaseCommand):
    help = "List API tokens (when issued, last used, expiring; revoked or not), or revoke one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="only this user's tokens")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the token beginning with PREFIX (e.g. fk_AbCd1)")

    def handle(self, *args: Any, **options: Any) -> None:
        from fankui.accounts import services
        from fankui.accounts.models import ApiToken

        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        if options["revoke"]:
            chosen = tokens.filter(prefix=options["revoke"][:8])
            if chosen.count() != 1:
                raise CommandError(f"No single token begins with “{options['revoke']}”; `fankui tokens` lists them.")
            token = chosen.get()
            if not services.revoke_tokens(chosen):
                raise CommandError(f"The token {token.prefix}… of {token.user.username} was revoked already.")
            self.stdout.write(self.style.SUCCESS(f"Revoked the token {token.prefix}… “{token.name}” of {token.user}."))
            return
        now = timezone.now()
        for token in tokens:
            state = "revoked" if token.revoked_at else ("expired" if token.expires_at <= now else "works")
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}…  {token.user.username:<16} {token.name:<24} issued {token.created_at:%Y-%m-%d}  "
                f"expires {token.expires_at:%Y-%m-%d}  used {used}  {state}"
            )
