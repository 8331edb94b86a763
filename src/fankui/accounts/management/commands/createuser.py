"""`fankui createuser USERNAME --role ROLE`: create a member of staff (and, with --token, an API token)."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = "Create a staff user with a role (and optionally an API token, printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        from fankui.accounts.models import Role

        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=f"one of: {', '.join(Role.values)}")
        parser.add_argument("--department", help="department code (required for handlers and department heads)")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--language", default="", help="the language of the user's notices: zh-hans or en (default: the site's)"
        )
        parser.add_argument("--password", help="the password (asked for when not given)")
        parser.add_argument("--token", metavar="NAME", help="also issue an API token with this name and print it")

    def handle(self, *args: Any, **options: Any) -> None:
        from fankui.accounts import services
        from fankui.accounts.models import Department, Role, User
        from fankui.core.errors import ValidationFailed

        username = options["username"].strip()
        role = options["role"].strip()
        if not username:
            raise CommandError("The username must not be empty.")
        # Checked before the password prompt, so a typo does not cost the operator a password twice.
        if role not in Role.values:
            raise CommandError(f"Unknown role “{role}”; choose one of: {', '.join(Role.values)}.")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"The username “{username}” is taken.")
        department = None
        if options["department"]:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                codes = ", ".join(Department.objects.values_list("code", flat=True)[:30]) or "none yet"
                raise CommandError(f"Unknown department code “{options['department']}” (known: {codes}).")
        password = options["password"] if options["password"] is not None else self._ask_password()
        if not password:
            raise CommandError("The password must not be empty.")
        try:
            with transaction.atomic():
                user = services.create_user(
                    username,
                    password,
                    role,
                    department=department,
                    full_name=options["name"],
                    email=options["email"],
                    language=options["language"],
                )
                token = services.issue_token(user, options["token"]) if options["token"] else None
        except ValidationFailed as error:
            raise CommandError(" ".join(str(m) for messages in error.errors.values() for m in messages)) from error
        where = f" in {department.name}" if department else ""
        self.stdout.write(self.style.SUCCESS(f"Created {role} “{username}”{where}."))
        if token:
            self.stdout.write(f"API token “{options['token']}” (shown only this once; keep it safe):")
            self.stdout.write(token)

    def _ask_password(self) -> str:
        # Without a terminal (a script, a pipe, cron, a container's exec) there is nobody to ask: getpass would read
        # the password from stdin in clear text, or die with a traceback at its end.
        if not sys.stdin.isatty():
            raise CommandError("No password given: pass --password PASSWORD (there is no terminal to ask for one on).")
        for _ in range(3):
            try:
                first = getpass.getpass("Password: ")
                again = getpass.getpass("Password (again): ") if first else ""
            except (EOFError, KeyboardInterrupt):
                raise CommandError("No password given: the prompt was closed.") from None
            if first and first == again:
                return first
            self.stderr.write("The passwords were empty or did not match; try again.")
        raise CommandError("No password given.")
