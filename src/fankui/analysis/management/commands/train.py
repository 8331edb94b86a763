"""``fankui train``: train a text classifier on a CSV file and save it under a name."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fankui.analysis import store
from fankui.nlp.classify import Settings, TrainingError, train
from fankui.nlp.csvio import CsvError, parse_columns, read_table


class Command(BaseCommand):
    help = (
        "Train a classifier on a CSV file (text columns joined with a space) and save it under --model; "
        "prints the cross-validated macro-F1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data", required=True, help="CSV file with a header row (UTF-8 or GBK/GB18030).")
        parser.add_argument("--text", required=True, help="Text column(s), comma-separated: --text title,body")
        parser.add_argument("--label", required=True, help="The column holding the label to learn.")
        parser.add_argument("--model", required=True, help="Name to save the model under (then: predict --model).")
        parser.add_argument("--folds", type=int, default=5, help="Cross-validation folds (default 5).")
        parser.add_argument("--words", action="store_true", help="Add jieba word features to character n-grams.")
        parser.add_argument("--c", type=float, default=None, help="SVM regularisation C (default: by data size).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["no_progress"]
        try:
            name = store.check_name(options["model"])
            columns = parse_columns(options["text"])
            label = options["label"].strip()
            table = read_table(options["data"], [*columns, label], progress=show, description="reading")
        except (CsvError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if options["folds"] < 2:
            raise CommandError("--folds must be at least 2.")
        texts = table.texts(columns)
        labels = table.column(label)
        settings = Settings(folds=options["folds"], words=options["words"])
        if options["c"] is not None:
            if options["c"] <= 0:
                raise CommandError("--c must be a positive number.")
            settings.c = options["c"]
        bar = tqdm(total=settings.folds + 1, desc="training", unit=" fits", disable=not show, file=sys.stderr)

        def step(what: str) -> None:
            bar.set_postfix_str(what)
            bar.update()

        try:
            model, report = train(texts, labels, settings, step=step)
        except TrainingError as exc:
            raise CommandError(f"{table.path}: {exc}") from exc
        finally:
            bar.close()
        stored = store.save(name, model, report, extra={"source": str(table.path), "text": columns, "label": label})
        skipped = len(table.rows) - report.rows
        self.stdout.write(
            f"Trained {name} on {report.rows} rows ({table.encoding_name}), {len(report.labels)} labels"
            + (f", {skipped} rows without text or label skipped" if skipped else "")
            + "."
        )
        if report.macro_f1 is None:
            self.stdout.write("cross-validated macro-F1: n/a (too few rows per label to cross-validate)")
        else:
            self.stdout.write(f"cross-validated macro-F1: {report.macro_f1:.4f} ({report.folds} folds)")
        self.stdout.write(f"Saved {stored.version} in the database (the model {name}).")
