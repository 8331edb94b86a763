"""`fankui doctor [--strict] [--language en]`: what is wrong with this installation, one line per check
(core.doctor). Exits 1 when a check fails (or, with ``--strict``, warns)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from fankui.core import doctor

MARKS = {doctor.OK: "✓", doctor.WARN: "!", doctor.FAIL: "✗"}


class Command(BaseCommand):
    help = "Say what is wrong with this installation: database, migrations, worker, disk, mail, SMS, backlogs."
    # It runs the system checks itself, as one line among the others, and must run when they find errors.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--strict", action="store_true", help="exit 1 on a warning too")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="zh-hans (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["language"] not in dict(settings.LANGUAGES):
            raise CommandError(f"unknown language {options['language']!r}: zh-hans or en")
        with translation.override(options["language"]):
            findings = doctor.run()
            for finding in findings:
                style = {doctor.OK: self.style.SUCCESS, doctor.WARN: self.style.WARNING}.get(
                    finding.level, self.style.ERROR
                )
                self.stdout.write(style(f"{MARKS[finding.level]} {finding.name}: {finding.text}"))
            failed = [f for f in findings if f.level == doctor.FAIL or (options["strict"] and f.level == doctor.WARN)]
            if failed:
                raise CommandError(
                    _("%(count)d of %(total)d checks need attention.") % {"count": len(failed), "total": len(findings)},
                    returncode=1,
                )
            self.stdout.write(_("Nothing is wrong."))
