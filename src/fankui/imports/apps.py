from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "fankui.imports"
    label = "imports"
    verbose_name = _("Bulk import")

    def ready(self) -> None:
        from pathlib import Path

        from django.conf import settings

        from fankui.core import folders

        # The uploaded files of import jobs (services.folder; a job goes on from its byte offset after a restore).
        folders.register("imports", lambda: Path(settings.FANKUI_DATA_DIR) / "imports")
