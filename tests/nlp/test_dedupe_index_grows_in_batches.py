from __future__ import annotations

import numpy as np

from fankui.nlp import dedupe


def test_an_index_filled_batch_by_batch_equals_one_filled_at_once() -> None:
    rng = np.random.default_rng(5)
    # Few distinct numbers, so that many band keys are equal: their order is what the merge must get right.
    sigs = rng.integers(0, 3, size=(400, dedupe.NUM_PERM), dtype=np.uint32)
    ok = rng.random(400) > 0.1
    at_once = dedupe.MinHashIndex()
    at_once.add_many(list(range(400)), sigs, ok)
    in_batches = dedupe.MinHashIndex()
    for start, end in [(0, 1), (1, 150), (150, 150), (150, 390)]:
        in_batches.add_many(list(range(start, end)), sigs[start:end], ok[start:end])
    for key in range(390, 400):
        if ok[key]:
            in_batches.add(key, sigs[key])
    in_batches.compact()
    assert np.array_equal(in_batches.keys, at_once.keys)
    assert np.array_equal(in_batches._band_sorted, at_once._band_sorted)
    assert np.array_equal(in_batches._band_rows, at_once._band_rows)
    assert in_batches.query(sigs[7], threshold=0.3) == at_once.query(sigs[7], threshold=0.3)
