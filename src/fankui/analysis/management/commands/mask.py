"""``fankui mask``: personal data masked in text read from standard input, written to standard output."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.nlp.csvio import CsvError, decode
from fankui.nlp.masking import mask


class Command(BaseCommand):
    help = "Mask phone numbers, ID numbers, bank cards, e-mail addresses and plates in text read from stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--name", action="append", default=[], help="A name given in contact fields, masked where it recurs."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text, _ = decode(sys.stdin.buffer.read(), "standard input")
        except CsvError as exc:
            raise CommandError(str(exc).replace("Save it as CSV in UTF-8.", "Give UTF-8 text.")) from exc
        out = sys.stdout.buffer
        out.write(mask(text, options["name"]).text.encode("utf-8"))
        out.flush()
