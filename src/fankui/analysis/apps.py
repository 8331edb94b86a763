from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from fankui.audit.models import Event


def _emergency_detail(event: Event) -> str:
    from .models import REASON_LABELS

    reasons = event.data.get("reasons") or []
    return "、".join(str(REASON_LABELS.get(reason, reason)) for reason in reasons)


def _correction_detail(event: Event) -> str:
    parts = []
    for name in ("kind", "nature", "category", "department"):
        if name in event.data:
            parts.append(str(name))
    return ", ".join(parts)


class AnalysisConfig(AppConfig):
    name = "fankui.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from fankui.audit import labels
        from fankui.cases.signals import cases_created
        from fankui.core import doctor, health

        from . import queries, services

        cases_created.connect(services.queue_cases, dispatch_uid="analysis.queue_cases")
        health.register("analysis_backlog", queries.backlog_check)
        doctor.register("analysis_backlog", queries.backlog_finding)
        # Trained models are rows of the database (``store``): its backup holds them; the doctor names them.
        doctor.register("models", queries.models_finding)
        labels.register(
            "flagged_emergency", staff=_("Flagged as an emergency for immediate handling"), detail=_emergency_detail
        )
        labels.register("analysis_corrected", staff=_("Analysis corrected"), detail=_correction_detail)
