from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import ApiToken, Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "is_dispatch_centre", "active"]
    list_filter = ["active", "is_dispatch_centre"]
    search_fields = ["name", "code"]
    ordering = ["path"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Fankui"), {"fields": ("role", "department", "language")}))  # type: ignore[misc]
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset two-factor sign-in (a lost phone: they enrol again)"))
    def reset_two_factor(self, request: HttpRequest, users: QuerySet[User]) -> None:
        for user in users:
            services.reset_two_factor(user)
        count = len(users)
        self.message_user(
            request,
            ngettext(
                "Two-factor sign-in was reset for %(count)d user.",
                "Two-factor sign-in was reset for %(count)d users.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, tokens: QuerySet[ApiToken]) -> None:
        count = services.revoke_tokens(tokens)
        self.message_user(
            request,
            ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are issued by `fankui createuser --token`, which shows the token once
