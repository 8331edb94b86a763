from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionnairesConfig(AppConfig):
    name = "fankui.questionnaires"
    label = "questionnaires"
    verbose_name = _("Questionnaires")

    def ready(self) -> None:
        # A detractor's or a very dissatisfied response opens a follow-up case (services.alerts).
        from .services import alerts

        alerts.connect()
