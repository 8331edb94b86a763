from django.contrib import admin

from .models import Access, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "case", "action", "from_state", "to_state", "actor", "actor_kind", "public"]
    list_filter = ["action", "public"]
    list_select_related = ["case", "actor"]


@admin.register(Access)
class AccessAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "case", "what"]
    list_select_related = ["case", "user"]
