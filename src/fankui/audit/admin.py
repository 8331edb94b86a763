from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Access, Event


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


# What a look at personal data was (Access.what), in words.
ACCESS_WORDS = {
    "contact": _("contact details on the case page"),
    "reporter": _("a report's reporter: contact details"),
    "text": _("the case's text with personal data unmasked"),
    "attachment": _("an attachment"),
    "evidence": _("a photo or document of an improvement action"),
    "phone_search": _("found by the caller's phone number"),
}


def _titled(base: type[admin.FieldListFilter], title: object) -> type[admin.FieldListFilter]:
    """A list filter headed ``title`` (by default the field's name, which these fields have only in English)."""

    class Titled(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


# The columns are named here: the fields themselves have no verbose names, so the admin showed their English code
# names ("From state") in every language.
@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["when", "of_case", "what", "from_", "to", "who", "acting_as", "is_public"]
    list_filter = [
        ("action", _titled(admin.AllValuesFieldListFilter, _("action"))),
        ("public", _titled(admin.BooleanFieldListFilter, _("public"))),
    ]
    list_select_related = ["case", "actor"]
    ordering = ["-created_at", "-id"]  # an audit log is read from the latest entry

    @admin.display(description=_("time"), ordering="created_at")
    def when(self, event: Event) -> object:
        return event.created_at

    @admin.display(description=_("case"), ordering="case")
    def of_case(self, event: Event) -> object:
        return event.case

    @admin.display(description=_("action"), ordering="action")
    def what(self, event: Event) -> str:
        return event.action

    @admin.display(description=_("from state"))
    def from_(self, event: Event) -> str:
        return event.from_state

    @admin.display(description=_("to state"))
    def to(self, event: Event) -> str:
        return event.to_state

    @admin.display(description=_("by"))
    def who(self, event: Event) -> object:
        return event.actor

    @admin.display(description=_("acting as"))
    def acting_as(self, event: Event) -> str:
        return event.actor_kind

    @admin.display(description=_("public"), boolean=True)
    def is_public(self, event: Event) -> bool:
        return event.public


@admin.register(Access)
class AccessAdmin(ReadOnlyAdmin):
    list_display = ["when", "who", "of_case", "seen"]
    list_select_related = ["case", "user"]

    @admin.display(description=_("time"), ordering="created_at")
    def when(self, access: Access) -> object:
        return access.created_at

    @admin.display(description=_("by"))
    def who(self, access: Access) -> object:
        return access.user

    @admin.display(description=_("case"))
    def of_case(self, access: Access) -> object:
        return access.case

    @admin.display(description=_("personal data seen"))
    def seen(self, access: Access) -> str:
        return str(ACCESS_WORDS.get(access.what, access.what))
