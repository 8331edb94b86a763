"""Cross-tabs of a questionnaire's results: the answers of a number or single-choice question split by the channel
or by the choices of any choice question (how a department, window or ward is compared: the questionnaire asks it),
counted by the database in one grouped query over the rollup's filters (``results.Filters``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from ..models import NUMBER_KINDS, Kind, Via
from .results import QuestionResult, Results, figure, mean


@dataclass
class CrossRow:
    label: str
    answered: int
    figure: float | None
    shares: list[float]  # per column of the target (its scores or choices), percent of the row


@dataclass
class CrossTab:
    by_label: str
    of: QuestionResult
    columns: list[str]
    figure_name: str
    rows: list[CrossRow]


def cross_by_options(results: Results) -> list[tuple[str, str]]:
    """What a cross-tab can be split by: the channel, and each single or multiple choice question."""
    options = [("via", _("Channel"))]
    options += [(q.key, q.text) for q in results.questions if q.kind in (Kind.SINGLE, Kind.MULTIPLE)]
    return options


def cross_of_options(results: Results) -> list[tuple[str, str]]:
    """What a cross-tab can count: a number question or a single choice."""
    return [(q.key, q.text) for q in results.questions if q.kind in NUMBER_KINDS or q.kind == Kind.SINGLE]


def _groups(
    results: Results, by: str, answers: Any, value_field: str
) -> tuple[str, dict[Any, dict[Any, int]], dict[Any, str], list[Any]] | None:
    """The target's answers counted per group: (the split's label, {group: {value: answers}}, labels, order)."""
    groups: dict[Any, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    if by == "via":
        rows = answers.values_list("response__via", value_field).annotate(n=Count("id"))
        for via, value, n in rows.values_list("response__via", value_field, "n"):
            groups[via][value] += n
        names = {v: str(Via(v).label) if v in Via.values else v for v in groups}
        return _("Channel"), groups, names, [v for v in Via.values if v in groups]
    source = results.question(by)
    if source is None or source.kind not in (Kind.SINGLE, Kind.MULTIPLE):
        return None
    source_ids = [v.question.pk for v in source.versions]
    source_choices = {c.pk: c for v in source.versions for c in v.question.choices.all()}
    rows = (
        answers.filter(response__answers__question_id__in=source_ids)
        .values_list("response__answers__choice_id", value_field)
        .annotate(n=Count("id"))
        .values_list("response__answers__choice_id", value_field, "n")
    )
    labels: dict[Any, str] = {}
    for choice_id, value, n in rows:
        chosen = source_choices.get(choice_id)
        if chosen is None:
            continue
        labels.setdefault(chosen.key, chosen.label)
        groups[chosen.key][value] += n
    newest = source.versions[0].question
    order = [c.key for c in newest.choices.all() if c.key in groups]
    return source.text, groups, labels, order + [k for k in groups if k not in order]


def cross_tab(results: Results, by: str, of: str) -> CrossTab | None:
    """The answers to ``of`` split by the channel (``by`` "via") or by the choices of a choice question: one row per
    group with its figure (NPS, CSAT, mean) and the share of each answer. None when either key is unknown."""
    target = results.question(of)
    if target is None or not (target.is_number or target.kind == Kind.SINGLE):
        return None
    versions = {v.question.pk: v.question for v in target.versions}
    value_field = "number" if target.is_number else "choice_id"
    found = _groups(results, by, results.filters.answers(versions), value_field)
    if found is None:
        return None
    by_label, groups, labels, order = found
    columns = [b.label for b in target.bars]
    bar_index = {b.label: i for i, b in enumerate(target.bars)}
    # A choice of any version goes to the column of the newest label it shares a key with.
    choice_key = {c.pk: c.key for q in versions.values() for c in q.choices.all()}
    column_of_key = {
        c.key: bar_index[c.label] for q in versions.values() for c in q.choices.all() if c.label in bar_index
    }
    out: list[CrossRow] = []
    for group in order:
        values = groups[group]
        shares = [0] * len(columns)
        counts: dict[int, int] = defaultdict(int)
        for value, n in values.items():
            if target.is_number:
                column = bar_index.get(str(value))
                counts[value] += n
            else:
                column = column_of_key.get(choice_key.get(value, ""))
            if column is not None:
                shares[column] += n
        total = sum(values.values())
        if target.is_number:
            fig = figure(target.kind, counts)
        else:
            scores = {target.bars[i].score: shares[i] for i in range(len(columns)) if target.bars[i].score is not None}
            fig = mean(scores) if scores else None  # type: ignore[arg-type]
        shares_pct = [round(100.0 * s / total, 1) if total else 0.0 for s in shares]
        out.append(CrossRow(labels.get(group, str(group)), total, fig, shares_pct))
    return CrossTab(by_label, target, columns, target.figure_name or _("Mean score"), out)
