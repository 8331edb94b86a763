from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np

from fankui.nlp.classify import LinearTextModel, Settings, train

TOPICS = {
    "fruit": ["苹果很甜", "橙子新鲜多汁", "香蕉熟透了", "葡萄有点酸", "西瓜很脆"],
    "hotel": ["房间干净", "前台服务好", "早餐丰富", "床很舒服", "隔音太差"],
    "phone": ["屏幕清晰", "电池耐用", "信号不好", "拍照很好", "充电很快"],
}


def _rows(copies: int) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for label, sentences in TOPICS.items():
        for i in range(copies):
            for sentence in sentences:
                texts.append(f"{sentence}{'，' * (i % 3)}第{i}次")
                labels.append(label)
    return texts, labels


def test_the_stacked_model_combines_its_members_and_gives_probabilities() -> None:
    texts, labels = _rows(8)
    model, report = train(texts, labels, Settings(stack=True, folds=3))
    assert model.nb is not None and model.meta is not None and model.cnb is not None
    assert report.settings["stack"] is True
    probabilities = model.probabilities(["苹果很甜", "房间干净", "电池耐用"])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert [label for label, _ in model.predict(["苹果很甜", "房间干净", "电池耐用"])] == ["fruit", "hotel", "phone"]


def test_the_stacked_model_handles_two_labels() -> None:
    texts, labels = _rows(8)
    two = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab != "phone"]
    model, _ = train([t for t, _ in two], [lab for _, lab in two], Settings(stack=True, folds=3))
    assert model.nb is not None and model.nb.weights.shape[1] == 1 and model.cnb is None
    assert model.word_nb is not None and model.word_nb.weights.shape[1] == 1
    assert model.meta is not None and model.meta.coef_.shape == (1, 3)  # SVM, NB-SVM, word NB-SVM: one margin each
    assert [label for label, _ in model.predict(["橙子新鲜多汁", "早餐丰富"])] == ["fruit", "hotel"]


def test_the_word_member_reads_jieba_words_and_their_pairs(tmp_path: Path) -> None:
    texts, labels = _rows(8)
    model, report = train(texts, labels, Settings(stack=True, folds=3))
    assert report.settings["stack_words"] is True
    assert model.words is not None and model.word_nb is not None and model.meta is not None
    joblib.dump(model, tmp_path / "model.joblib")
    loaded: LinearTextModel = joblib.load(tmp_path / "model.joblib")
    assert np.allclose(loaded.decision(texts[:20]), model.decision(texts[:20]))
    vocabulary = model.words.vocabulary_
    assert "屏幕" in vocabulary and "屏幕 清晰" in vocabulary and "屏" not in vocabulary
    # Three classes: the SVM's three margins, the NB-SVM's three, naive Bayes's three and the word NB-SVM's three.
    assert model.meta.coef_.shape == (3, 12)
    # The word member changes the answer: its margins carry weight in the combiner.
    stacked = model.decision(["拍照很好"])
    model.word_nb.weights[:] = 0
    model.word_nb.bias[:] = 0
    assert not np.allclose(model.decision(["拍照很好"]), stacked)


def test_texts_without_words_are_stacked_without_the_word_member() -> None:
    texts = ["！" * (1 + i % 5) for i in range(60)] + ["？" * (1 + i % 5) for i in range(60)]
    labels = ["bang"] * 60 + ["query"] * 60
    model, report = train(texts, labels, Settings(stack=True, folds=3))
    assert report.settings["stack"] is True and report.settings["stack_words"] is False
    assert model.nb is not None and model.words is None and model.word_nb is None
    assert [label for label, _ in model.predict(["！！", "？？？"])] == ["bang", "query"]


def test_small_data_sets_get_the_single_svm() -> None:
    texts, labels = _rows(4)
    model, report = train(texts, labels, Settings(folds=3))
    assert model.nb is None and model.meta is None and model.cnb is None
    assert report.settings["stack"] is False


def test_many_rows_are_stacked_with_words_for_short_texts_and_without_for_long_ones() -> None:
    short = ["很好吃"] * 2400
    long = ["标题 " + "正文" * 80] * 2400

    def chosen(texts: list[str], labels: list[str]) -> tuple[bool | None, bool | None]:
        resolved = Settings().resolved(texts, labels)
        return resolved.stack, resolved.stack_words

    assert chosen(short, ["a", "b", "c"] * 800) == (True, True)
    assert chosen(short, ["a", "b"] * 1200) == (True, True)
    assert chosen(long, ["a", "b", "c"] * 800) == (True, False)
    assert chosen(long, ["a", "b"] * 1200) == (False, False)
    assert chosen(short[:300], ["a", "b", "c"] * 100) == (False, False)


def test_long_messages_weight_their_title_and_read_only_their_start() -> None:
    long_texts = ["标题" + " " + "正文" * 80] * 3
    resolved = Settings().resolved(long_texts)
    assert resolved.lead_weight == 3.0 and resolved.max_chars == 300 and resolved.char_ngrams == (1, 2)
    short = Settings().resolved(["很好吃"] * 3)
    assert short.lead_weight == 1.0 and not short.max_chars and short.char_ngrams == (1, 3)


def test_a_model_saved_before_stacking_still_predicts(tmp_path: Path) -> None:
    texts, labels = _rows(4)
    model, _ = train(texts, labels, Settings(folds=3, stack=False))
    # What an older pickle holds: none of the newer attributes, on the model or on its vectorizer.
    for name in ("nb", "meta", "cnb", "words", "word_nb"):
        model.__dict__.pop(name)
    for name in ("max_chars", "lead_weight"):
        model.vectorizers[0].__dict__.pop(name)
    path = tmp_path / "old.joblib"
    joblib.dump(model, path)
    old: LinearTextModel = joblib.load(path)
    assert [label for label, _ in old.predict(["苹果很甜"])] == ["fruit"]
