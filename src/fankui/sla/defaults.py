"""The policies and calendar a new installation (and the demo) starts with: the 12345 time limits."""

from __future__ import annotations

from django.db import transaction

from fankui.cases.models import Case
from fankui.core.errors import ValidationFailed

from .models import Clock, Policy, Stage, Unit, WorkingCalendar
from .services import clocks, lookups

WD, WH, H = Unit.WORKING_DAYS, Unit.WORKING_HOURS, Unit.HOURS

# An emergency (gas leak, fire, someone in danger) runs on calendar hours, day and night: triage within the hour,
# someone on it within two, a reply within a day. Rectification and closing keep working days (docs/sla.md).
EMERGENCY = "Emergency: reply within 24 hours"
EMERGENCY_TARGETS: list[tuple[Stage, int, Unit]] = [
    (Stage.ACCEPT, 1, H),
    (Stage.DISPATCH, 2, H),
    (Stage.FIRST_RESPONSE, 2, H),
    (Stage.REPLY, 24, H),
    (Stage.RECTIFY, 3, WD),
    (Stage.CLOSE, 3, WD),
]
# What installations before December 2026 were given; migration 0004 replaces it where it was never edited.
OLD_EMERGENCY = "Emergency: reply the same day"
OLD_EMERGENCY_TARGETS: list[tuple[Stage, int, Unit]] = [
    (Stage.ACCEPT, 1, H),
    (Stage.DISPATCH, 2, H),
    (Stage.FIRST_RESPONSE, 2, H),
    (Stage.REPLY, 0, WD),
    (Stage.RECTIFY, 3, WD),
    (Stage.CLOSE, 3, WD),
]

# (name, match fields, targets)
POLICIES: list[tuple[str, dict[str, str], list[tuple[Stage, int, Unit]]]] = (
    [(EMERGENCY, {"urgency": "emergency"}, EMERGENCY_TARGETS)]
    + [
        (
            f"{label}: 3 working days",
            {"kind": kind},
            [
                (Stage.ACCEPT, 4, WH),
                (Stage.DISPATCH, 4, WH),
                (Stage.FIRST_RESPONSE, 1, WD),
                (Stage.REPLY, 3, WD),
                (Stage.RECTIFY, 15, WD),
                (Stage.CLOSE, 10, WD),
            ],
        )
        # Praise is answered quickly too: the person is thanked and told the praise reached the staff concerned.
        for kind, label in (("inquiry", "Inquiry"), ("help", "Request for help"), ("praise", "Praise"))
    ]
    + [
        (
            f"{label}: 13 working days",
            {"kind": kind},
            [
                (Stage.ACCEPT, 1, WD),
                (Stage.DISPATCH, 1, WD),
                (Stage.FIRST_RESPONSE, 2, WD),
                (Stage.REPLY, 13, WD),
                (Stage.RECTIFY, 15, WD),
                (Stage.CLOSE, 20, WD),
            ],
        )
        for kind, label in (("suggestion", "Suggestion"), ("complaint", "Complaint"), ("report", "Report"))
    ]
    + [
        (
            "Everything else: 13 working days",
            {},
            [
                (Stage.ACCEPT, 1, WD),
                (Stage.DISPATCH, 1, WD),
                (Stage.REPLY, 13, WD),
                (Stage.RECTIFY, 15, WD),
                (Stage.CLOSE, 20, WD),
            ],
        ),
    ]
)


@transaction.atomic
def ensure_defaults(*, reapply: bool = True) -> int:
    """Create the default calendar and the policies that do not exist yet (by name). Returns policies created."""
    if not WorkingCalendar.objects.filter(is_default=True).exists():
        WorkingCalendar.objects.create(name="Default", is_default=True)
    created = 0
    for name, match, targets in POLICIES:
        if Policy.objects.filter(name=name).exists():
            continue
        try:
            clocks.save_policy(Policy(name=name, **match), targets, reapply=False)
        except ValidationFailed:
            # The organisation has its own policy for exactly these cases (say, an earlier default it edited).
            continue
        created += 1
    if created and reapply:
        clocks.reapply_open_cases()
    return created


def recount_emergencies() -> int:
    """Count the running clocks of the emergency policy again from its targets (after migration 0004 changed them,
    see ``apps``). Returns how many clocks changed."""
    running = Clock.objects.filter(stopped_at__isnull=True, policy__urgency="emergency")
    return _recount(set(running.values_list("case_id", flat=True)))


def recount_praise() -> int:
    """Open praise follows the praise policy that migration 0005 added (see ``apps``)."""
    ids = set(Case.objects.filter(kind="praise", sla_clocks__stopped_at__isnull=True).values_list("pk", flat=True))
    return _recount(ids)


def _recount(ids: set[int]) -> int:
    changed = 0
    with lookups.cached_lookups():
        for case in Case.objects.filter(pk__in=ids).select_related(
            "submission", "category__parent__parent", "lead_department"
        ):
            with transaction.atomic():
                changed += clocks.reapply(case)
    return changed
