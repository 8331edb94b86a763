from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "fankui.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import logins, receivers, triggers

        logins.connect()
        receivers.connect()
        post_migrate.connect(triggers.reinstall_after_migrate, dispatch_uid="audit.triggers")
