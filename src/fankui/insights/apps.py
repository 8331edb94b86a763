from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "fankui.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from django.core import checks

        from .charts import check_font

        # fankui check: the PDF report's Chinese font (insights.W001).
        checks.register(check_font)
