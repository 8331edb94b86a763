"""`fankui reset_two_factor USERNAME`: forget a user's authenticator (a lost phone); they enrol again at sign-in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Reset a user's two-factor sign-in: their authenticator is forgotten and they set up a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        from fankui.accounts import services
        from fankui.accounts.models import User

        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user “{options['username']}”.")
        if not services.reset_two_factor(user):
            self.stdout.write(f"{user.username} had no two-factor sign-in; nothing to reset.")
            return
        self.stdout.write(self.style.SUCCESS(f"Two-factor sign-in of {user.username} reset: they enrol again."))
