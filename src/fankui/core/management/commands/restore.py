"""`fankui restore FILE --yes`: replace this site's database, data folders and kept keys with a backup, after checking
it whole (core.backup). Stop the server and the workers first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from fankui.core import backup


class Command(BaseCommand):
    help = "Restore a backup made by fankui backup: the database, attachments, trained models and keys are replaced."
    # The database may be empty or of another version until the restore is done.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a backup written by fankui backup")
        parser.add_argument("--yes", action="store_true", help="replace this site's data (required)")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="zh-hans (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        with translation.override(options["language"]):
            if not path.is_file():
                raise CommandError(_("%(path)s is not a file") % {"path": path})
            if not options["yes"]:
                raise CommandError(
                    _(
                        "restoring replaces this site's database, attachments, trained models and keys with the "
                        "backup's: stop the server and the workers, then run it again with --yes"
                    )
                )
            try:
                summary = backup.restore(path)
            except backup.Refused as exc:
                raise CommandError(_("nothing was changed: %(reason)s") % {"reason": exc}) from None
            self.stdout.write(
                _("restored %(path)s (%(files)d files, Fankui %(version)s, made %(when)s)")
                % {
                    "path": path,
                    "files": summary.files,
                    "version": summary.manifest["fankui"],
                    "when": summary.manifest["created_at"],
                }
            )
            pending = backup.unapplied()
            if pending:
                self.stdout.write(
                    _("this code has %(count)d migrations the backup has not: run fankui migrate") % {"count": pending}
                )
