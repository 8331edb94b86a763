from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "fankui.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from fankui.analysis.signals import analysis_finished
        from fankui.cases.signals import case_moved
        from fankui.sla.signals import extension_approved, info_closed, info_requested

        from . import notices, wording

        # The messages to a submitter whose wording the admin may edit (notify.wording).
        wording.register_kinds()
        # Every message to a submitter about their case is written by portal.notices (see its table).
        analysis_finished.connect(notices.on_analysis_finished, dispatch_uid="portal.notices.analysed")
        case_moved.connect(notices.on_case_moved, dispatch_uid="portal.notices.moved")
        info_requested.connect(notices.on_info_requested, dispatch_uid="portal.notices.info_requested")
        info_closed.connect(notices.on_info_closed, dispatch_uid="portal.notices.info_closed")
        extension_approved.connect(notices.on_extension_approved, dispatch_uid="portal.notices.extension")
