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
        user_logged_in.connect(_session_fresh, dispatch_uid="accounts.session_fresh")


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """The language of the sign-in page is the one the person reads: notices to them are written in it."""
    from .services import remember_language

    code = getattr(request, "LANGUAGE_CODE", "")
    if code:
        remember_language(user, code)


def _session_fresh(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A new session is saved at sign-in: its idle clock starts there, not with a second write on the first page."""
    from .middleware import mark_fresh

    if request is not None and hasattr(request, "session"):
        mark_fresh(request)
