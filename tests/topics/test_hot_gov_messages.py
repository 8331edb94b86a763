"""On the real 问政 messages, the issues dozens of citizens raised come out on top, each as one topic."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from fankui.core.datasets import shared_data_dir

DATA = shared_data_dir()
pytestmark = pytest.mark.skipif(
    DATA is None or not (DATA / "gov_messages_hot.csv").exists(),
    reason="the shared real-data folder (../shared/data/gov_messages_hot.csv) is not there",
)

# The real issues of the file, each as "which messages are about it" (read by hand from the file: dozens of
# residents and buyers wrote about each; 58车贷 has fewer messages but thousands of likes).
ISSUES = {
    "丽发新城 concrete plant": lambda text: "丽发新城" in text and "搅拌" in text,
    "伊景园滨河苑 forced parking-space purchase": lambda text: (
        ("伊景园" in text or "滨河苑" in text) and "车位" in text
    ),
    "58车贷 fraud case": lambda text: "58车贷" in text,
    "魅力之城 shop fumes": lambda text: "魅力之城" in text and "油烟" in text,
}
# What members of the issue's topic may be about besides the issue itself (the same place or the same object).
RELATED = {
    "丽发新城 concrete plant": ("丽发新城", "搅拌"),
    "伊景园滨河苑 forced parking-space purchase": ("伊景园", "滨河苑", "车位", "广铁"),
    "58车贷 fraud case": ("58车贷", "58车货"),
    "魅力之城 shop fumes": ("魅力之城",),
}


@pytest.fixture(scope="module")
def hot() -> tuple[list[dict[str, Any]], dict[int, str]]:
    assert DATA is not None
    path = DATA / "gov_messages_hot.csv"
    with path.open(encoding="utf-8") as f:
        texts = {int(row["id"]): f"{row['title']} {row['body']}" for row in csv.DictReader(f)}
    out = io.StringIO()
    call_command(
        "hot",
        data=str(path),
        text="title,body",
        time="time",
        likes="likes",
        id_column="id",
        top=10,
        json=True,
        no_progress=True,
        stdout=out,
    )
    return json.loads(out.getvalue()), texts


def topic_of(issue: str, topics: list[dict[str, Any]], texts: dict[int, str]) -> tuple[int, dict[str, Any], set[int]]:
    members = {i for i, text in texts.items() if ISSUES[issue](text)}
    rank, best = max(enumerate(topics), key=lambda pair: len(members & set(pair[1]["ids"])))
    return rank, best, members


@pytest.mark.parametrize("issue", ISSUES)
def test_each_issue_is_one_topic_near_the_top(issue: str, hot: tuple[list[dict[str, Any]], dict[int, str]]) -> None:
    topics, texts = hot
    rank, topic, members = topic_of(issue, topics, texts)

    assert rank < 6, (issue, [t["label"] for t in topics])
    found = members & set(topic["ids"])
    assert len(found) >= 0.85 * len(members), (issue, len(found), len(members))  # not split
    unrelated = [i for i in topic["ids"] if not any(word in texts[i] for word in RELATED[issue])]
    assert len(unrelated) <= 0.1 * topic["size"], (issue, [texts[i][:30] for i in unrelated])  # not merged


def test_the_three_biggest_issues_are_the_three_hottest_topics(
    hot: tuple[list[dict[str, Any]], dict[int, str]],
) -> None:
    topics, texts = hot
    ranks = {topic_of(issue, topics, texts)[0] for issue in list(ISSUES)[:3]}

    assert ranks == {0, 1, 2}


def test_labels_name_the_place_and_the_problem(hot: tuple[list[dict[str, Any]], dict[int, str]]) -> None:
    topics, texts = hot
    _, plant, _ = topic_of("丽发新城 concrete plant", topics, texts)
    _, parking, _ = topic_of("伊景园滨河苑 forced parking-space purchase", topics, texts)

    assert plant["label"].startswith("丽发新城") and "搅拌站" in plant["label"]
    assert parking["label"].startswith(("伊景园", "滨河苑")) and "车位" in parking["label"]
    assert all(t["keywords"] and t["size"] >= 2 and t["heat"] > 0 for t in topics)
    assert [t["heat"] for t in topics] == sorted((t["heat"] for t in topics), reverse=True)


def test_the_file_is_read_as_it_is(hot: tuple[list[dict[str, Any]], dict[int, str]]) -> None:
    topics, _ = hot
    assert len(topics) == 10
    assert set(topics[0]) == {"label", "keywords", "size", "heat", "ids"}
