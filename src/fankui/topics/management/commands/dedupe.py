"""``fankui dedupe``: groups of near-duplicate rows in a CSV file (the same report sent twice, copied by many)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.nlp import dedupe
from fankui.nlp.csvio import CsvError, read_rows


class Command(BaseCommand):
    help = (
        "Find groups of near-duplicate rows (character-bigram Jaccard similarity, MinHash LSH). Each group starts "
        "with its earliest row (the likely primary); similarity is each row's to that primary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="CSV file with a header row (UTF-8 or GBK/GB18030).")
        parser.add_argument("--text", required=True, help="Text column(s), comma-separated: --text title,body")
        parser.add_argument("--id", dest="id_column", help="Column whose values identify rows (default: row number).")
        parser.add_argument(
            "--threshold",
            type=float,
            default=dedupe.DEFAULT_THRESHOLD,
            help=f"Similarity from which two rows are duplicates, 0..1 (default {dedupe.DEFAULT_THRESHOLD}).",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON: a list of groups, largest first.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if not 0 < threshold <= 1:
            raise CommandError("--threshold must be above 0 and at most 1.")
        show = not options["no_progress"]
        try:
            rows = read_rows(options["data"], options["text"], id_column=options["id_column"], progress=show)
        except CsvError as exc:
            raise CommandError(str(exc)) from exc
        groups = dedupe.groups(rows.texts, threshold=threshold, progress=show)
        result: list[dict[str, Any]] = [
            {
                "primary": rows.ids[group[0][0]],
                "ids": [rows.ids[row] for row, _ in group],
                "similarity": [similarity for _, similarity in group],
                "size": len(group),
            }
            for group in groups
        ]
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        duplicates = sum(g["size"] - 1 for g in result)
        self.stdout.write(f"{len(result)} groups, {duplicates} rows repeat an earlier one.")
        for group in result:
            others = ", ".join(f"{i} ({s:.2f})" for i, s in zip(group["ids"][1:], group["similarity"][1:], strict=True))
            self.stdout.write(f"  {group['primary']}: {others}")
