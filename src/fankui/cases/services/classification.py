"""Kinds and categories: the category tree, and who set a case's kind and category (staff's choice is final, the
analysis's only where nobody chose)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import Department, User
from fankui.audit.models import Event
from fankui.audit.services import record_events
from fankui.core.errors import ValidationFailed
from fankui.core.rows import update_rows
from fankui.core.vocab import Kind

from .. import signals
from ..models import Case, Category, Source
from ..workflow import Actor, State
from . import locked


# --- Categories ----------------------------------------------------------------------------------------------
def load_category_tree(
    paths: Iterable[Sequence[str]], departments: Mapping[str, Department] | None = None
) -> dict[tuple[str, ...], int]:
    """Create the category tree from rows of names (一级, 二级, 三级, ...), level by level in bulk.

    Nodes that already exist (same name under the same parent) are kept, so loading a tree twice adds nothing.
    ``departments`` maps first-level names to their usual department. Returns the id of every path."""
    rows = [tuple(name.strip() for name in row if name and name.strip()) for row in paths]
    known: dict[tuple[int | None, str], int] = {
        (parent, name): pk for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")
    }
    ids: dict[tuple[str, ...], int] = {}
    departments = departments or {}
    for level in range(1, max((len(row) for row in rows), default=0) + 1):
        new: dict[tuple[str, ...], Category] = {}
        siblings: dict[int | None, int] = {}
        for row in rows:
            path = row[:level]
            if len(path) < level or path in ids or path in new:
                continue
            parent = ids[path[:-1]] if level > 1 else None
            existing = known.get((parent, path[-1]))
            if existing is not None:
                ids[path] = existing
                continue
            siblings[parent] = siblings.get(parent, 0) + 1
            department = departments.get(path[0]) if level == 1 else None
            new[path] = Category(
                name=path[-1][:100], parent_id=parent, level=level, sort_order=siblings[parent], department=department
            )
        # bulk_create sets the primary keys on SQLite and PostgreSQL, which the next level needs as parents.
        Category.objects.bulk_create(new.values())
        ids.update({path: category.pk for path, category in new.items()})
    return ids


# --- Kind and category ----------------------------------------------------------------------------------------
# Who chose a kind or category decides who may change it: the analysis only what nobody chose or what it set itself;
# the submitter's choice and staff's are final for it (staff may still change either).
SYSTEM_MAY_SET = ("", Source.SYSTEM)


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in Kind.values:
        raise ValidationFailed({"kind": [_("Unknown kind.")]})


def check_category(category: Category | None) -> None:
    if category is not None and not category.active:
        raise ValidationFailed({"category": [_("This category is no longer in use.")]})


def by_staff(case: Case, kind: str | None, category: Category | None) -> tuple[list[str], dict[str, Any]]:
    """Set ``kind`` and/or ``category`` on the locked ``case`` as staff's choice (unsaved). Returns the fields to
    save and the changed values (``{"kind": {"from": ..., "to": ...}}``) for the event and the signal."""
    fields: list[str] = []
    changes: dict[str, Any] = {}
    if kind is not None and (kind != case.kind or case.kind_source != Source.STAFF):
        if kind != case.kind:
            changes["kind"] = {"from": case.kind, "to": kind}
        case.kind, case.kind_source, case.kind_confidence = kind, Source.STAFF, None
        fields += ["kind", "kind_source", "kind_confidence"]
    if category is not None and (category.pk != case.category_id or case.category_source != Source.STAFF):
        if category.pk != case.category_id:
            changes["category"] = {"from": case.category_id, "to": category.pk, "name": category.name}
        case.category, case.category_source, case.category_confidence = category, Source.STAFF, None
        fields += ["category", "category_source", "category_confidence"]
    return fields, changes


def reclassified(case: Case, changes: dict[str, Any], user: User | None) -> None:
    if changes:
        signals.cases_reclassified.send(sender=Case, changes=[(case, changes)], user=user)


@transaction.atomic
def reclassify(
    case: Case, *, kind: str | None = None, category: Category | None = None, user: User | None = None
) -> Case:
    """Staff set a case's kind and/or category (a correction of the analysis): final, the analysis never changes
    them again. Not a workflow move: the state stays; the caller records the correction as an event. The SLA
    follows through ``signals.case_reclassified``."""
    check_kind(kind)
    check_category(category)
    case = locked(case)
    fields, changes = by_staff(case, kind, category)
    if fields:
        case.save(update_fields=fields)
    reclassified(case, changes, user)
    return case


@dataclass
class Finding:
    """What the analysis found about a case and is sure enough of to apply (``None``: nothing to apply)."""

    kind: str | None = None
    kind_confidence: float | None = None
    category: Category | None = None
    category_confidence: float | None = None
    # {"kind": "rules-2026.11", "category": "category-2026..."}: which model said so, for the event.
    models: dict[str, str] = field(default_factory=dict)
    # The urgency before and after this analysis, when it changed (it chooses the deadlines too).
    urgency: tuple[str, str] | None = None


def classify_by_system(found: Sequence[tuple[Case, Finding]]) -> dict[int, dict[str, Any]]:
    """Apply what the analysis found to each case where nobody chose (or the analysis itself set) the kind or the
    category, inside the caller's transaction; record each change as the system's internal event with the model,
    its confidence and the old and new values; tell other apps what changed, the urgency too (the SLA re-applies
    its policies). Returns the changes by case id (cases without any are left out).

    For a whole batch of the analysis at once: the cases' current kinds and categories are read again under a row
    lock in one query (a staff correction committed since the analysis read them is never overwritten), the
    changed rows are written in one statement and the events in another."""
    cases = {case.pk: (case, finding) for case, finding in found}
    current = Case.objects.filter(pk__in=list(cases)).order_by("pk").select_for_update(of=("self",))
    changes: dict[int, dict[str, Any]] = {}
    changed: list[Case] = []
    events: list[Event] = []
    now = timezone.now()
    for pk, *values in current.values_list("pk", *CLASSIFICATION):
        case, finding = cases[pk]
        for name, value in zip(CLASSIFICATION, values, strict=True):
            setattr(case, name, value)
        kind, category_id, category = case.kind, case.category_id, finding.category
        done: dict[str, Any] = {}
        set_kind = finding.kind is not None and _set_by_system(case, "kind", finding.kind, finding.kind_confidence)
        if set_kind and finding.kind != kind:
            done["kind"] = {"from": kind, "to": finding.kind, "confidence": finding.kind_confidence}
        set_category = category is not None and _set_by_system(case, "category", category, finding.category_confidence)
        if set_category and category is not None and category.pk != category_id:
            done["category"] = {
                "from": category_id,
                "to": category.pk,
                "name": category.name,
                "confidence": finding.category_confidence,
            }
        if set_kind or set_category:
            changed.append(case)
        if done:
            models = {name: finding.models.get(name, "") for name in done}
            events.append(
                Event(
                    case=case,
                    actor_kind=Actor.SYSTEM,
                    action="reclassified",
                    data={**done, "models": models},
                    created_at=now,
                )
            )
        if finding.urgency is not None and finding.urgency[0] != finding.urgency[1]:
            done["urgency"] = {"from": finding.urgency[0], "to": finding.urgency[1]}
        if done:
            changes[pk] = done
    update_rows(changed, CLASSIFICATION[1:])
    record_events(events)
    if changes:
        signals.cases_reclassified.send(
            sender=Case, changes=[(cases[pk][0], done) for pk, done in changes.items()], user=None
        )
    return changes


# What ``classify_by_system`` reads again and writes (the state first: it is only read).
CLASSIFICATION = (
    "state",
    "kind",
    "kind_source",
    "kind_confidence",
    "category_id",
    "category_source",
    "category_confidence",
)


def _set_by_system(case: Case, name: str, value: str | Category, confidence: float | None) -> bool:
    """Set ``case``'s ``name`` (kind or category) to ``value`` as the analysis's (unsaved), unless somebody chose
    it or it is already so. True when it changed."""
    source, rate = f"{name}_source", f"{name}_confidence"
    current, wanted = (case.category_id, value.pk) if isinstance(value, Category) else (case.kind, value)
    if getattr(case, source) not in SYSTEM_MAY_SET or (isinstance(value, Category) and not value.active):
        return False
    if getattr(case, source) == Source.SYSTEM and case.state in State.terminal():
        return False  # a finished case's figures stay as counted (history imported unclassified still gets one)
    if (current, getattr(case, rate), getattr(case, source)) == (wanted, confidence, Source.SYSTEM):
        return False  # already so
    setattr(case, name, value)
    setattr(case, source, Source.SYSTEM)
    setattr(case, rate, confidence)
    return True
