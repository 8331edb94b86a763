from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fankui.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from fankui.audit import labels
        from fankui.intake import files
        from fankui.intake.models import Submission

        from . import notices, queries, signals
        from .models import Supplement
        from .services import supplements

        # Staff are told when a case comes their way (cases.notices has the table), in wording the admin may edit.
        notices.register_kinds()
        signals.case_moved.connect(notices.on_case_moved, dispatch_uid="cases.notices.moved")
        # A submission's attachments are seen by those who see its case.
        files.register(Submission, queries.attachment_look)
        # So are the attachments of what was written on it later (补充), and its words are read from their row.
        files.register(Supplement, queries.supplement_attachment_look)
        labels.register(supplements.EVENT, staff=_("The submitter wrote again"), detail=supplements.detail)
        labels.register_text(supplements.EVENT, "supplement", supplements.texts)
        labels.register(
            supplements.MAIL_EVENT, staff=_("The submitter wrote again (e-mail)"), detail=supplements.detail
        )
        labels.register_text(supplements.MAIL_EVENT, "follow_up", supplements.texts)
        # Each message sent about a case is logged with the request id of its intake (core.logs).
        from fankui.notify import delivery

        if queries.request_ids not in delivery.REQUEST_IDS:
            delivery.REQUEST_IDS.append(queries.request_ids)
