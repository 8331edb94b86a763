from django.contrib import admin

from fankui.audit.admin import ReadOnlyAdmin

from .models import Case, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "level", "department", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through the workflow, so the admin is for looking, not editing."""

    list_display = ["number", "state", "kind", "category", "lead_department", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["number", "tracking_code"]
    list_select_related = ["category", "lead_department"]
