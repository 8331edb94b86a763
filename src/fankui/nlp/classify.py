"""Text classifiers: TF-IDF character n-grams (and optionally jieba words) with a linear SVM, calibrated.

One model type serves every trained task (category, routing, sentiment, kind, and whatever ``fankui train`` is
given). Training cross-validates first: the out-of-fold decision values give the macro-F1 that is reported and
stored, and scikit-learn's temperature scaling (``CalibratedClassifierCV``) fitted on them turns the margins into
confidences (so "0.9" means right about nine times in ten on unseen data). Then the model is fitted on all rows.

Character n-grams need no segmentation, cope with typos and new words, and are fast; jieba words add little on
short reviews and cost a third of the prediction speed, so they are an option (``words=True``) rather than the rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.special import softmax as _softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from .ngrams import CharNgrams
from .text import word_gram_tokens, word_grams, word_tokens


class TrainingError(ValueError):
    """Data a model cannot be trained on; the message says why in one sentence."""


@dataclass
class Settings:
    # None: chosen from the data (see ``resolved``).
    char_ngrams: tuple[int, int] | None = None
    words: bool = False
    word_ngrams: tuple[int, int] = (1, 2)
    c: float = 0.5
    min_df: int = 2
    folds: int = 5
    # Title n-grams count this many times (see ``CharNgrams``); None: chosen from the data.
    lead_weight: float | None = None
    # Only the start of each text is read; None: chosen from the data, 0: everything.
    max_chars: int | None = None
    # An NB-SVM and complement naive Bayes beside the SVM, read by a logistic regression; None: by data size.
    stack: bool | None = None
    # A further NB-SVM on jieba word 1-2-grams in the stack; None: for short texts.
    stack_words: bool | None = None

    def resolved(self, texts: Sequence[str], labels: Sequence[str] = ()) -> Settings:
        """Concrete settings for these texts, measured with cross-validation on the shared data (docs/analysis.md).

        Long texts (letters to a hotline, median over 100 characters) carry their topic in many short n-grams, and
        3-grams only add noise when there are few of them; their title (up to the first space) says in a few words
        what the body says in many, so its n-grams count three times, and only the first 300 characters are read,
        as the pipeline does. Short reviews need 3-grams to catch phrases. The stack needs enough rows for its
        combiner to learn from out-of-fold margins (it lost on 346 government messages); on short texts it also
        reads jieba words (an NB-SVM on word 1-2-grams), which is what makes it worth having for two labels
        (sentiment, 5-fold: waimai 0.885 -> 0.888, shopping 0.937 -> 0.939; without the words at most +0.2). Long
        texts do without the words: cutting their words costs more than all their n-gram models together."""
        lengths = sorted(len(text) for text in texts) or [0]
        long = lengths[len(lengths) // 2] > 100
        resolved = self
        if resolved.char_ngrams is None:
            resolved = replace(resolved, char_ngrams=(1, 2) if long else (1, 3))
        if resolved.lead_weight is None:
            resolved = replace(resolved, lead_weight=3.0 if long else 1.0)
        if resolved.max_chars is None:
            resolved = replace(resolved, max_chars=LONG_TEXT_CHARS if long else 0)
        if resolved.stack is None:
            enough = len(texts) >= STACK_MIN_ROWS and (len(set(labels)) > 2 or not long)
            resolved = replace(resolved, stack=enough)
        if resolved.stack_words is None:
            resolved = replace(resolved, stack_words=bool(resolved.stack) and not long)
        return resolved

    def as_dict(self) -> dict[str, Any]:
        return {
            "char_ngrams": list(self.char_ngrams or ()),
            "words": self.words,
            "word_ngrams": list(self.word_ngrams),
            "C": self.c,
            "min_df": self.min_df,
            "folds": self.folds,
            "lead_weight": self.lead_weight,
            "max_chars": self.max_chars,
            "stack": self.stack,
            "stack_words": self.stack_words,
        }


# What the pipeline gives the models of a long message (pipeline.MODEL_CHARS); training reads the same.
LONG_TEXT_CHARS = 300
STACK_MIN_ROWS = 2000
# Regularisation of the naive-Bayes-weighted SVM: its features are binary and scaled by log-count ratios
# (0.03 vs 0.1 and 0.3 on a 3-fold split of the 10 shopping categories: 0.897 vs 0.895, 0.896, and faster).
NB_C = 0.03
# Smoothing of complement naive Bayes (3-fold, shopping categories, as the third member: 0.01/0.03/0.1/0.3/1 gave
# 0.903/0.903/0.903/0.902/0.901, the pair alone 0.899): flat below 0.1, so the smoother one.
CNB_ALPHA = 0.1


def _vectorizers(settings: Settings, rows: int) -> list[Any]:
    # An n-gram seen once cannot generalise; on a few dozen rows even that would leave too little.
    min_df = 1 if rows < 100 else settings.min_df
    vectorizers: list[Any] = [
        CharNgrams(
            settings.char_ngrams or (1, 3),
            min_df=min_df,
            max_chars=settings.max_chars or None,
            lead_weight=settings.lead_weight or 1.0,
        )
    ]
    if settings.words:
        vectorizers.append(
            TfidfVectorizer(
                tokenizer=word_tokens,
                preprocessor=None,
                lowercase=False,
                token_pattern=None,
                ngram_range=settings.word_ngrams,
                sublinear_tf=True,
                min_df=min_df,
                dtype=np.float32,
            )
        )
    return vectorizers


@dataclass
class NbSvm:
    """A linear SVM per class on binary n-gram presence scaled by the class's log-count ratio (Wang & Manning's
    NB-SVM), folded into one weight matrix: it reads the same features as the plain SVM, so it costs one sparse
    product more, and it errs on other rows (it trusts rare, one-sided n-grams more)."""

    weights: np.ndarray  # (features, classes), or (features, 1) for two classes
    bias: np.ndarray

    @classmethod
    def fit(cls, matrix: csr_matrix, labels: np.ndarray, classes: int) -> NbSvm:
        present = _binary(matrix)
        columns = range(classes) if classes > 2 else [1]
        weights = np.zeros((matrix.shape[1], len(columns)), dtype=np.float32)
        bias = np.zeros(len(columns))
        for j, k in enumerate(columns):
            mine = labels == k
            if not mine.any() or mine.all():
                bias[j] = 10.0 if mine.all() else -10.0
                continue
            p = np.asarray(present[mine].sum(axis=0)).ravel() + 1.0
            q = np.asarray(present[~mine].sum(axis=0)).ravel() + 1.0
            ratio = np.log((p / p.sum()) / (q / q.sum()))
            svm = LinearSVC(C=NB_C).fit(present.multiply(ratio).tocsr(), mine.astype(int))
            weights[:, j] = ratio * svm.coef_.ravel()
            bias[j] = float(svm.intercept_[0])
        return cls(weights, bias)

    def margins(self, matrix: csr_matrix) -> np.ndarray:
        return np.asarray(_binary(matrix) @ self.weights) + self.bias


@dataclass
class ComplementNb:
    """Complement naive Bayes on the TF-IDF rows (Rennie et al.), kept as its weight matrix: a third opinion for
    the combiner, cheap to fit and to apply, that errs where the SVMs do not (alone it is far worse)."""

    weights: np.ndarray  # (features, classes)

    @classmethod
    def fit(cls, matrix: csr_matrix, labels: np.ndarray, classes: int) -> ComplementNb:
        model = ComplementNB(alpha=CNB_ALPHA).fit(matrix, labels)
        weights = np.zeros((matrix.shape[1], classes), dtype=np.float32)
        weights[:, model.classes_] = model.feature_log_prob_.T
        return cls(weights)

    def margins(self, matrix: csr_matrix) -> np.ndarray:
        # Only differences between classes matter; centring keeps the combiner's inputs near zero.
        scores = np.asarray(matrix @ self.weights, dtype=np.float64)
        return np.asarray(scores - scores.mean(axis=1, keepdims=True))


def _word_vectorizer(rows: int, min_df: int) -> CountVectorizer:
    """Presence of jieba word 1-2-grams, for the stack's word NB-SVM (which reads presence only)."""
    return CountVectorizer(analyzer=word_grams, binary=True, min_df=1 if rows < 100 else min_df, dtype=np.float32)


def _binary(matrix: csr_matrix) -> csr_matrix:
    present = matrix.copy()
    present.data = np.ones_like(present.data)
    return present


def _stack_inputs(svm_margins: np.ndarray, nb_margins: np.ndarray, *more: np.ndarray) -> np.ndarray:
    # With two classes each member's margin is one number (the SVM's mirrored pair would only repeat it).
    if svm_margins.shape[1] == 2 and nb_margins.shape[1] == 1:
        svm_margins = svm_margins[:, 1:] * 2
    return np.hstack([svm_margins, nb_margins, *more])


@dataclass
class LinearTextModel:
    """A fitted model: vectorizers, the SVM, the label order and the calibrator of its scores.

    ``calibrator`` is scikit-learn's temperature scaling fitted on the out-of-fold scores of training. Models saved
    before it (and models trained on too few rows to cross-validate) have none: their ``temperature`` divides the
    scores before the softmax, which is what the calibrator does with a temperature of its own fitting.

    With ``nb`` and ``meta`` (the stacked form) the SVM's and the NB-SVM's margins, complement naive Bayes's scores
    (``cnb``, with more than two labels) and the word NB-SVM's margins (``word_nb`` on ``words``' features, short
    texts) go to a multinomial logistic regression fitted on their out-of-fold values, and ``decision`` is its
    log-probabilities."""

    vectorizers: list[Any]
    svm: LinearSVC
    labels: list[str]
    temperature: float = 1.0
    # Added to each class's margin: tuned on out-of-fold margins so that small classes are not drowned out.
    offsets: np.ndarray | None = None
    nb: NbSvm | None = None
    meta: LogisticRegression | None = None
    cnb: ComplementNb | None = None
    words: CountVectorizer | None = None
    word_nb: NbSvm | None = None
    calibrator: CalibratedClassifierCV | None = None

    def features(self, texts: Sequence[str]) -> csr_matrix:
        matrices = [vectorizer.transform(texts) for vectorizer in self.vectorizers]
        return matrices[0] if len(matrices) == 1 else hstack(matrices, format="csr")

    def other_margins(self, matrix: csr_matrix, docs: Sequence[str] | Sequence[list[str]]) -> list[np.ndarray]:
        """The combiner's inputs after the plain SVM's margins: the NB-SVM's, complement naive Bayes's, the word
        NB-SVM's. ``docs`` are the texts, or their words already cut."""
        if self.nb is None:
            raise RuntimeError("other_margins needs the stacked form")
        margins = [self.nb.margins(matrix)]
        if self.cnb is not None:
            margins.append(self.cnb.margins(matrix))
        if self.words is not None and self.word_nb is not None:
            margins.append(self.word_nb.margins(self.words.transform(docs)))
        return margins

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        matrix = self.features(texts)
        if self.meta is not None and self.nb is not None:
            inputs = _stack_inputs(_decision_matrix(self.svm, matrix), *self.other_margins(matrix, texts))
            scores = _meta_scores(self.meta, inputs, len(self.labels))
        else:
            scores = _decision_matrix(self.svm, matrix)
        return scores if self.offsets is None else scores + self.offsets

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        scores = self.decision(texts)
        if self.calibrator is not None:
            return np.asarray(self.calibrator.predict_proba(scores))
        return np.asarray(_softmax(scores / max(self.temperature, 1e-6), axis=1))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not len(texts):
            return []
        probabilities = self.probabilities(texts)
        best = probabilities.argmax(axis=1)
        return [(self.labels[i], float(probabilities[row, i])) for row, i in enumerate(best)]


def _decision_matrix(svm: LinearSVC, matrix: csr_matrix) -> np.ndarray:
    scores = np.asarray(svm.decision_function(matrix))
    if scores.ndim == 1:
        # Binary: one margin for the second class; the first class gets its mirror image.
        scores = np.column_stack([-scores / 2, scores / 2])
    return scores


def _meta_scores(meta: LogisticRegression, inputs: np.ndarray, classes: int) -> np.ndarray:
    """The combiner's log-probabilities, a column per label (a label the combiner never saw gets none)."""
    full = np.full((len(inputs), classes), -20.0)
    full[:, meta.classes_] = np.maximum(np.asarray(meta.predict_log_proba(inputs)), -20.0)
    return full


class Scores(ClassifierMixin, BaseEstimator):
    """The classifier whose decision values are its input: the model's scores, computed elsewhere (out of fold in
    training, by ``LinearTextModel.decision`` in prediction), handed to scikit-learn's calibration as they are. With
    two labels the scores are a mirrored pair and the decision is their difference, as scikit-learn expects."""

    def fit(self, scores: np.ndarray, labels: np.ndarray) -> Scores:
        self.classes_ = np.unique(labels)
        return self

    def decision_function(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores)
        return scores[:, 1] - scores[:, 0] if scores.shape[1] == 2 else scores

    def predict(self, scores: np.ndarray) -> np.ndarray:
        return np.asarray(self.classes_[np.asarray(scores).argmax(axis=1)])


def calibrate(scores: np.ndarray, truth: np.ndarray) -> CalibratedClassifierCV:
    """Temperature scaling (one divisor of all scores, minimising the log loss) fitted on out-of-fold scores.

    The scores are already out of fold, so the calibrator is fitted on all of them at once (one split whose test
    part is every row; a frozen estimator is never refitted)."""
    rows = np.arange(len(truth))
    calibrator = CalibratedClassifierCV(
        FrozenEstimator(Scores().fit(scores, truth)), method="temperature", cv=[(rows, rows)]
    )
    return calibrator.fit(scores, truth)


def macro_f1(truth: np.ndarray, predicted: np.ndarray, classes: int) -> float:
    """Macro-F1 over the classes present in truth or predictions (as scikit-learn counts it), without its overhead."""
    confusion = np.bincount(truth * classes + predicted, minlength=classes * classes).reshape(classes, classes)
    hits = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1)
    predicted_count = confusion.sum(axis=0)
    present = (support + predicted_count) > 0
    f1 = np.divide(2 * hits, support + predicted_count, out=np.zeros(classes), where=present)
    return float(f1[present].mean())


def fit_offsets(scores: np.ndarray, truth: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Per-class margin offsets that raise the macro-F1 of out-of-fold predictions (coordinate ascent).

    Used only with enough rows that the out-of-fold margins are a fair sample; the gain is kept only when it is
    real (half a point), so offsets never trade a sure result for noise.
    """
    offsets = np.zeros(scores.shape[1])
    base = best = macro_f1(truth, scores.argmax(axis=1), scores.shape[1])
    grid = np.linspace(-0.6, 0.6, 25)
    for _ in range(rounds):
        for k in range(scores.shape[1]):
            keep = offsets[k]
            for value in grid:
                offsets[k] = value
                f1 = macro_f1(truth, (scores + offsets).argmax(axis=1), scores.shape[1])
                if f1 > best + 1e-6:
                    best, keep = f1, value
            offsets[k] = keep
    return offsets if best >= base + 0.005 else np.zeros(scores.shape[1])


@dataclass
class TrainingReport:
    rows: int
    labels: dict[str, int]
    macro_f1: float | None
    folds: int
    settings: dict[str, Any] = field(default_factory=dict)


def _fit(
    texts: Sequence[str], tokens: Sequence[list[str]] | None, labels: np.ndarray, settings: Settings, names: list[str]
) -> LinearTextModel:
    """The members fitted on these rows (the combiner is fitted by ``train``); ``tokens`` are the texts' words,
    cut once by ``train``, when the stack reads words."""
    classes = len(names)
    vectorizers = _vectorizers(settings, len(texts))
    matrices = [vectorizer.fit_transform(texts) for vectorizer in vectorizers]
    matrix = matrices[0] if len(matrices) == 1 else hstack(matrices, format="csr")
    # Class weights help a lone SVM's small classes; under the combiner they cost a little (3-fold, shopping
    # categories, C 0.25/0.5/1: 0.900/0.899/0.898 unweighted against 0.898/0.898/0.897 balanced).
    balanced = len(set(labels.tolist())) > 2 and not settings.stack
    svm = LinearSVC(C=settings.c, class_weight="balanced" if balanced else None)
    svm.fit(matrix, labels)
    model = LinearTextModel(vectorizers, svm, names)
    if settings.stack:
        model.nb = NbSvm.fit(matrix, labels, classes)
        if classes > 2:
            model.cnb = ComplementNb.fit(matrix, labels, classes)
        if tokens is not None:
            model.words = _word_vectorizer(len(texts), settings.min_df)
            try:
                word_matrix = model.words.fit_transform(tokens)
            except ValueError as error:  # scikit-learn: not one word in enough of these texts
                raise _NoWords from error
            model.word_nb = NbSvm.fit(word_matrix, labels, classes)
    return model


class _NoWords(Exception):
    """The texts have (almost) no words for the stack's word member to learn from."""


def _combiner() -> LogisticRegression:
    # Not class-balanced: on 50,000 reviews balancing the combiner cost 4 points of macro-F1 (the offsets can
    # still favour small classes).
    return LogisticRegression(C=1.0, max_iter=1000)


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    settings: Settings | None = None,
    *,
    step: Callable[[str], None] | None = None,
) -> tuple[LinearTextModel, TrainingReport]:
    """Cross-validate, calibrate and fit a model. ``step`` is called after each fit (for a progress bar)."""
    pairs = [(text, str(label).strip()) for text, label in zip(texts, labels, strict=True)]
    pairs = [(text, label) for text, label in pairs if text.strip() and label]
    if not pairs:
        raise TrainingError("No row has both a text and a label.")
    counts = Counter(label for _, label in pairs)
    if len(counts) < 2:
        raise TrainingError(f"Only one label ({next(iter(counts))}) in the data: a classifier needs at least two.")
    names = sorted(counts)
    index = {name: i for i, name in enumerate(names)}
    x = [text for text, _ in pairs]
    settings = (settings or Settings()).resolved(x, [label for _, label in pairs])
    y = np.array([index[label] for _, label in pairs])
    try:
        return _train(x, y, names, counts, settings, step)
    except _NoWords:
        # Texts of digits, codes or symbols: the stack does without its word member.
        return _train(x, y, names, counts, replace(settings, stack_words=False), step)


def _train(
    x: list[str],
    y: np.ndarray,
    names: list[str],
    counts: Counter[str],
    settings: Settings,
    step: Callable[[str], None] | None,
) -> tuple[LinearTextModel, TrainingReport]:
    tokens = [word_gram_tokens(text) for text in x] if settings.stack and settings.stack_words else None
    folds = min(settings.folds, max(counts.values()), len(x) // 2)
    smallest = min(counts.values())
    macro_f1: float | None = None
    calibrator: CalibratedClassifierCV | None = None
    offsets: np.ndarray | None = None
    meta: LogisticRegression | None = None
    if folds >= 2 and smallest >= 2:
        folds = min(folds, smallest)
        out_of_fold = np.zeros((len(x), len(names)), dtype=np.float64)
        members: np.ndarray | None = None
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=20261116)
        x_array = np.array(x, dtype=object)
        for fold, (train_rows, test_rows) in enumerate(splitter.split(x_array, y), start=1):
            model = _fit(list(x_array[train_rows]), _pick(tokens, train_rows), y[train_rows], settings, names)
            matrix = model.features(list(x_array[test_rows]))
            scores = _decision_matrix(model.svm, matrix)
            # A class absent from this fold's training rows has no column: put its scores back in place.
            full = np.full((len(test_rows), len(names)), -10.0)
            full[:, model.svm.classes_] = scores
            out_of_fold[test_rows] = full
            if model.nb is not None:
                docs = _pick(tokens, test_rows) or list(x_array[test_rows])
                inputs = _stack_inputs(full, *model.other_margins(matrix, docs))
                if members is None:
                    members = np.zeros((len(x), inputs.shape[1]))
                members[test_rows] = inputs
            if step:
                step(f"fold {fold}/{folds}")
        if members is not None:
            # The combiner's own out-of-fold log-probabilities (a second, inner cross-validation over the
            # out-of-fold margins) stand in for the margins from here on, so its fit does not flatter the figure.
            inner = StratifiedKFold(n_splits=folds, shuffle=True, random_state=20261117)
            predicted = cross_val_predict(_combiner(), members, y, cv=inner, method="predict_log_proba")
            out_of_fold = np.maximum(np.asarray(predicted), -20.0)
            meta = _combiner().fit(members, y)
        if len(names) > 2 and len(x) >= 2000:
            # Offsets tuned on one half of the out-of-fold rows are scored on the other half, so the reported
            # figure is not flattered by the tuning; the model keeps the offsets tuned on all rows.
            halves = np.arange(len(x)) % 2 == 0
            adjusted = out_of_fold.copy()
            for part in (halves, ~halves):
                adjusted[~part] += fit_offsets(out_of_fold[part], y[part])
            offsets = fit_offsets(out_of_fold, y)
            out_of_fold, tuned = out_of_fold + offsets, adjusted
        else:
            tuned = out_of_fold
        macro_f1 = float(f1_score(y, tuned.argmax(axis=1), average="macro"))
        calibrator = calibrate(out_of_fold, y)
    model = _fit(x, tokens, y, settings, names)
    if step:
        step("final model")
    report = TrainingReport(
        rows=len(x),
        labels=dict(sorted(counts.items())),
        macro_f1=macro_f1,
        folds=folds if macro_f1 is not None else 0,
        settings=settings.as_dict(),
    )
    if meta is None:
        model.nb = model.cnb = model.words = model.word_nb = None
    model.calibrator, model.offsets, model.meta = calibrator, offsets, meta
    return model, report


def _pick(tokens: list[list[str]] | None, rows: np.ndarray) -> list[list[str]] | None:
    return None if tokens is None else [tokens[i] for i in rows]
