"""Background work of the SLA app: the deadline sweep and the sending of what it decided.

The sweep costs what it finds, not what is open: each step reads only the clocks whose instant for that step has
come (a partial index on the column), a page at a time, each page in its own transaction: it writes the page's ledger
rows with ``bulk_create`` ignoring conflicts (the unique (clock, step) constraint makes a second sweep, or a second
worker, write nothing), reads back which rows are its own (the page's random ``batch``), writes the case events of
exactly those through the audit trail's door (``audit.services.record_events``), and clears the page's column.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fankui.accounts.models import Role, User
from fankui.audit.models import Event
from fankui.audit.services import record_events

from .models import Clock, Notice, Stage, Step

# Latest step first: a clock whose escalation is due is not also warned and urged in the same sweep (a worker that
# was down for a day sends the one step that still means something).
STEPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (Step.ESCALATE, "escalate_at", ("escalate_at", "due_at", "warn_at")),
    (Step.URGE, "due_at", ("due_at", "warn_at")),
    (Step.WARN, "warn_at", ("warn_at",)),
)


# Clocks handled per transaction: on SQLite a transaction holds the only write lock, so a sweep that found many
# steps (after a long stop) lets intakes in between its pages instead of holding them for its whole run.
PAGE = 500


def _take(step: str, column: str, clears: tuple[str, ...], now: datetime) -> int:
    """Take one step for every clock whose instant for it has come; returns how many were taken now."""
    # In the partial index's order, so that two workers write the same ledger rows in the same order (no deadlock).
    due = Clock.objects.filter(**{f"{column}__lte": now}).order_by(column, "id")
    taken = 0
    while True:
        with transaction.atomic():
            page = list(due.values_list("id", "case_id", "stage", "round", "deadline")[:PAGE])
            if not page:
                return taken
            batch = uuid.uuid4().hex
            Notice.objects.bulk_create(
                [Notice(clock_id=c, case_id=k, step=step, created_at=now, batch=batch) for c, k, *_ in page],
                ignore_conflicts=True,
            )
            # Only the rows this page wrote: another worker's, or an earlier sweep's, are theirs to announce.
            mine = set(Notice.objects.filter(batch=batch).values_list("clock_id", flat=True))
            record_events(
                Event(
                    case_id=case_id,
                    actor_kind="system",
                    action=f"sla_{step}",
                    data={"stage": stage, "round": number, "deadline": _iso(deadline), "step": step},
                    created_at=now,
                )
                for clock_id, case_id, stage, number, deadline in page
                if clock_id in mine
            )
            # Cleared whoever wrote the ledger rows, so the next page reads the next clocks.
            due.filter(pk__in=[row[0] for row in page]).update(**dict.fromkeys(clears))
            taken += len(mine)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def sweep(now: datetime | None = None) -> int:
    """Take every warn/urge/escalate step that is due. Returns how many steps were taken now."""
    now = now or timezone.now()
    return sum(_take(step, column, clears, now) for step, column, clears in STEPS)


def _recipients(notice: Notice) -> list[User]:
    case = notice.case
    department = case.lead_department
    people = User.objects.filter(is_active=True)
    if department is None or notice.clock.stage in (Stage.ACCEPT, Stage.DISPATCH):
        # Triage's deadlines are the dispatch centre's, even for a case a department returned.
        if notice.step == Step.ESCALATE:
            return list(people.filter(role__in=(Role.DISPATCHER, Role.SUPERVISOR)))
        return list(people.filter(role=Role.DISPATCHER))
    if notice.step == Step.ESCALATE:
        return list(
            people.filter(
                Q(role=Role.SUPERVISOR) | Q(role=Role.DEPT_HEAD, department__path__in=_ancestor_paths(department.path))
            )
        )
    return list(people.filter(role__in=(Role.HANDLER, Role.DEPT_HEAD), department=department))


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


SUBJECTS = {
    Step.WARN: gettext_noop("Deadline approaching: case %(number)s (%(stage)s, due %(deadline)s)"),
    Step.URGE: gettext_noop("Deadline reached: case %(number)s (%(stage)s, due %(deadline)s)"),
    Step.ESCALATE: gettext_noop("Overdue, escalated: case %(number)s (%(stage)s, was due %(deadline)s)"),
}


def send_notices(batch: int = 200) -> int:
    """Send the ledger rows the sweep wrote. Each worker takes rows no other worker holds (SKIP LOCKED)."""
    from fankui.core.lookups import cached_lookups
    from fankui.notify.services import tell_staff

    # The staff's templates are read once for the batch (notify.wording.active).
    with transaction.atomic(), cached_lookups():
        rows = (
            Notice.objects.filter(sent_at__isnull=True)
            .select_related("case__lead_department", "clock")
            .order_by("created_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        notices = list(rows[:batch])
        now = timezone.now()
        for notice in notices:
            clock = notice.clock
            deadline = timezone.localtime(clock.deadline).strftime("%Y-%m-%d %H:%M") if clock.deadline else "—"
            # The stage's name is read in each recipient's language.
            facts: dict[str, object] = {
                "number": notice.case.number,
                "stage": Stage(clock.stage).label,
                "deadline": deadline,
            }
            step = Step(notice.step)

            def compose(step: Step = step, facts: dict[str, object] = facts) -> tuple[str, str]:
                subject = _(SUBJECTS[step]) % facts
                return subject, subject

            tell_staff(
                _recipients(notice),
                f"staff:sla:{step.value}",
                facts,
                compose,
                case_id=notice.case_id,
                key=f"sla:{notice.clock_id}:{notice.step}",
                # An emergency's clock runs day and night: even its warning is not held by quiet hours.
                urgent=clock.urgency == "emergency",
            )
            notice.sent_at = now
        Notice.objects.bulk_update(notices, ["sent_at"])
    return len(notices)


def follow_urgency(batch: int = 200) -> int:
    """Re-apply the policies to open cases whose urgency the analysis set (or changed) after their clocks started.

    Only urgencies some active policy matches on are looked at, and from the analysis side, where the urgent ones
    are few (``urgency`` is indexed; read through the case's ``analysis``: sla never imports its sibling).
    ``clocks.reapply`` is also callable directly by the analysis pipeline."""
    from fankui.cases.models import Case

    from .models import Clock, Policy
    from .services import clocks, lookups

    urgencies = set(Policy.objects.filter(active=True).exclude(urgency="").values_list("urgency", flat=True))
    if not urgencies:
        return 0
    stale = Clock.objects.filter(case_id=OuterRef("pk"), stopped_at__isnull=True).exclude(
        urgency=OuterRef("analysis__urgency")
    )
    ids = list(
        Case.objects.filter(analysis__urgency__in=urgencies).filter(Exists(stale)).values_list("pk", flat=True)[:batch]
    )
    handled = 0
    with lookups.cached_lookups():
        for case in Case.objects.filter(pk__in=ids).select_related(
            "submission", "category__parent__parent", "lead_department"
        ):
            with transaction.atomic():
                clocks.reapply(case)
            handled += 1
    return handled


def resume_unanswered() -> int:
    """Let the deadlines run again where the submitter did not answer a request for information in time."""
    from .services import waiting

    return waiting.resume_unanswered()


def deadline_sweep() -> int:
    """Warn before, urge at and escalate after each deadline, once."""
    return sweep()


def deadline_notices() -> int:
    """Send the warnings, urges and escalations the sweep recorded."""
    return send_notices()


# Collected by `fankui worker` (core/management/commands/worker.py).
SWEEPS: list[tuple[str, Callable[[], int]]] = [
    ("sla_deadline_sweep", deadline_sweep),
    ("sla_deadline_notices", deadline_notices),
    ("sla_follow_urgency", follow_urgency),
    ("sla_resume_unanswered", resume_unanswered),
]
