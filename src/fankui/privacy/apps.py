from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "fankui.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from fankui.audit import labels

        labels.register(
            "privacy_erased",
            _("Personal data erased"),
            public=_("Your personal data was erased"),
            detail=lambda event: str(
                _("at the citizen's request") if event.data.get("by") == "citizen" else _("after the retention period")
            ),
        )
