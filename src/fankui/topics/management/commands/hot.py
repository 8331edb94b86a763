"""``fankui hot``: the hottest topics (热点) in a CSV file of feedback, as JSON or a readable list."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.nlp import cluster
from fankui.nlp.csvio import CsvError, read_rows


class Command(BaseCommand):
    help = (
        "Group the rows of a CSV file into hot topics (same place + same issue) and print the K hottest: "
        "label, keywords, size, heat and the rows' ids. With two text columns or more the first is the title."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="CSV file with a header row (UTF-8 or GBK/GB18030).")
        parser.add_argument("--text", required=True, help="Text column(s), comma-separated, title first: title,body")
        parser.add_argument("--time", help="Column with each row's time (growth compares the last 7 days with before).")
        parser.add_argument("--likes", help="Column with public support (likes) counted towards heat.")
        parser.add_argument("--id", dest="id_column", help="Column whose values identify rows (default: row number).")
        parser.add_argument("--top", type=int, default=10, help="How many topics (default 10).")
        parser.add_argument("--min-size", type=int, default=2, help="Smallest topic, in rows (default 2).")
        parser.add_argument("--window", type=int, default=7, help="Days in each growth window (default 7).")
        parser.add_argument("--json", action="store_true", help="Print JSON: a list of topics, hottest first.")
        parser.add_argument("--details", action="store_true", help="With --json, add place, support and growth.")
        parser.add_argument(
            "--workers", type=int, default=0, help="Processes cutting words (default: up to 4 for large files)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["top"] < 1:
            raise CommandError("--top must be 1 or more.")
        if options["min_size"] < 1 or options["window"] < 1:
            raise CommandError("--min-size and --window must be 1 or more.")
        show = not options["no_progress"]
        try:
            rows = read_rows(
                options["data"],
                options["text"],
                id_column=options["id_column"],
                time_column=options["time"],
                likes_column=options["likes"],
                progress=show,
            )
        except CsvError as exc:
            raise CommandError(str(exc)) from exc
        if rows.unreadable_times:
            sys.stderr.write(f"{rows.unreadable_times} times in column {options['time']} could not be read.\n")
        clusters = cluster.cluster(
            rows.bodies,
            rows.titles if any(rows.titles) else None,
            times=rows.times,
            likes=rows.likes,
            window_days=options["window"],
            min_size=options["min_size"],
            progress=show,
            workers=options["workers"] or min(4, os.cpu_count() or 1),
        )[: options["top"]]
        result = []
        for c in clusters:
            item: dict[str, Any] = {
                "label": c.label,
                "keywords": c.keywords,
                "size": c.size,
                "heat": c.heat,
                "ids": [rows.ids[i] for i in c.rows],
            }
            if options["details"]:
                item.update(
                    place=c.place,
                    support=c.support,
                    growth=c.growth,
                    recent=c.recent,
                    previous=c.previous,
                    last_seen=c.last_seen.isoformat() if c.last_seen else None,
                )
            result.append(item)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        if not result:
            self.stdout.write("No topic: no two rows are about the same thing.")
        for rank, item in enumerate(result, 1):
            self.stdout.write(f"{rank:>3}. {item['label']}  (rows {item['size']}, heat {item['heat']:.1f})")
            self.stdout.write(f"     {' '.join(item['keywords'])}")
