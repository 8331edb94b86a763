"""Partner systems in the Django admin (administrators only): made, changed, their secret rotated, revoked, each
through ``services`` and recorded in the audit trail. A secret is shown once, when it is made; never afterwards.
Callbacks are read-only, with "send again" for failed ones. Their bodies (which may hold a reply) are not shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fankui.core.errors import DomainError, ValidationFailed
from fankui.core.forms import ModelForm, show_errors

from . import delivery, services
from .models import Partner, PartnerCase, PartnerDelivery


class PartnerForm(ModelForm):
    callback_url = forms.URLField(
        label=_("callback URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=Partner._meta.get_field("callback_url").help_text,
    )

    class Meta:
        model = Partner
        fields = ["name", "slug", "callback_url", "rate"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new = self.instance.pk is None
        errors = services.check_fields(
            name=str(data.get("name") or ""),
            slug=str(data.get("slug") or "") if new else None,
            callback_url=str(data.get("callback_url") or ""),
            rate=str(data.get("rate") or ""),
        )
        for field in list(errors):
            if field in self.errors:
                del errors[field]  # Django said it already
        if errors:
            show_errors(self, ValidationFailed(errors))
        return data


def _show_secret(request: HttpRequest, partner: Partner, secret: str) -> None:
    messages.warning(
        request,
        _("The secret of %(slug)s, shown this once (give it to the partner over a safe way): %(secret)s")
        % {"slug": partner.slug, "secret": secret},
    )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ["name", "slug", "active", "callback_url", "rate", "created_at", "secret_rotated_at", "revoked_at"]
    list_filter = ["active"]
    search_fields = ["name", "slug"]
    actions = ["ping_partners", "rotate_secrets", "revoke_partners"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "slug", "callback_url", "rate"]
        return ["name", "slug", "callback_url", "rate", "active", "created_at", "secret_rotated_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else ["slug", "active", "created_at", "secret_rotated_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked, never deleted: its cases and the audit trail name it

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.change_partner(
                obj, name=data["name"], callback_url=data["callback_url"], rate=data["rate"], actor=request.user
            )
            return
        partner, secret = services.create_partner(
            data["name"], data["slug"], callback_url=data["callback_url"], rate=data["rate"], actor=request.user
        )
        obj.pk = partner.pk  # the admin's "added" message and its redirect name this row
        _show_secret(request, partner, secret)

    @admin.action(description=_("Send a signed test callback (ping) now"))
    def ping_partners(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            messages.info(request, f"{partner.slug}: {delivery.ping(partner)}")

    @admin.action(description=_("Rotate the secret (the old one works 24 more hours)"))
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            try:
                _show_secret(request, partner, services.rotate_secret(partner, actor=request.user))
            except DomainError as error:
                messages.error(request, str(error.message))

    @admin.action(description=_("Revoke: refuse its requests, send no more callbacks"))
    def revoke_partners(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        revoked = sum(services.revoke(partner, actor=request.user) for partner in queryset)
        messages.success(request, _("Revoked: %(n)d.") % {"n": revoked})


@admin.register(PartnerCase)
class PartnerCaseAdmin(admin.ModelAdmin):
    """Which case a partner's reference opened ("our WX-0001?"): read-only, found by the reference or the number."""

    list_display = ["created_at", "partner", "reference", "case"]
    list_filter = ["partner"]
    list_select_related = ["partner", "case"]
    search_fields = ["=reference", "=case__number"]
    fields = ("partner", "reference", "case", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PartnerDelivery)
class PartnerDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "partner", "case", "event", "status", "attempts", "response_status", "last_error"]
    list_filter = ["status", "partner", "event"]
    list_select_related = ["partner", "case"]
    search_fields = ["=delivery_id", "=case__number"]
    fields = (
        "partner",
        "case",
        "event",
        "delivery_id",
        "status",
        "attempts",
        "next_attempt_at",
        "response_status",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send again now"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[PartnerDelivery]) -> None:
        messages.success(request, _("Queued again: %(n)d.") % {"n": services.retry_now(queryset)})
