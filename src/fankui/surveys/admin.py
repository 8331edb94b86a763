"""The administration of 一次一评: halls, their windows and the staff members whose QR codes are printed. A poster
that was misused (copied elsewhere, rated by a bot) gets a new QR code: the old link stops working."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ServiceHall, ServicePoint, StaffBadge
from .windows import renew_token


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
