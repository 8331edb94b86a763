from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "fankui.imports"
    label = "imports"
    verbose_name = _("Bulk import")

    def ready(self) -> None:
        from fankui.core import doctor

        from . import queries

        # The files of import jobs are in the attachment store (``files``), which a backup keeps with the attachments.
        doctor.register("imports", queries.files_finding)
