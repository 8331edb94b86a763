from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fankui.accounts.models import User

from . import services
from .models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Hot topics: the label may be rewritten (as on the staff page, through ``services``); untick "label
    edited by staff" to hand it back to the analysis. Everything else is counted from the cases."""

    list_display = ("label", "place", "size", "heat", "active", "label_edited", "last_seen_at")
    list_filter = ("active", "label_edited")
    search_fields = ("label", "place")
    fields = (
        "label",
        "label_edited",
        "label_edited_by",
        "label_edited_at",
        "public_label",
        "public_approved_by",
        "public_approved_at",
        "place",
        "keywords",
        "size",
        "heat",
    )
    # Approval for public pages is given on the staff topic page (``services.approve_for_public``, recorded).
    readonly_fields = tuple(name for name in fields if name not in ("label", "label_edited"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # topics are found in the cases, not made by hand

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        if "label_edited" in form.changed_data and not obj.label_edited:
            services.use_automatic_label(obj, user)
        elif "label" in form.changed_data:
            services.rename(obj, user, obj.label)
