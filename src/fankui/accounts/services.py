"""Writes for people, roles, departments and API tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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


def issue_token(user: User, name: str) -> str:
    """Create a token for ``user`` and return it; it cannot be read back later."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=raw[:8], key_hash=ApiToken.hash(raw))
    return raw


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user__department")
        .filter(key_hash=ApiToken.hash(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute so that a busy client does not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
