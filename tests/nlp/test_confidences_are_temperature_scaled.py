"""A model's confidence is its scores divided by the one temperature that makes the out-of-fold scores of training
least surprising (lowest log loss): scikit-learn's ``CalibratedClassifierCV(method="temperature")``, fitted on
scores the library did not compute."""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from fankui.nlp.classify import Settings, calibrate, train


def _log_loss(scores: np.ndarray, truth: np.ndarray, temperature: float) -> float:
    probabilities = softmax(scores / temperature, axis=1)
    return float(-np.log(probabilities[np.arange(len(truth)), truth]).mean())


def _best_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    grid = np.exp(np.linspace(-3, 3, 6001))
    return float(grid[np.argmin([_log_loss(scores, truth, t) for t in grid])])


def _noisy_scores(classes: int, rows: int = 600) -> tuple[np.ndarray, np.ndarray]:
    random = np.random.RandomState(7)
    truth = random.randint(0, classes, rows)
    scores = random.normal(size=(rows, classes))
    scores[np.arange(rows), truth] += 1.2
    if classes == 2:
        # Two labels: the model's scores are a mirrored pair (``LinearTextModel.decision``).
        margin = scores[:, 1] - scores[:, 0]
        scores = np.column_stack([-margin / 2, margin / 2])
    return scores, truth


def test_the_calibrator_divides_the_scores_by_the_temperature_of_least_log_loss() -> None:
    for classes in (2, 5):
        scores, truth = _noisy_scores(classes)
        best = _best_temperature(scores, truth)

        calibrated = calibrate(scores, truth).predict_proba(scores)

        np.testing.assert_allclose(calibrated, softmax(scores / best, axis=1), atol=2e-3)


def test_a_trained_model_s_confidences_are_its_scores_over_one_temperature() -> None:
    texts = [f"{word}{'很好' if i % 4 else '一般'}第{i}次" for i in range(60) for word in ("苹果", "房间", "屏幕")]
    labels = [label for _ in range(60) for label in ("fruit", "hotel", "phone")]
    # Every fourth label is wrong, so that the model cannot be sure and the temperature is not at a bound.
    labels = [labels[i - 1] if i % 4 == 0 else label for i, label in enumerate(labels)]

    model, report = train(texts, labels, Settings(folds=3))

    assert model.calibrator is not None and report.macro_f1 is not None
    scores = model.decision(texts[:30])
    logits = np.log(model.probabilities(texts[:30]))
    # log p_i - log p_j = (score_i - score_j) / T for every row and pair of labels, with one T.
    ratios = (logits[:, 1:] - logits[:, :1]) / (scores[:, 1:] - scores[:, :1])
    assert np.allclose(ratios, ratios[0, 0], rtol=1e-6)
    assert 0 < ratios[0, 0] < 100
