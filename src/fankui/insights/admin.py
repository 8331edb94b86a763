from django.contrib import admin

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """The e-mail ledger, read-only: deleting a row lets the sweep send that period again."""

    list_display = ("period", "kind", "claimed_at", "sent_at", "recipients", "error")
    readonly_fields = ("period", "kind", "claimed_at", "sent_at", "recipients", "error")

    def has_add_permission(self, request: object) -> bool:
        return False
