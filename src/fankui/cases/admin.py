from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fankui.audit.admin import ReadOnlyAdmin

from .models import Case, Category, Supplement
from .queries import masked_text


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "level", "department", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only: cases change only through the workflow, so the admin is for looking, not editing. The submission
    (the citizen's words and contact details) is not shown, only the title with personal data masked: the case page
    shows the rest to those who need it, each look recorded."""

    list_display = ["number", "state", "kind", "category", "lead_department", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["number", "tracking_code"]
    list_select_related = ["category", "lead_department"]
    exclude = ["submission"]
    readonly_fields = ["masked_title"]

    @admin.display(description=_("title"))
    def masked_title(self, case: Case) -> str:
        title, body = masked_text(case)
        return title or body[:40]


@admin.register(Supplement)
class SupplementAdmin(ReadOnlyAdmin):
    """Read-only, and without the words: they are the citizen's, read on the case page by those who may see the
    case (masked by need, each look recorded)."""

    list_display = ["created_at", "case", "channel", "from_contact", "answers_request"]
    list_filter = ["channel", "from_contact"]
    list_select_related = ["case"]
    fields = ["case", "channel", "from_contact", "answers_request", "created_at"]
