from __future__ import annotations

import numpy as np
import pytest

from fankui.nlp.ngrams import CharNgrams

TEXTS = ["送餐很快，味道很好", "送餐太慢了", "味道很好，下次再来", "太慢了，差评", "很好", "很好很好"]


def test_rows_are_unit_length_and_empty_texts_are_empty_rows() -> None:
    vectorizer = CharNgrams((1, 3), min_df=1).fit(TEXTS)
    matrix = vectorizer.transform([*TEXTS, "", "\x00"])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms[: len(TEXTS)], 1.0, atol=1e-5)
    assert norms[-2] == 0 and norms[-1] == 0


def test_an_n_gram_never_seen_in_training_adds_nothing() -> None:
    vectorizer = CharNgrams((1, 2), min_df=1).fit(TEXTS)
    assert vectorizer.transform(["鑫"]).nnz == 0


def test_rare_n_grams_are_dropped_by_min_df() -> None:
    everything = CharNgrams((1, 3), min_df=1).fit(TEXTS)
    common = CharNgrams((1, 3), min_df=2).fit(TEXTS)
    assert common.idf_ is not None and everything.idf_ is not None
    assert 0 < len(common.idf_) < len(everything.idf_)


def test_texts_do_not_leak_into_each_other_s_n_grams() -> None:
    vectorizer = CharNgrams((2, 2), min_df=1).fit(["甲乙", "丙丁"])
    # "乙丙" spans the boundary of the two training texts: it must not be a feature.
    assert vectorizer.transform(["乙丙"]).nnz == 0
    assert vectorizer.transform(["甲乙"]).nnz == 1


def test_full_width_and_case_do_not_matter() -> None:
    vectorizer = CharNgrams((1, 2), min_df=1).fit(["ABC，好"])
    a = vectorizer.transform(["ＡＢＣ,好"]).toarray()
    b = vectorizer.transform(["abc，好"]).toarray()
    assert np.allclose(a, b)


def test_n_grams_before_the_first_space_count_lead_weight_times() -> None:
    plain = CharNgrams((1, 1), min_df=1).fit(["标题 正文"])
    weighted = CharNgrams((1, 1), min_df=1, lead_weight=3.0).fit(["标题 正文"])
    title, body = plain.transform(["标题"]), plain.transform(["正文"])
    both_plain, both_weighted = plain.transform(["标题 正文"]), weighted.transform(["标题 正文"])
    # The title's characters carry more of the row's weight than the body's when weighted, the same without.
    assert both_plain[:, title.indices].sum() == pytest.approx(both_plain[:, body.indices].sum())
    assert both_weighted[:, title.indices].sum() > 1.5 * both_weighted[:, body.indices].sum()


def test_a_text_without_an_early_space_has_no_lead() -> None:
    weighted = CharNgrams((1, 2), min_df=1, lead_weight=3.0).fit(["很好吃", "送餐很快"])
    plain = CharNgrams((1, 2), min_df=1).fit(["很好吃", "送餐很快"])
    assert np.allclose(weighted.transform(["很好吃"]).toarray(), plain.transform(["很好吃"]).toarray())


def test_max_chars_reads_only_the_start() -> None:
    vectorizer = CharNgrams((1, 1), min_df=1, max_chars=2).fit(["甲乙丙丁"])
    assert vectorizer.transform(["丙丁"]).nnz == 0
    assert vectorizer.transform(["甲乙"]).nnz == 2
