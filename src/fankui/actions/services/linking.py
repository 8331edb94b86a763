"""Linking cases to an action: by hand (only cases the user may see) and, for an action on a hot topic, the
topic's new cases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.analysis.models import CaseAnalysis
from fankui.cases.models import Case
from fankui.cases.queries import find_case_ref, visible_cases
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from ..models import Action, ActionCase, Broadcast, State
from . import cases_can_change, may_change_cases, record

MAX_LINK_REFS = 500


def resolve_cases(user: User, refs: Sequence[str], ids: Sequence[int], errors: dict[str, list[str]]) -> list[Case]:
    """The cases named, all of them visible to ``user``; any other is an error naming it (and not saying whether it
    exists: a case outside one's scope does not exist for them)."""
    if len(refs) + len(ids) > MAX_LINK_REFS:
        errors["cases"] = [_("At most %(n)d cases can be linked at once.") % {"n": MAX_LINK_REFS}]
        return []
    visible = visible_cases(user)
    found: dict[int, Case] = {}
    missing: list[str] = []
    for ref in refs:
        ref = ref.strip()
        if not ref:
            continue
        case = find_case_ref(visible, ref)
        if case is None:
            missing.append(ref)
        else:
            found[case.pk] = case
    wanted = [i for i in ids if 0 < i < 2**63]
    if len(wanted) != len(ids):
        missing += [str(i) for i in ids if not 0 < i < 2**63]
    by_id = {c.pk: c for c in visible.filter(pk__in=wanted)}
    for pk in wanted:
        if pk in by_id:
            found[pk] = by_id[pk]
        else:
            missing.append(f"#{pk}")
    if missing:
        errors["cases"] = [
            _("These cases do not exist or you may not see them: %(refs)s.") % {"refs": ", ".join(missing[:20])}
        ]
    return list(found.values())


def link(action: Action, case_ids: Iterable[int], via: str, batch: int = 2000) -> int:
    """Insert the links that do not exist yet; returns how many were new. Streams ``case_ids`` in batches."""
    added = 0
    now = timezone.now()
    chunk: list[int] = []

    def flush() -> int:
        existing = set(ActionCase.objects.filter(action=action, case_id__in=chunk).values_list("case_id", flat=True))
        rows = [ActionCase(action=action, case_id=pk, via=via, linked_at=now) for pk in dict.fromkeys(chunk)]
        rows = [r for r in rows if r.case_id not in existing]
        ActionCase.objects.bulk_create(rows, ignore_conflicts=True)
        return len(rows)

    for pk in case_ids:
        chunk.append(pk)
        if len(chunk) >= batch:
            added += flush()
            chunk = []
    if chunk:
        added += flush()
    if added:
        # Cases linked after a broadcast finished still hear about it: the broadcast resumes past its cursor.
        Broadcast.objects.filter(action=action, finished_at__isnull=False).update(finished_at=None)
    return added


def refresh_counts(action: Action) -> None:
    """Linked cases, and the people behind them: one per distinct contact, each case without one counts alone."""
    links = ActionCase.objects.filter(action=action)
    # By the keyed hashes: the contact details themselves are encrypted, and each token is different.
    contact = Coalesce(
        NullIf("case__submission__contact_email_hash", Value("")),
        NullIf("case__submission__contact_phone_hash", Value("")),
    )
    named = links.filter(case__submission__anonymous=False).annotate(contact=contact).exclude(contact=None)
    people = named.values("contact").distinct().count()
    linked = links.count()
    unnamed = linked - named.count()
    Action.objects.filter(pk=action.pk).update(linked_count=linked, people_count=people + unnamed)
    action.linked_count, action.people_count = linked, people + unnamed


@transaction.atomic
def link_cases(action: Action, user: User, refs: Sequence[str] = (), ids: Sequence[int] = ()) -> int:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not may_change_cases(user, action):
        raise PermissionDenied(_("You may not change the cases of this action."))
    if not cases_can_change(action):
        raise Conflict(_("This action is finished; its cases can no longer change."))
    errors: dict[str, list[str]] = {}
    cases = resolve_cases(user, refs, ids, errors)
    if errors:
        raise ValidationFailed(errors)
    if not cases:
        raise ValidationFailed({"cases": [_("Name at least one case (its number or tracking code).")]})
    added = link(action, [c.pk for c in cases], ActionCase.Via.MANUAL)
    refresh_counts(action)
    record(action, "linked", actor=user, data={"cases": [c.number for c in cases][:50], "added": added})
    return added


@transaction.atomic
def unlink_case(action: Action, user: User, case_id: int) -> None:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not may_change_cases(user, action):
        raise PermissionDenied(_("You may not change the cases of this action."))
    if not cases_can_change(action):
        raise Conflict(_("This action is finished; its cases can no longer change."))
    link = ActionCase.objects.filter(action=action, case_id=case_id, case__in=visible_cases(user)).first()
    if link is None:
        raise NotFound(_("This case is not linked to the action."))
    number = link.case.number
    link.delete()
    refresh_counts(action)
    record(action, "unlinked", actor=user, data={"cases": [number]})


def link_topic_cases() -> int:
    """Link the new cases of every linked hot topic (the analysis sets ``CaseAnalysis.topic`` after intake).
    Returns how many links were made."""
    total = 0
    actions = Action.objects.exclude(state=State.ABANDONED).filter(topic__isnull=False)
    for action in actions.only("pk", "topic_id"):
        if action.topic_id is None:
            continue
        already = ActionCase.objects.filter(action=action).values("case_id")
        new = (
            CaseAnalysis.objects.filter(topic_id=action.topic_id)
            .exclude(case_id__in=already)
            .values_list("case_id", flat=True)
            .order_by("case_id")
        )
        with transaction.atomic():
            added = link(action, new.iterator(chunk_size=2000), ActionCase.Via.TOPIC)
            if added:
                refresh_counts(action)
                record(action, "topic_cases_linked", data={"added": added})
        total += added
    return total
