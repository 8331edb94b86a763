"""Questionnaires in the admin: read-only. They are built on the staff pages (/staff/questionnaires/), whose services
keep versions, audit every change and check who may change what; the admin only looks."""

from __future__ import annotations

from django.contrib import admin

from fankui.audit.admin import ReadOnlyAdmin

from .models import Questionnaire, Response


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["title_zh", "state", "department", "anonymous", "opens_at", "closes_at", "quota", "created_at"]
    list_filter = ["state", "anonymous"]
    search_fields = ["title_zh", "title_en"]
    list_select_related = ["department"]
    exclude = ["public_key"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["id", "questionnaire", "version", "via", "language", "submitted_at"]
    list_filter = ["via"]
    list_select_related = ["questionnaire", "version"]
    exclude = ["invitation"]
