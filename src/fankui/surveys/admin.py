from django.contrib import admin

from .models import Appeal, FollowUp, Rating, Rectification


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "level", "excluded", "created_at"]
    list_filter = ["kind", "level", "excluded"]
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
