from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "fankui.actions"
    label = "actions"
    verbose_name = _("Improvement actions")

    def ready(self) -> None:
        from fankui.intake import files

        from .models import ProgressUpdate
        from .services import moves, sweeps

        # A progress update's evidence is seen by those who see its action.
        files.register(ProgressUpdate, moves.evidence_look)
        # The warnings to owners, in wording the admin may edit (notify.wording).
        sweeps.register_kinds()
