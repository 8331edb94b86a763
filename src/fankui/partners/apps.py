from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "fankui.partners"
    label = "partners"
    verbose_name = _("Partner systems")

    def ready(self) -> None:
        from fankui.cases.signals import case_moved
        from fankui.sla.signals import extension_approved, info_requested

        from . import services

        # Every public step of a partner's case is reported back to the partner (docs/partners.md): cases and sla
        # never import this app, they tell whoever listens.
        case_moved.connect(services.on_case_moved, dispatch_uid="partners.case_moved")
        info_requested.connect(services.on_info_requested, dispatch_uid="partners.info_requested")
        extension_approved.connect(services.on_extension_approved, dispatch_uid="partners.extension_approved")
