"""``fankui predict``: label every row of a CSV file with a model; writes the rows plus predicted and confidence."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fankui.analysis import predictors
from fankui.analysis.store import ModelNotFound
from fankui.nlp.csvio import CsvError, parse_columns, progress, read_table, write_table

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Predict a label for every row of a CSV file; writes the input rows plus 'predicted' and 'confidence'. "
        "Built-in models: kind, nature, sentiment, urgency."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", required=True, help="A trained model's name, or kind/nature/sentiment/urgency.")
        parser.add_argument("--data", required=True, help="CSV file with a header row (UTF-8 or GBK/GB18030).")
        parser.add_argument("--text", required=True, help="Text column(s), comma-separated: --text title,body")
        parser.add_argument("--out", required=True, help="Where to write the result (UTF-8 CSV).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["no_progress"]
        try:
            predictor = predictors.get(options["model"])
        except ModelNotFound as exc:
            raise CommandError(
                f"No model named {options['model']}: train one with fankui train --model {options['model']} "
                f"(built in: {', '.join(predictors.BUILTIN_NAMES)})."
            ) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            columns = parse_columns(options["text"])
            table = read_table(options["data"], columns, progress=show, description="reading")
        except CsvError as exc:
            raise CommandError(str(exc)) from exc
        texts = table.texts(columns)
        results: list[tuple[str, float]] = []
        starts = range(0, len(texts), BATCH)
        for start in progress(starts, total=len(starts), description="predicting", enabled=show):
            results.extend(predictor.predict(texts[start : start + BATCH]))
        kept = [name for name in table.header if name not in ("predicted", "confidence")]
        header = [*kept, "predicted", "confidence"]
        rows = (
            {**row, "predicted": label, "confidence": f"{confidence:.4f}"}
            for row, (label, confidence) in zip(table.rows, results, strict=True)
        )
        try:
            count = write_table(options["out"], header, rows)
        except (CsvError, OSError) as exc:
            raise CommandError(f"Cannot write {options['out']}: {exc}") from exc
        self.stdout.write(f"Predicted {count} rows with {options['model']} ({predictor.version}) into {options['out']}")
