from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "fankui.sla"
    label = "sla"
    verbose_name = _("Response times")

    def ready(self) -> None:
        from fankui.cases.signals import case_created, case_moved
        from fankui.core import stamps

        from . import labels
        from .models import CalendarDay, Policy, PolicyTarget, WorkingCalendar

        case_created.connect(_created, dispatch_uid="sla.case_created")
        # Server processes keep policies and calendars while this stamp is unchanged (sla.services).
        stamps.bump_on_change("sla", Policy, PolicyTarget, WorkingCalendar, CalendarDay)
        case_moved.connect(_moved, dispatch_uid="sla.case_moved")
        labels.register_all()


def _created(sender: Any, case: Any, **kwargs: Any) -> None:
    from . import services

    services.on_case_created(case)


def _moved(sender: Any, case: Any, source: str, target: str, **kwargs: Any) -> None:
    from . import services

    services.on_case_moved(case, source, target)
