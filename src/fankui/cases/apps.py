from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fankui.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fankui.intake import files
        from fankui.intake.models import Submission

        from . import notices, queries, signals

        # Staff are told when a case comes their way (cases.notices has the table).
        signals.case_moved.connect(notices.on_case_moved, dispatch_uid="cases.notices.moved")
        # A submission's attachments are seen by those who see its case.
        files.register(Submission, queries.attachment_look)
        # Each message sent about a case is logged with the request id of its intake (core.logs).
        from fankui.notify import delivery

        if queries.request_ids not in delivery.REQUEST_IDS:
            delivery.REQUEST_IDS.append(queries.request_ids)
