from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "fankui.sla"
    label = "sla"
    verbose_name = _("Response times")

    def ready(self) -> None:
        from fankui.cases.queries import ListColumn, add_list_column
        from fankui.cases.signals import case_moved, cases_created, cases_reclassified, supplement_added

        from . import checks, labels, notices, queries

        cases_created.connect(_created, dispatch_uid="sla.cases_created")
        checks.register()
        post_migrate.connect(_migrated, sender=self, dispatch_uid="sla.post_migrate")
        case_moved.connect(_moved, dispatch_uid="sla.case_moved")
        # A new kind, category or urgency may choose another policy: the deadlines follow at once.
        cases_reclassified.connect(_reclassified, dispatch_uid="sla.cases_reclassified")
        # The submitter wrote again (e-mail, Open311): the answer to an open request for information resumes the clocks.
        supplement_added.connect(_supplemented, dispatch_uid="sla.supplement_added")
        labels.register_all()
        notices.register_kinds()
        # The staff lists' "Time left": the first running deadline, read in the list's own query.
        add_list_column(ListColumn(_("Time left"), "sla/_list_cell.html", queries.with_clock))


def _created(sender: Any, cases: Any, moves: Any = None, **kwargs: Any) -> None:
    from .services import clocks

    clocks.on_cases_created(cases, moves)


def _moved(sender: Any, case: Any, source: str, target: str, **kwargs: Any) -> None:
    from .services import clocks

    clocks.on_case_moved(case, source, target)


def _supplemented(sender: Any, case: Any, supplement: Any, **kwargs: Any) -> bool:
    from .services import waiting

    return waiting.answered_by(case, supplement)


EMERGENCY_MIGRATION = ("sla", "0004_emergency_on_calendar_hours")
PRAISE_MIGRATION = ("sla", "0005_praise_policy")


def _migrated(sender: Any, plan: Any = None, **kwargs: Any) -> None:
    """Open emergencies follow the emergency policy that migration 0004 moved to calendar hours, open praise the
    policy 0005 added (a migration may not use the application's code; this runs once every app's tables are
    current)."""
    applied = {(m.app_label, m.name) for m, backwards in plan or () if not backwards}
    from . import defaults

    if EMERGENCY_MIGRATION in applied:
        defaults.recount_emergencies()
    if PRAISE_MIGRATION in applied:
        defaults.recount_praise()


def _reclassified(sender: Any, changes: Any, **kwargs: Any) -> None:
    from .services import clocks

    clocks.on_cases_reclassified(changes)
