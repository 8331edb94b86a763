from __future__ import annotations

from django.contrib import admin

from .models import CaseAnalysis, DomainWord, KeywordRule


@admin.register(KeywordRule)
class KeywordRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "department", "priority", "active")
    list_filter = ("active",)
    search_fields = ("name", "keywords")
    autocomplete_fields = ()


@admin.register(DomainWord)
class DomainWordAdmin(admin.ModelAdmin):
    list_display = ("word", "note")
    search_fields = ("word",)


@admin.register(CaseAnalysis)
class CaseAnalysisAdmin(admin.ModelAdmin):
    list_display = ("case", "status", "kind", "category", "sentiment", "urgency", "department", "analysed_at")
    list_filter = ("status", "urgency", "kind", "sentiment")
    raw_id_fields = ("case", "duplicate_of", "topic", "category", "department", "rule")
    readonly_fields = ("model_versions", "personal_data", "urgency_reasons", "attempts", "error", "followup")
