"""`fankui backup FILE [--without-keys]`: the database, attachments, trained models, imported files and the kept keys
in one archive with a manifest and SHA-256 checksums (core.backup); `--verify FILE` checks one without restoring."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from fankui.core import backup


class Command(BaseCommand):
    help = "Back up the database, attachments, trained models and keys into one .tar.gz with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the archive to write (a new file), e.g. fankui-2026-11-16.tar.gz")
        parser.add_argument(
            "--without-keys",
            action="store_true",
            help="leave out the keys kept in the data directory (keep them elsewhere: without the encryption key "
            "the contact details in the backup cannot be read)",
        )
        parser.add_argument("--verify", action="store_true", help="check an existing backup instead of writing one")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="zh-hans (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        with translation.override(options["language"]):
            try:
                if options["verify"]:
                    summary = backup.inspect(path)
                    message = _("%(path)s is whole: %(files)d files, %(engine)s, Fankui %(version)s, made %(when)s")
                else:
                    summary = backup.create(path, keys=not options["without_keys"])
                    message = _("%(path)s written: %(files)d files, %(engine)s, Fankui %(version)s, made %(when)s")
            except backup.Refused as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                message
                % {
                    "path": path,
                    "files": summary.files,
                    "engine": summary.manifest["engine"],
                    "version": summary.manifest["fankui"],
                    "when": summary.manifest["created_at"],
                }
            )
