"""`fankui report --period 2026-10 --format pdf --out report.pdf`: the whole organisation's analysis report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from fankui.audit.services import record_export
from fankui.core.errors import DomainError
from fankui.insights import builders, periods, queries


class Command(BaseCommand):
    help = "Write the feedback analysis report (反馈分析会) of a month or ISO week as PDF, xlsx or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="a month (2026-10) or an ISO week (2026-W44)")
        parser.add_argument("--format", choices=builders.FORMATS, default="pdf")
        parser.add_argument("--out", required=True, help="the file to write")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="zh-hans (default) or en")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = periods.parse(options["period"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["language"] not in dict(settings.LANGUAGES):
            raise CommandError(f"unknown language {options['language']!r}: zh-hans or en")
        out = Path(options["out"])
        if out.is_dir() or not out.parent.is_dir():
            raise CommandError(f"cannot write {out}: give a file in an existing folder")
        with translation.override(options["language"]):
            report = queries.build(queries.whole_organisation(), period)
            content = builders.render(report, options["format"])
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from exc
        record_export(None, "report", period=period.key, format=options["format"], department=None)
        self.stdout.write(f"{out} ({options['format']}, {len(content):,} bytes, period {period.key})")
