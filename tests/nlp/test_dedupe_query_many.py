from __future__ import annotations

import numpy as np
import pytest

from fankui.nlp import dedupe

BASE = [
    "小区门口的路灯坏了三个月，晚上出行很不安全，请尽快维修。",
    "楼上邻居每天深夜装修，噪音太大，严重影响休息，希望有关部门处理。",
    "公交车站的站牌被撞坏了，乘客看不到线路信息。",
    "咨询新生儿医保在哪里办理，需要带什么材料。",
]


def _texts() -> list[str]:
    texts = []
    for n in range(60):
        base = BASE[n % len(BASE)]
        # Rewrites of each base text, from nearly the same to half changed, so similarities spread out.
        cut = (n * 7) % (len(base) // 2)
        texts.append(base[cut:] + "第" + str(n) + "次反映" + base[:cut])
    return texts


def _index(sorted_part: int) -> tuple[dedupe.MinHashIndex, np.ndarray]:
    sigs, ok = dedupe.signatures(_texts())
    index = dedupe.MinHashIndex()
    index.add_many(list(range(1, sorted_part + 1)), sigs[:sorted_part], ok[:sorted_part])
    for key in range(sorted_part + 1, len(sigs) + 1):
        index.add(key, sigs[key - 1])
    return index, sigs


@pytest.mark.parametrize("sorted_part", [0, 25, 60])
@pytest.mark.parametrize(("threshold", "limit"), [(0.35, 20), (0.6, 3), (0.0, 5)])
def test_a_batch_of_lookups_answers_what_each_lookup_answers(sorted_part: int, threshold: float, limit: int) -> None:
    index, sigs = _index(sorted_part)
    below = [n % 50 + 5 for n in range(len(sigs))]
    many = index.query_many(sigs, threshold=threshold, below=below, limit=limit)
    one_by_one = [
        index.query(sig, threshold=threshold, exclude=below[i].__le__, limit=limit) for i, sig in enumerate(sigs)
    ]
    assert many == one_by_one
    assert any(len(matches) > 1 for matches in many)


def test_a_band_shared_by_more_than_a_bucket_adds_the_earliest_rows_only() -> None:
    index, sigs = _index(60)
    index.BUCKET = 3
    assert index.query_many(sigs[:5], threshold=0.0, limit=100) == [
        index.query(sig, threshold=0.0, limit=100) for sig in sigs[:5]
    ]


def test_an_empty_index_finds_nothing() -> None:
    sigs, _ = dedupe.signatures(BASE)
    assert dedupe.MinHashIndex().query_many(sigs) == [[], [], [], []]
