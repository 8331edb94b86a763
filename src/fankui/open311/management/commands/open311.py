"""`fankui open311 clients add NAME [--rate 600/h]` (prints the key once), `clients list`, `clients revoke NAME`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Open311 clients: add one (its api_key is printed once), list them, revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        groups = parser.add_subparsers(dest="group", required=True, metavar="clients")
        clients = groups.add_parser("clients", help="the systems allowed to submit requests")
        verbs = clients.add_subparsers(dest="verb", required=True, metavar="{add,list,revoke}")
        add = verbs.add_parser("add", help="issue a key to a new client (printed once)")
        add.add_argument("name")
        add.add_argument("--rate", default="", help='its own limit, "600/h", "50/10m" or "off" (default: the site\'s)')
        verbs.add_parser("list", help="every client: key prefix, state, limit, created, last used")
        revoke = verbs.add_parser("revoke", help="stop a client's key working")
        revoke.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.core.exceptions import ValidationError

        from fankui.open311 import services
        from fankui.open311.models import Open311Client, validate_rate

        if options["verb"] == "add":
            name = options["name"].strip()
            if not name or len(name) > 100:
                raise CommandError("A client needs a name of 1 to 100 characters.")
            if Open311Client.objects.filter(name=name).exists():
                raise CommandError(f"A client named “{name}” exists already; `fankui open311 clients list` lists them.")
            try:
                validate_rate(options["rate"])
            except ValidationError as error:
                raise CommandError(f"--rate: {error.messages[0]}") from None
            client, raw = services.issue_client(name, rate=options["rate"])
            self.stdout.write(f"Client “{client.name}” added. Its api_key (shown only now):")
            self.stdout.write(raw)
            return
        if options["verb"] == "revoke":
            chosen = Open311Client.objects.filter(name=options["name"])
            if not chosen.exists():
                raise CommandError(f"No client is named “{options['name']}”; `fankui open311 clients list` lists them.")
            if not services.revoke_clients(chosen):
                raise CommandError(f"The key of “{options['name']}” was revoked already.")
            self.stdout.write(self.style.SUCCESS(f"Revoked the key of “{options['name']}”."))
            return
        for client in Open311Client.objects.order_by("name"):
            state = "revoked" if client.revoked_at else ("works" if client.active else "inactive")
            used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "never"
            self.stdout.write(
                f"{client.prefix}…  {client.name:<24} {state:<8} rate {client.rate or 'default':<8} "
                f"created {client.created_at:%Y-%m-%d}  used {used}"
            )
