from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fankui.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_logged_in, dispatch_uid="accounts.remember_language")


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The language of the sign-in page is the one the person reads: notices to them are written in it."""
    from .services import remember_language

    code = getattr(request, "LANGUAGE_CODE", "")
    if code:
        remember_language(user, code)
