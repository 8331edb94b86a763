from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "fankui.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import checks, doctor

        checks.register_checks()
        doctor.register()
