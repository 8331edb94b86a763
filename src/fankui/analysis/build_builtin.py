"""Rebuild the shipped models from the shared real data and print their evaluation.

    python -m fankui.analysis.build_builtin [--data DIR] [--folds 3]

Sentiment is trained on the food-delivery and e-commerce reviews (waimai_10k and online_shopping_10_cats, label
1 = positive) and saved to src/fankui/analysis/builtin/sentiment/; kind, nature and urgency are rules, evaluated
here on the hand-labelled sentences of tests/nlp/fixtures/. The figures printed are the ones docs/analysis.md
quotes. Nothing here runs at install or run time: the built model is committed.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
from pathlib import Path

import django


def _evaluate_rules(fixtures: Path) -> None:
    from sklearn.metrics import f1_score

    from fankui.nlp import rules

    kind_file = fixtures / "kind_sample.csv"
    if kind_file.exists():
        with kind_file.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        kinds = [rules.kind(row["text"]).label for row in rows]
        natures = [rules.nature(row["text"], k).label for row, k in zip(rows, kinds, strict=True)]
        kind_f1 = f1_score([row["kind"] for row in rows], kinds, average="macro")
        kind_acc = sum(row["kind"] == k for row, k in zip(rows, kinds, strict=True)) / len(rows)
        nature_acc = sum(row["nature"] == n for row, n in zip(rows, natures, strict=True)) / len(rows)
        print(f"kind (rules) on {len(rows)} hand-labelled sentences: accuracy {kind_acc:.3f}, macro-F1 {kind_f1:.3f}")
        print(f"nature (rules) on the same sentences: accuracy {nature_acc:.3f}")
    urgency_file = fixtures / "urgency_sample.csv"
    if urgency_file.exists():
        with urgency_file.open(encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        levels = [rules.urgency(row["text"]).level for row in rows]
        acc = sum(row["urgency"] == level for row, level in zip(rows, levels, strict=True)) / len(rows)
        missed = sum(
            row["urgency"] == "emergency" and level != "emergency" for row, level in zip(rows, levels, strict=True)
        )
        print(
            f"urgency (rules) on {len(rows)} hand-labelled sentences: accuracy {acc:.3f}, "
            f"emergencies missed {missed} of {sum(row['urgency'] == 'emergency' for row in rows)}"
        )


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    django.setup()
    from fankui.analysis import store
    from fankui.analysis.store import BUILTIN_DIR
    from fankui.core.datasets import shared_data_dir
    from fankui.nlp.classify import Settings, train
    from fankui.nlp.csvio import read_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_data_dir())
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--rules-only", action="store_true", help="Only evaluate the rules.")
    args = parser.parse_args(argv)
    fixtures = Path(__file__).resolve().parents[3] / "tests" / "nlp" / "fixtures"
    _evaluate_rules(fixtures)
    if args.rules_only:
        return 0
    if args.data is None:
        print("No shared data folder (../shared/data or FANKUI_SHARED_DATA): cannot rebuild sentiment.")
        return 1
    texts: list[str] = []
    labels: list[str] = []
    sources: Counter[str] = Counter()
    for name in ("waimai_10k.train.csv", "online_shopping_10_cats.train.csv"):
        table = read_table(args.data / name, ["label", "review"])
        for row in table.rows:
            if row["label"] in ("0", "1") and row["review"].strip():
                texts.append(row["review"])
                labels.append("positive" if row["label"] == "1" else "negative")
                sources[name] += 1
    print(f"sentiment: training on {len(texts)} reviews ({dict(sources)})", flush=True)
    # Not stacked: the pipeline runs this model on every case, and the stack's word member (cutting the first 120
    # characters into words) would make it about five times slower, for 0.3 points on reviews (docs/analysis.md).
    settings = Settings(char_ngrams=(1, 3), c=0.5, min_df=3, folds=args.folds, stack=False)
    model, report = train(texts, labels, settings, step=lambda what: print(f"  {what}", flush=True))
    stored = store.save(
        "sentiment",
        model,
        report,
        folder=BUILTIN_DIR / "sentiment",
        extra={"source": sorted(sources), "builtin": True},
    )
    size = (BUILTIN_DIR / "sentiment" / "model.joblib").stat().st_size / 1e6
    print(f"sentiment: cross-validated macro-F1 {report.macro_f1:.4f} ({report.folds} folds), {size:.1f} MB")
    print(f"saved {stored.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
