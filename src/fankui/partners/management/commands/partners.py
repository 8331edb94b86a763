"""`fankui partners add|list|rotate-secret|revoke`: the partner systems that post cases over a signed webhook
(docs/partners.md). A secret is printed once, when it is made or rotated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Manage partner systems: add one (prints its secret), list them, rotate a secret, revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        add = commands.add_parser("add", help="add a partner system and print its secret")
        add.add_argument("slug", help="its short name in its address: 2-30 small letters, digits, dashes")
        add.add_argument("--name", required=True, help="its name for people (e.g. 微信小程序)")
        add.add_argument("--callback-url", default="", help="where its cases' steps are posted (none: no callbacks)")
        add.add_argument("--rate", default="", help="its rate limit, e.g. 600/m or off (default FANKUI_PARTNER_RATE)")
        commands.add_parser("list", help="list partner systems")
        rotate = commands.add_parser("rotate-secret", help="give a partner a new secret and print it")
        rotate.add_argument("slug")
        rotate.add_argument(
            "--grace-hours",
            type=int,
            default=24,
            help="hours the old secret keeps working (default 24; 0 when it leaked)",
        )
        revoke = commands.add_parser("revoke", help="refuse a partner's requests and stop its callbacks")
        revoke.add_argument("slug")
        ping = commands.add_parser("ping", help="post a signed test callback to a partner's address now")
        ping.add_argument("slug")
        commands.add_parser(
            "reencrypt", help="encrypt the secrets again with the first of FANKUI_ENCRYPTION_KEYS (after a new key)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from fankui.core.errors import DomainError, ValidationFailed
        from fankui.partners import services
        from fankui.partners.models import Partner

        command = options["command"]
        try:
            if command == "add":
                partner, secret = services.create_partner(
                    options["name"], options["slug"], callback_url=options["callback_url"], rate=options["rate"]
                )
                self.stdout.write(
                    self.style.SUCCESS(f"Added {partner.slug}: POST /partners/{partner.slug}/submissions")
                )
                self.stdout.write(f"secret (shown once; give it to the partner over a safe way): {secret}")
            elif command == "reencrypt":
                self.stdout.write(f"Encrypted the secrets of {services.reencrypt_secrets()} partner systems again.")
            elif command == "list":
                for partner in Partner.objects.order_by("slug"):
                    state = "active" if partner.active else f"revoked {partner.revoked_at:%Y-%m-%d}"
                    rotated = f"{partner.secret_rotated_at:%Y-%m-%d}" if partner.secret_rotated_at else "never"
                    self.stdout.write(
                        f"{partner.slug:<20} {partner.name:<20} {state:<18} rate {partner.rate or 'default':<8} "
                        f"secret rotated {rotated:<10}  callback {partner.callback_url or '-'}"
                    )
            else:
                found = Partner.objects.filter(slug=options["slug"]).first()
                if found is None:
                    raise CommandError(f"No partner system “{options['slug']}”; `fankui partners list` lists them.")
                partner = found
                if command == "ping":
                    from fankui.partners.delivery import ping

                    self.stdout.write(f"ping {partner.slug} {partner.callback_url or '-'}: {ping(partner)}")
                elif command == "rotate-secret":
                    secret = services.rotate_secret(partner, grace_hours=max(0, options["grace_hours"]))
                    self.stdout.write(self.style.SUCCESS(f"New secret of {partner.slug} (shown once): {secret}"))
                    if options["grace_hours"] > 0:
                        self.stdout.write(f"The old secret keeps working for {options['grace_hours']} hours.")
                elif not services.revoke(partner):
                    raise CommandError(f"{partner.slug} was revoked already.")
                else:
                    self.stdout.write(self.style.SUCCESS(f"Revoked {partner.slug}."))
        except ValidationFailed as error:
            problems = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
            raise CommandError(problems) from None
        except DomainError as error:
            raise CommandError(str(error.message)) from None
