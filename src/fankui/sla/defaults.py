"""The policies and calendar a new installation (and the demo) starts with: the 12345 time limits."""

from __future__ import annotations

from django.db import transaction

from . import services
from .models import Policy, Stage, Unit, WorkingCalendar

WD, WH, H = Unit.WORKING_DAYS, Unit.WORKING_HOURS, Unit.HOURS

# (name, match fields, targets)
POLICIES: list[tuple[str, dict[str, str], list[tuple[Stage, int, Unit]]]] = (
    [
        (
            "Emergency: reply the same day",
            {"urgency": "emergency"},
            [
                (Stage.ACCEPT, 1, H),
                (Stage.DISPATCH, 2, H),
                (Stage.FIRST_RESPONSE, 2, H),
                (Stage.REPLY, 0, WD),
                (Stage.RECTIFY, 3, WD),
                (Stage.CLOSE, 3, WD),
            ],
        ),
    ]
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
        for kind, label in (("inquiry", "Inquiry"), ("help", "Request for help"))
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
        services.save_policy(Policy(name=name, **match), targets, reapply=False)
        created += 1
    if created and reapply:
        services.reapply_open_cases()
    return created
