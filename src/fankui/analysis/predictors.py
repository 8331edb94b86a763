"""One way to ask any model for (label, confidence): trained, shipped or rules, by name.

``get("sentiment")``, ``get("kind")``, ``get("nature")`` and ``get("urgency")`` work on a fresh install; any other
name is a model trained with ``fankui train`` (or ``category`` and ``routing``, trained by ``fankui retrain``).
A model the organisation trained under a built-in name replaces the built-in one, except that urgency rules keep
flagging emergencies whatever a model says (an emergency must never depend on past data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fankui.nlp import rules

from . import store
from .store import ModelNotFound, Predictor, StoredModel

BUILTIN_NAMES = ("kind", "nature", "sentiment", "urgency")
POSITIVE_LABELS = {"positive", "1", "pos", "正面", "积极", "好评"}
NEGATIVE_LABELS = {"negative", "0", "-1", "neg", "负面", "消极", "差评"}
# Between these probabilities of "positive" a text is neither clearly positive nor clearly negative.
NEUTRAL_BAND = (0.35, 0.65)


@dataclass
class Sentiment:
    label: str
    confidence: float
    # -1 (very negative) .. +1 (very positive)
    score: float


class SentimentPredictor:
    """A binary positive/negative model read as negative/neutral/positive with a score."""

    labels = ["negative", "neutral", "positive"]

    def __init__(self, model: StoredModel) -> None:
        self.model = model
        self.version = model.version
        model_labels = [label.lower() for label in model.labels]
        positive = [i for i, label in enumerate(model_labels) if label in POSITIVE_LABELS]
        negative = [i for i, label in enumerate(model_labels) if label in NEGATIVE_LABELS]
        self.binary = len(model_labels) == 2 and len(positive) == 1 and len(negative) == 1
        self.positive = positive[0] if positive else 0

    def analyse(self, texts: list[str]) -> list[Sentiment]:
        if not texts:
            return []
        if not self.binary:
            return [
                Sentiment(label, confidence, 0.0)
                for label, confidence in self.model.predict(texts)  # an organisation's own labels, unchanged
            ]
        probability = self.model.model.probabilities(texts)[:, self.positive]
        results = []
        for p in np.asarray(probability, dtype=float):
            low, high = NEUTRAL_BAND
            if p >= high:
                label, confidence = "positive", p
            elif p <= low:
                label, confidence = "negative", 1 - p
            else:
                label, confidence = "neutral", 1 - abs(p - 0.5) * 2
            results.append(Sentiment(label, round(float(confidence), 4), round(float(2 * p - 1), 4)))
        return results

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        return [(result.label, result.confidence) for result in self.analyse(texts)]


class UrgencyRules:
    version = rules.URGENCY_VERSION
    labels = ["normal", "urgent", "emergency"]

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        return [(result.level, result.confidence) for result in map(rules.urgency, texts)]


class KindRules:
    version = rules.RULES_VERSION
    labels = list(rules.KIND_ORDER)

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        return [(guess.label, guess.confidence) for guess in map(rules.kind, texts)]


class NatureRules:
    version = rules.RULES_VERSION
    labels = ["opinion", "problem"]

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        results = []
        for text in texts:
            guess = rules.nature(text, rules.kind(text).label)
            results.append((guess.label, guess.confidence))
        return results


def trained(name: str) -> StoredModel | None:
    """A model trained by the organisation (not a shipped one) under ``name``, if there is one."""
    return store.trained(name)


def get(name: str) -> Predictor:
    """The predictor called ``name``; ``ModelNotFound`` if it is neither built in nor trained."""
    if name == "sentiment":
        return SentimentPredictor(store.load("sentiment"))
    if name in ("kind", "nature", "urgency"):
        own = trained(name)
        if own is not None:
            return own
        builtin: dict[str, type[KindRules] | type[NatureRules] | type[UrgencyRules]] = {
            "kind": KindRules,
            "nature": NatureRules,
            "urgency": UrgencyRules,
        }
        return builtin[name]()
    return store.load(name)


__all__ = ["BUILTIN_NAMES", "ModelNotFound", "Sentiment", "SentimentPredictor", "get", "trained"]
