"""Sign-ins and refused ones reach the audit trail: Django's ``user_logged_in`` and ``user_login_failed`` (sent by
the staff login, /admin/, django-axes' refusals and a wrong second-factor code alike) call ``services.record_login``,
the audit's one door, with the client's address."""

from __future__ import annotations

from typing import Any

from fankui.core.throttle import client_address

from . import services


def _signed_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    services.record_login(user, True, client_address(request))


def _refused(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any) -> None:
    # Django has already replaced the password with asterisks; only the name typed is kept.
    services.record_login(str((credentials or {}).get("username", "")), False, client_address(request))


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    user_logged_in.connect(_signed_in, dispatch_uid="audit.login")
    user_login_failed.connect(_refused, dispatch_uid="audit.login_failed")
