from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "fankui.desk"
    label = "desk"
    verbose_name = _("Operator's desk")
