"""The administration of 好差评 (read-only: ratings, rectifications, appeals, follow-ups change only through the
services) and of 一次一评: halls, their windows and the staff members whose QR codes are printed. A poster
that was misused (copied elsewhere, rated by a bot) gets a new QR code: the old link stops working."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Appeal, FollowUp, Rating, Rectification, ServiceHall, ServicePoint, StaffBadge
from .windows import renew_token


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "service_point", "staff", "level", "excluded", "created_at"]
    list_filter = ["kind", "level", "excluded", "channel"]
    # Ratings change only through the services (an appeal, a follow-up): read-only here.
    readonly_fields = [f.name for f in Rating._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ["case", "department", "state", "deadline"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in Rectification._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["rating", "grounds", "state", "filed_at"]
    list_filter = ["state", "grounds"]
    readonly_fields = [f.name for f in Appeal._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["case", "outcome", "user", "created_at"]
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in FollowUp._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.action(description=_("Give a new QR code (old posters stop working)"))
def new_qr_code(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    for target in queryset:
        renew_token(target)
    modeladmin.message_user(request, _("New QR codes given: print the posters again."), messages.SUCCESS)


@admin.register(ServiceHall)
class ServiceHallAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "active"]
    list_filter = ["active"]
    search_fields = ["name", "address"]


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["__str__", "hall", "department", "active"]
    list_filter = ["active", "hall", "department"]
    search_fields = ["name", "number"]
    actions = [new_qr_code]


@admin.register(StaffBadge)
class StaffBadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "department", "service_point", "active"]
    list_filter = ["active", "department"]
    search_fields = ["name", "number"]
    autocomplete_fields = ["service_point"]
    actions = [new_qr_code]
