"""Changes of someone's rights, heard from the user model's signals wherever they come from (the admin, a service, a
command, the shell), so none escapes the audit trail: role, department, superuser, staff and active flags, groups and
permissions. Who made the change is the signed-in user of the request (``ActorMiddleware``), or nobody ("system")."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from . import services

# The fields of a user whose change is a change of rights.
WATCHED = ("role", "department_id", "is_superuser", "is_staff", "is_active")

_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)


class ActorMiddleware:
    """Remembers the signed-in user of the request, for the changes of rights recorded while it is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        token = _actor.set(user if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


def _before(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not {f.removesuffix("_id") for f in WATCHED} & {
        f.removesuffix("_id") for f in update_fields
    }:
        return  # a sign-in's last_login, a language: nothing about rights
    old = sender.objects.filter(pk=instance.pk).values(*WATCHED).first()
    instance._audit_rights_before = old


def _after(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if created:
        now = {field: getattr(instance, field) for field in WATCHED}
        changes = {field: [None, value] for field, value in now.items() if value not in (None, "", False)}
        services.record_rights_change(_actor.get(), instance, changes, kind="user_created")
        return
    old = instance.__dict__.pop("_audit_rights_before", None)
    if old is None:
        return
    changes = {f: [old[f], getattr(instance, f)] for f in WATCHED if old[f] != getattr(instance, f)}
    if changes:
        services.record_rights_change(_actor.get(), instance, changes)


def _memberships(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    field = "groups" if sender._meta.db_table.endswith("_groups") else "permissions"
    if reverse:  # changed from the group's or the permission's side: instance is the group or permission
        users = list(model.objects.filter(pk__in=pk_set or []))
        ids = [instance.pk]
    else:
        users = [instance]
        ids = sorted(pk_set or [])
    for user in users:
        services.record_rights_change(_actor.get(), user, {field: [action.removeprefix("post_"), ids]})


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import m2m_changed, post_save, pre_save

    user = get_user_model()
    pre_save.connect(_before, sender=user, dispatch_uid="audit.rights_before")
    post_save.connect(_after, sender=user, dispatch_uid="audit.rights_after")
    m2m_changed.connect(_memberships, sender=user.groups.through, dispatch_uid="audit.groups")
    m2m_changed.connect(_memberships, sender=user.user_permissions.through, dispatch_uid="audit.permissions")
