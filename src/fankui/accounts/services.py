"""Writes for people, roles, departments and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fankui.core.errors import ValidationFailed

from .models import DEPARTMENT_ROLES, ApiToken, Department, Role, User

TOKEN_PREFIX = "fk_"


def create_department(
    name: str,
    code: str,
    parent: Department | None = None,
    *,
    is_dispatch_centre: bool = False,
    sort_order: int = 0,
) -> Department:
    return Department.objects.create(
        name=name, code=code, parent=parent, is_dispatch_centre=is_dispatch_centre, sort_order=sort_order
    )


def create_user(
    username: str,
    password: str,
    role: str,
    *,
    department: Department | None = None,
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
    language: str = "",
) -> User:
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("Unknown role “%(role)s”.") % {"role": role}]
    elif role in DEPARTMENT_ROLES and department is None:
        errors["department"] = [_("Handlers and department heads must belong to a department.")]
    if User.objects.filter(username=username).exists():
        errors["username"] = [_("This username is taken.")]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [
            _("Unknown language “%(code)s”; choose one of: %(codes)s.")
            % {"code": language, "codes": ", ".join(dict(settings.LANGUAGES))}
        ]
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        role=role,
        department=department,
        first_name=full_name,
        email=email,
        language=language,
        # The Django admin (/admin/) is for administrators only; everybody else works in the staff pages.
        is_staff=is_superuser or role == Role.ADMIN,
        is_superuser=is_superuser or role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    return user


def remember_language(user: User, code: str) -> None:
    """Keep the language ``user`` works in (one of settings.LANGUAGES), so that notices to them are written in it."""
    if not user.pk or code not in dict(settings.LANGUAGES) or user.language == code:
        return
    user.language = code
    User.objects.filter(pk=user.pk).update(language=code)


def issue_token(user: User, name: str, *, days: int | None = None) -> str:
    """Create a token for ``user`` that works for ``days`` (``FANKUI_API_TOKEN_DAYS``) and return it; it cannot be
    read back later."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = timedelta(days=days or settings.FANKUI_API_TOKEN_DAYS)
    ApiToken.objects.create(
        user=user, name=name, prefix=raw[:8], key_hash=ApiToken.hash(raw), expires_at=timezone.now() + lifetime
    )
    return raw


def revoke_tokens(tokens: QuerySet[ApiToken]) -> int:
    """Stop ``tokens`` working from now on; how many were still working. A revoked token stays listed."""
    return tokens.filter(revoked_at=None).update(revoked_at=timezone.now())


def user_for_token(raw: str) -> User | None:
    """The active user whose working token ``raw`` is; None for an unknown, expired or revoked one."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user__department")
        .filter(key_hash=ApiToken.hash(raw), revoked_at=None, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute so that a busy client does not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Two-factor sign-in (TOTP, django-otp) ---------------------------------------------------------------------------
def two_factor_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def start_two_factor(user: User) -> TOTPDevice:
    """The authenticator being enrolled: created on the first visit and kept until confirmed, so that reloading the
    enrolment page does not invalidate a QR code already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


def confirm_two_factor(user: User, code: str) -> TOTPDevice | None:
    """Confirm the enrolment with a code from the app; the device, or None when the code is wrong."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per person: an older one (from before a reset that was not finished) goes.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


def reset_two_factor(user: User) -> int:
    """Forget the user's authenticators (a lost phone): they enrol again at their next sign-in. How many there were."""
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    return deleted
