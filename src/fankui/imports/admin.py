"""Imports in the admin, read-only: they are started and watched on /staff/imports/ (and `fankui import`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "status", "dry_run", "total_rows", "created_by", "created_at"]
    list_filter = ["status", "dry_run"]
    readonly_fields = [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
