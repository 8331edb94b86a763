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
        # 回访: an operator's call may also record a questionnaire's answers (services.phone), linked from the call
        # page of surveys, which does not import this app; the case's timeline names the questionnaire.
        from fankui.audit import labels
        from fankui.surveys import followups

        from .services import phone

        followups.add_call_action(phone.call_action)
        labels.register(phone.EVENT, _("Questionnaire answered on a call"), detail=phone.event_detail)
        # The invitation and the reminder are message templates editable in the admin (notify.wording).
        from fankui.notify.wording import register

        from .services import distribution

        register(distribution.KINDS, distribution.SAMPLE)
