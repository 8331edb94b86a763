from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "fankui.analysis"
    label = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from fankui.cases.signals import case_created

        from . import services

        case_created.connect(services.queue_case, dispatch_uid="analysis.queue_case")
