"""`fankui bench quality`: how often analysis is right on labelled real data: duplicates, hot topics, urgency.

- **Duplicates and topics** (``labels/paraphrases.csv``: row ids of ``gov_messages_hot.csv`` and a group for each,
  "the same problem at the same place"; how the groups were made: docs/analysis.md). Every message of the file is
  submitted in the order of its time into a throwaway database and analysed by the worker's pipeline, as in
  production; then, for each labelled message, the case the pipeline named as its likely duplicate and the topic it
  put it in are compared with the groups.
  - ``duplicate_precision``: of the labelled messages given a duplicate, the share whose duplicate is in their group
    (a duplicate outside the labelled rows counts as wrong: the labels name every message of those places read).
  - ``duplicate_recall``: of the labelled messages with an earlier message of their group, the share given one of
    them. ``_small`` figures leave out the two groups of more than 50 messages, which otherwise weigh most.
  - ``topic_precision`` / ``topic_recall``: B-cubed over the labelled messages (for each message, the share of its
    topic's labelled messages that are in its group, and the share of its group that is in its topic).
- **Urgency** (``labels/urgency.csv``): precision and recall of ``rules.urgency`` calling a text an emergency, on real
  messages and on five sets of hand-written reports, each written before the rules were changed with it in view;
  the last one (``written-e``) never was (docs/analysis.md).

Needs ``../shared/data`` (or ``FANKUI_SHARED_DATA``); without it, prints why and what was skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LABELS = Path(__file__).with_name("labels")
# A labelled message marked "?" is ambiguous: neither a right nor a wrong answer, and never needs one.
AMBIGUOUS = "?"
LARGE_GROUP = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--skip-pipeline", action="store_true", help="only the figures that need no database")
    parser.add_argument("--errors", type=int, default=0, help="print this many wrong answers of each kind to stderr")


def read_groups(path: Path | None = None) -> dict[int, str]:
    with open(path or LABELS / "paraphrases.csv", encoding="utf-8") as handle:
        return {int(row["id"]): row["group"] for row in csv.DictReader(handle)}


def duplicate_scores(
    order: Sequence[int], groups: dict[int, str], found: dict[int, int | None], *, skip: set[str] | None = None
) -> dict[str, Any]:
    """Precision and recall of the duplicates ``found`` (message id -> earlier message id or None).

    ``order``: every message id in the order the pipeline saw them. ``skip``: groups left out."""
    skip = skip or set()
    seen: Counter[str] = Counter()
    given = right = wanted = caught = 0
    wrong: list[tuple[int, int]] = []
    missed: list[int] = []
    for key in order:
        group = groups.get(key)
        if group is None or group == AMBIGUOUS or group in skip:
            continue
        other = found.get(key)
        has_mate = seen[group] > 0
        seen[group] += 1
        if other is not None and groups.get(other) != AMBIGUOUS:
            given += 1
            if groups.get(other) == group:
                right += 1
            else:
                wrong.append((key, other))
        if has_mate:
            wanted += 1
            if other is not None and groups.get(other) == group:
                caught += 1
            else:
                missed.append(key)
    return {
        "precision": round(right / given, 3) if given else None,
        "recall": round(caught / wanted, 3) if wanted else None,
        "given": given,
        "wanted": wanted,
        "wrong": wrong,
        "missed": missed,
    }


def bcubed(groups: dict[int, str], topic_of: dict[int, Any], *, skip: set[str] | None = None) -> dict[str, Any]:
    """B-cubed precision and recall of a clustering (``topic_of``; None = alone) against ``groups``."""
    skip = skip or set()
    rows = [key for key, group in groups.items() if group != AMBIGUOUS]
    members: dict[Any, list[int]] = defaultdict(list)
    for key in rows:
        topic = topic_of.get(key)
        members[("alone", key) if topic is None else topic].append(key)
    sizes = Counter(groups[key] for key in rows)
    precision = recall = 0.0
    counted = 0
    for key in rows:
        if groups[key] in skip:
            continue
        topic = topic_of.get(key)
        mates = members[("alone", key) if topic is None else topic]
        same = sum(1 for other in mates if groups[other] == groups[key])
        precision += same / len(mates)
        recall += same / sizes[groups[key]]
        counted += 1
    return {
        "precision": round(precision / counted, 3) if counted else None,
        "recall": round(recall / counted, 3) if counted else None,
    }


def large_groups(groups: dict[int, str]) -> set[str]:
    sizes = Counter(group for group in groups.values() if group != AMBIGUOUS)
    return {group for group, size in sizes.items() if size > LARGE_GROUP}


def topic_errors(groups: dict[int, str], topic_of: dict[int, Any], labels: dict[Any, str]) -> list[str]:
    """Groups spread over several topics and topics holding several groups, worst first (for ``--errors``)."""
    by_group: dict[str, Counter[Any]] = defaultdict(Counter)
    by_topic: dict[Any, Counter[str]] = defaultdict(Counter)
    for key, group in groups.items():
        if group == AMBIGUOUS:
            continue
        topic = topic_of.get(key)
        by_group[group][topic] += 1
        if topic is not None:
            by_topic[topic][group] += 1
    lines: list[tuple[int, str]] = []
    for group, spread in by_group.items():
        if len(spread) > 1:
            parts = ", ".join(f"{labels.get(t, '-')} ×{n}" for t, n in spread.most_common(4))
            lines.append((sum(spread.values()) - max(spread.values()), f"split group [{group}]: {parts}"))
    for topic, mixed in by_topic.items():
        if len(mixed) > 1:
            parts = ", ".join(f"{g} ×{n}" for g, n in mixed.most_common(4))
            lines.append((sum(mixed.values()) - max(mixed.values()), f"mixed topic {labels.get(topic, '-')}: {parts}"))
    return [line for _, line in sorted(lines, key=lambda item: -item[0])]


# The real messages' sets in ``labels/urgency.csv`` and their files; the other sets are sentences written here.
URGENCY_FILES = {
    "hot": "gov_messages_hot.csv",
    "unlabeled": "gov_messages_unlabeled.csv",
    "replies": "gov_messages_replies.csv",
    "labeled": "gov_messages_labeled.train.csv",
}


def urgency_scores(data: Path, errors: int = 0) -> dict[str, Any]:
    """Precision and recall of ``rules.urgency`` calling a text an emergency, per set of ``labels/urgency.csv``.

    The real messages are every message of the four government files that the rules of 2026-11 or of today call an
    emergency, labelled by hand (4 of about 190 are one), so their precision is over what the rules flag, and their
    recall only over the emergencies either version found."""
    from fankui.nlp import rules

    texts: dict[tuple[str, str], str] = {}
    for short, name in URGENCY_FILES.items():
        with open(data / name, encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                texts[(short, row["id"])] = f"{row['title']} {row['body']}"
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    with open(LABELS / "urgency.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            real = row["set"] in URGENCY_FILES
            text = texts[(row["set"], row["id"])] if real else row["text"]
            said = rules.urgency(text).level == "emergency"
            truth = row["label"] == "emergency"
            key = "real" if real else row["set"]
            # true/false positive/negative: whether the rules were right, and whether they said "emergency".
            counts[key][("t" if said == truth else "f") + ("p" if said else "n")] += 1
            if errors and said != truth and not real:
                print(f"urgency {'missed' if truth else 'false'}: {text[:80]}", file=sys.stderr)
    result: dict[str, Any] = {}
    for key, count in sorted(counts.items()):
        flagged, actual = count["tp"] + count["fp"], count["tp"] + count["fn"]
        result[f"urgency_{key.replace('-', '_')}"] = {
            "precision": round(count["tp"] / flagged, 3) if flagged else None,
            "recall": round(count["tp"] / actual, 3) if actual else None,
            "emergencies": actual,
            "others": count["fp"] + count["tn"],
            "flagged": flagged,
        }
    return result


def _child(errors: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fankui.settings")
    django.setup()
    from django.core.management import call_command

    from fankui.analysis import pipeline
    from fankui.analysis.models import CaseAnalysis
    from fankui.cases.services.receiving import receive
    from fankui.core.datasets import shared_data_dir
    from fankui.intake.services import SubmissionInput
    from fankui.nlp.csvio import parse_time
    from fankui.topics import duplicates
    from fankui.topics.models import Topic

    call_command("migrate", verbosity=0, interactive=False)
    data = shared_data_dir()
    assert data is not None
    with open(data / "gov_messages_hot.csv", encoding="utf-8-sig") as handle:
        messages = list(csv.DictReader(handle))
    messages.sort(key=lambda row: (parse_time(row["time"]) or parse_time("2100-01-01"), int(row["id"])))
    message_of: dict[int, int] = {}
    for row in messages:
        case, _ = receive(SubmissionInput(title=row["title"][:200], body=row["body"][:10_000] or row["title"]))
        message_of[case.pk] = int(row["id"])
    duplicates.reset_index()
    pipeline.analyse_pending()
    found: dict[int, int | None] = {}
    topic_of: dict[int, Any] = {}
    for case_id, duplicate_id, topic_id in CaseAnalysis.objects.values_list("case_id", "duplicate_of_id", "topic_id"):
        found[message_of[case_id]] = message_of.get(duplicate_id) if duplicate_id else None
        topic_of[message_of[case_id]] = topic_id
    groups = read_groups()
    order = [int(row["id"]) for row in messages]
    large = large_groups(groups)
    every = duplicate_scores(order, groups, found)
    small = duplicate_scores(order, groups, found, skip=large)
    topics_all = bcubed(groups, topic_of)
    topics_small = bcubed(groups, topic_of, skip=large)
    if errors:
        titles = {int(row["id"]): row["title"] for row in messages}
        for key, other in every["wrong"][:errors]:
            print(f"wrong duplicate: {key} {titles[key]} -> {other} {titles[other]}", file=sys.stderr)
        for key in every["missed"][:errors]:
            print(f"missed duplicate: {key} [{groups[key]}] {titles[key]}", file=sys.stderr)
        labels = dict(Topic.objects.values_list("id", "label"))
        for line in topic_errors(groups, topic_of, labels)[:errors]:
            print(line, file=sys.stderr)
    return {
        "messages": len(messages),
        "labelled": sum(1 for group in groups.values() if group != AMBIGUOUS),
        "duplicate_precision": every["precision"],
        "duplicate_recall": every["recall"],
        "duplicates_given": every["given"],
        "duplicates_wanted": every["wanted"],
        "duplicate_precision_small": small["precision"],
        "duplicate_recall_small": small["recall"],
        "topic_precision": topics_all["precision"],
        "topic_recall": topics_all["recall"],
        "topic_precision_small": topics_small["precision"],
        "topic_recall_small": topics_small["recall"],
    }


def run(options: dict[str, Any]) -> dict[str, Any]:
    from fankui.bench.intake import bench_database
    from fankui.core.datasets import shared_data_dir

    result: dict[str, Any] = {"bench": "quality"}
    if shared_data_dir() is None:
        result["skipped"] = "no ../shared/data (or FANKUI_SHARED_DATA): the labelled rows are ids of its files"
        return result
    data = shared_data_dir()
    assert data is not None
    result.update(urgency_scores(data, int(options.get("errors") or 0)))
    if not options.get("skip_pipeline"):
        with bench_database() as (engine, env):
            done = subprocess.run(
                [sys.executable, "-m", "fankui.bench.quality", str(options.get("errors") or 0)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"quality benchmark failed: {done.stderr.strip()[-800:]}")
            if done.stderr.strip():
                print(done.stderr.strip(), file=sys.stderr)
            result.update(engine=engine, **json.loads(done.stdout.strip().splitlines()[-1]))
    return result


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]) if len(sys.argv) > 1 else 0)))
