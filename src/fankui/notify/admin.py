"""The outbox and its contacts in the Django admin. A citizen's phone number or e-mail address is shown masked
(``models.masked_address``) and never offered for editing: the admin is for delivery problems, and finding a person's
messages by their full address still works through the search box, whose answers stay masked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Contact, Message, masked_address


class MaskedAddress:
    @admin.display(description=_("address"))
    def shown_address(self, obj: Message | Contact) -> str:
        return masked_address(obj.address)


@admin.register(Message)
class MessageAdmin(MaskedAddress, admin.ModelAdmin):
    list_display = ["created_at", "channel", "status", "user", "shown_address", "subject", "attempts", "last_error"]
    list_filter = ["channel", "status"]
    search_fields = ["=address", "key", "subject"]
    list_select_related = ["user"]
    # The text of a message to a citizen may quote their request: it is not shown here (the case page shows it to
    # those who may read it). Nothing is editable: messages are written by the outbox only.
    fields = (
        "channel",
        "status",
        "user",
        "shown_address",
        "case_id",
        "key",
        "subject",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
        "read_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(MaskedAddress, admin.ModelAdmin):
    list_display = ["channel", "shown_address", "opted_out_at", "bounced_at", "bounce_reason"]
    list_filter = ["channel"]
    search_fields = ["=address"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new contact (an opt-out taken on the phone) is typed in; a stored one shows its address masked.
        rest = [f.name for f in Contact._meta.fields if f.name not in ("id", "channel", "address")]
        return ["channel", "address" if obj is None else "shown_address", *rest]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["channel", "shown_address"]
