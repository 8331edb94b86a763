from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "fankui.partners"
    label = "partners"
    verbose_name = _("Partner systems")

    def ready(self) -> None:
        from fankui.cases.signals import case_moved

        from . import services

        # Every public step of a partner's case is reported back to the partner (docs/partners.md): cases never
        # imports this app, it tells whoever listens.
        case_moved.connect(services.on_case_moved, dispatch_uid="partners.case_moved")
