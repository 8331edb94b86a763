from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from fankui.nlp import dedupe

TEXTS = [
    "小区门口的路灯坏了三个月，晚上出行很不安全，请尽快维修。",
    "",
    "，。！",
    "灯",
    "ab",
    "路灯路灯路灯路灯",
    "Ｂ栋１２０３室楼上漏水…已经一周了㎡①",
    "[手机号]联系我",
    "长" * (dedupe.MAX_CHARS + 50),
]


@pytest.mark.parametrize("batch", [1, 2, 4, 100])
def test_a_batch_of_signatures_is_each_text_s_own_signature(batch: int) -> None:
    sigs, ok = dedupe.signatures(TEXTS, batch=batch)
    for i, text in enumerate(TEXTS):
        own = dedupe.signature(text)
        assert ok[i] == (own is not None)
        if own is not None:
            assert np.array_equal(sigs[i], own)
        else:
            assert not sigs[i].any()


@pytest.mark.parametrize("text", TEXTS)
def test_normalising_folds_full_width_as_nfkc_does(text: str) -> None:
    expected = dedupe._DROP.sub("", unicodedata.normalize("NFKC", text).lower())[: dedupe.MAX_CHARS]
    assert dedupe.normalise(text) == expected
