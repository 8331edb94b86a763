"""The outbox and its contacts in the Django admin. A citizen's phone number or e-mail address is shown masked
(``models.masked_address``) and never offered for editing: the admin is for delivery problems, and finding a person's
messages by their full address still works through the search box (by the address's keyed hash: the column is
encrypted), whose answers stay masked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fankui.core.forms import ModelForm

from .models import Channel, Contact, Message, address_hash, masked_address, normalised


class ByAddress:
    """The search box finds rows by a full address (its keyed hash), besides the admin's own ``search_fields``."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        term = search_term.strip()
        if term:
            hashes = {address_hash(normalised(channel, term)) for channel in (Channel.EMAIL, Channel.SMS)}
            found |= queryset.filter(address_hash__in=hashes)
        return found, may_have_duplicates


class MaskedAddress:
    @admin.display(description=_("address"))
    def shown_address(self, obj: Message | Contact) -> str:
        return masked_address(obj.address)


@admin.register(Message)
class MessageAdmin(ByAddress, MaskedAddress, admin.ModelAdmin):
    list_display = ["created_at", "channel", "status", "user", "shown_address", "subject", "attempts", "last_error"]
    list_filter = ["channel", "status"]
    search_fields = ["key", "subject"]
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


class ContactForm(ModelForm):
    class Meta:
        model = Contact
        fields = ["channel", "address", "opted_out_at", "bounced_at", "bounce_reason"]
        widgets = {"address": forms.TextInput}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, address = data.get("channel"), data.get("address")
        known = channel and address and Contact.objects.to(normalised(channel, address)).filter(channel=channel)
        if self.instance.pk is None and known and known.exists():
            raise forms.ValidationError(_("This address is already on file."))
        return data


@admin.register(Contact)
class ContactAdmin(ByAddress, MaskedAddress, admin.ModelAdmin):
    form = ContactForm
    list_display = ["channel", "shown_address", "opted_out_at", "bounced_at", "bounce_reason"]
    list_filter = ["channel"]
    # A full address is found by its hash (ByAddress); the address column itself cannot be searched as text.
    search_fields = ["bounce_reason"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A new contact (an opt-out taken on the phone) is typed in; a stored one shows its address masked.
        rest = [f.name for f in Contact._meta.fields if f.name not in ("id", "channel", "address", "address_hash")]
        return ["channel", "address" if obj is None else "shown_address", *rest]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["channel", "shown_address"]
