"""The organisation's keyword rules (``KeywordRule``, edited in the admin) applied to a text: the pipeline's fallback
for category and department when no trained model is sure enough."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RuleMatch:
    rule_id: int
    category_id: int | None
    department_id: int | None
    hits: int
    confidence: float


def match_rules(text: str, rules: list[tuple[int, int | None, int | None, int, list[str]]]) -> RuleMatch | None:
    """The keyword rule that fits ``text`` best: most keywords found, then highest priority."""
    best: RuleMatch | None = None
    best_key: tuple[int, int] = (0, 0)
    for rule_id, category_id, department_id, priority, keywords in rules:
        hits = sum(1 for keyword in keywords if keyword in text)
        if hits and (hits, priority) > best_key:
            best_key = (hits, priority)
            best = RuleMatch(rule_id, category_id, department_id, hits, min(0.9, 0.55 + 0.1 * hits))
    return best
