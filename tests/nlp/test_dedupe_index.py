"""The MinHash index: near-duplicates found among many texts, whether bulk-loaded, just added or compacted."""

from __future__ import annotations

import pytest

from fankui.nlp import dedupe

REPORT = "丽发新城小区旁边建了一个搅拌站，每天晚上噪音很大，灰尘满天飞，居民无法休息，请求尽快处理。"
AGAIN = "丽发新城小区旁边建了个搅拌站，每晚噪音很大，灰尘满天飞，居民根本无法休息，请尽快处理！"
OTHERS = [f"第{n}号楼的电梯又坏了，物业说要等配件，已经{n}天没法上下楼。" for n in range(200)] + [
    f"{word}的路灯不亮，晚上走路很危险" for word in ("东门", "西门", "南门", "北门")
]


def test_signatures_are_the_same_in_every_process_and_estimate_the_similarity() -> None:
    a, b = dedupe.signature(REPORT), dedupe.signature(AGAIN)
    assert a is not None and b is not None
    assert a.tolist() == dedupe.signature(REPORT).tolist()  # type: ignore[union-attr]
    assert abs((a == b).mean() - dedupe.jaccard(REPORT, AGAIN)) < 0.2
    assert dedupe.signature("！？。 ") is None
    assert dedupe.jaccard(REPORT, REPORT) == 1.0


@pytest.mark.parametrize("bulk", [True, False])
def test_a_retelling_finds_the_stored_report_among_many(bulk: bool) -> None:
    index = dedupe.MinHashIndex()
    index.TAIL = 50  # compact now and then while adding one by one
    texts = [*OTHERS[:100], REPORT, *OTHERS[100:]]
    if bulk:
        sigs, ok = dedupe.signatures(texts)
        index.add_many(list(range(len(texts))), sigs, ok)
    else:
        for key, text in enumerate(texts):
            index.add(key, dedupe.signature(text))
    assert len(index) == len(texts)

    matches = index.query(dedupe.signature(AGAIN), threshold=0.4)  # type: ignore[arg-type]

    assert [m.key for m in matches] == [100]
    assert index.query(dedupe.signature(AGAIN), threshold=0.4, exclude=lambda key: key == 100) == []  # type: ignore[arg-type]


def test_groups_join_chains_of_rewordings_and_leave_the_rest() -> None:
    groups = dedupe.groups([REPORT, "请问社保怎么转移？", AGAIN, REPORT + "谢谢"], threshold=0.6)

    assert [[row for row, _ in g] for g in groups] == [[0, 2, 3]]
    assert groups[0][0] == (0, 1.0)
