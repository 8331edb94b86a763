"""`fankui bench quality`: how its figures are counted, that every labelled row is a real message, and that it
says what it skipped when the real data is absent."""

from __future__ import annotations

import csv

import pytest

from fankui.bench import quality
from fankui.core.datasets import shared_data_dir


def test_duplicates_are_scored_against_earlier_messages_of_the_same_group() -> None:
    groups = {1: "a", 2: "a", 3: "b", 4: "a", 5: "?"}
    order = [1, 2, 3, 4, 5, 6]
    # 2 found 1 (right), 3 found 1 (wrong: another group), 4 found nothing (missed), 5 is ambiguous.
    found: dict[int, int | None] = {1: None, 2: 1, 3: 1, 4: None, 5: 1, 6: None}

    scores = quality.duplicate_scores(order, groups, found)

    assert scores["precision"] == 0.5  # 2 right of 2 and 3
    assert scores["recall"] == 0.5  # 2 of 2 and 4 (each has an earlier message of its group)
    assert scores["wrong"] == [(3, 1)] and scores["missed"] == [4]


def test_a_duplicate_outside_the_labelled_rows_counts_as_wrong() -> None:
    scores = quality.duplicate_scores([1, 2, 9], {1: "a", 2: "a"}, {2: 9})
    assert scores["precision"] == 0.0 and scores["recall"] == 0.0


def test_topics_are_scored_with_b_cubed_precision_and_recall() -> None:
    groups = {1: "a", 2: "a", 3: "b", 4: "b"}
    perfect = quality.bcubed(groups, {1: 10, 2: 10, 3: 11, 4: 11})
    lumped = quality.bcubed(groups, {1: 10, 2: 10, 3: 10, 4: 10})
    alone = quality.bcubed(groups, {})

    assert perfect == {"precision": 1.0, "recall": 1.0}
    assert lumped == {"precision": 0.5, "recall": 1.0}
    assert alone == {"precision": 1.0, "recall": 0.5}


def test_without_the_real_data_it_says_what_it_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fankui.core.datasets.shared_data_dir", lambda: None)

    result = quality.run({"skip_pipeline": False, "errors": 0})

    assert "skipped" in result and "shared/data" in result["skipped"]
    assert "duplicate_precision" not in result


@pytest.mark.skipif(shared_data_dir() is None, reason="the real data folder (../shared/data) is absent")
def test_every_labelled_row_is_a_message_of_the_hot_issue_file() -> None:
    folder = shared_data_dir()
    assert folder is not None
    with open(folder / "gov_messages_hot.csv", encoding="utf-8-sig") as handle:
        ids = {int(row["id"]) for row in csv.DictReader(handle)}
    groups = quality.read_groups()

    assert len(groups) > 500
    assert set(groups) <= ids
    assert sum(1 for group in set(groups.values()) if list(groups.values()).count(group) > 1) > 50
