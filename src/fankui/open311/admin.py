"""Open311 clients in the admin: issue a key (shown once), change a client's limit, revoke keys. Every issue,
change and revocation is an audit entry (``services``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fankui.core.forms import ModelForm

from . import services
from .models import Open311Client, Open311Request


class ClientForm(ModelForm):
    class Meta:
        model = Open311Client
        fields = ["name", "rate", "active"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ["name", "prefix", "active", "rate", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["active", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new client is named (and limited); its key is made by the service and shown once.
        return ["name", "rate"] if obj is None else ["name", "rate", "active", *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: Open311Client, form: Any, change: bool) -> None:
        if not change:
            client, raw = services.issue_client(obj.name, rate=obj.rate, actor=request.user)
            obj.pk = client.pk
            obj.prefix, obj.key_hash, obj.created_at = client.prefix, client.key_hash, client.created_at
            self.message_user(
                request,
                _("The api_key of “%(name)s” is %(key)s. Copy it now: it is not shown again.")
                % {"name": client.name, "key": raw},
                messages.WARNING,
            )
            return
        before = Open311Client.objects.get(pk=obj.pk)
        changes = {
            name: [getattr(before, name), getattr(obj, name)]
            for name in ("name", "rate", "active")
            if getattr(before, name) != getattr(obj, name)
        }
        super().save_model(request, obj, form, change)
        services.record_change(obj, changes, actor=request.user)

    @admin.action(description=_("Revoke the keys of the selected clients"))
    def revoke(self, request: HttpRequest, clients: QuerySet[Open311Client]) -> None:
        count = services.revoke_clients(clients, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d key was revoked.", "%(count)d keys were revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its requests keep naming it: revoke instead


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["case", "client", "created_at"]
    list_filter = ["client"]
    readonly_fields = ["case", "client", "token", "media_url", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
