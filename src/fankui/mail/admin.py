"""The incoming e-mails in the Django admin: what became a case or a follow-up, what was ignored and why, and
above all what was set aside (filter "Set aside") with its reason. Read-only: rows are written by the intake."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import InboundMail


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "status", "source", "mailbox", "uid", "size", "how", "case", "reason"]
    list_filter = ["status", "source"]
    search_fields = ["=key", "reason", "=case__number"]
    list_select_related = ["case"]
    date_hierarchy = "received_at"
    # The Message-ID may name the sender's host: not shown; the key finds a message by its Message-ID's hash.
    fields = ("key", "source", "mailbox", "uid", "size", "status", "how", "reason", "case", "received_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
