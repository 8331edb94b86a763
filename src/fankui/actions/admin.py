from django.contrib import admin

from fankui.audit.admin import ReadOnlyAdmin

from .models import Action, ActionCase, ActionEvent, Broadcast, Milestone, ProgressUpdate


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "owner", "department", "deadline", "public", "linked_count", "people_count"]
    list_filter = ["state", "public", "indicator", "source"]
    search_fields = ["title", "goal", "measures"]
    list_select_related = ["owner", "department"]
    raw_id_fields = ["owner", "created_by", "topic"]
    # The state moves only through the workflow (services.moves.transition), never by editing the row.
    readonly_fields = [
        "state",
        "linked_count",
        "people_count",
        "indicator_result",
        "created_at",
        "approved_at",
        "started_at",
        "done_at",
        "verified_at",
        "abandoned_at",
    ]
    inlines = [MilestoneInline]


@admin.register(ActionCase)
class ActionCaseAdmin(admin.ModelAdmin):
    list_display = ["action", "case", "via", "linked_at"]
    list_filter = ["via"]
    raw_id_fields = ["action", "case"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "author", "created_at", "public"]
    raw_id_fields = ["action", "author"]


@admin.register(ActionEvent)
class ActionEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "kind", "from_state", "to_state", "actor"]
    list_filter = ["kind"]


@admin.register(Broadcast)
class BroadcastAdmin(admin.ModelAdmin):
    list_display = ["action", "stage", "queued", "skipped", "cursor", "created_at", "finished_at"]
    readonly_fields = ["cursor", "queued", "skipped", "created_at", "finished_at"]
