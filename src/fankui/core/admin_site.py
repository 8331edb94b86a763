"""The admin site: Django's, with ``core.text``'s rule on every text field of every admin form.

The admin builds its forms from the models (and some apps bring forms of their own: the user's add form, django-otp's
device forms), so ``core.forms.ModelForm`` alone never reaches them. Every ``ModelAdmin`` registered here, the
product's and the libraries' alike (auth, axes, django-otp), is registered as a subclass with ``TextRulesAdmin`` in
front, which puts ``TextRules`` on the form of the change and add pages, of their inlines and of a list's editable
columns. ``settings.INSTALLED_APPS`` names ``fankui.core.admin_site.AdminConfig`` in place of ``django.contrib.admin``
so that ``admin.site`` is this one (``default_site``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.forms import BaseForm

from .forms import TextRules


def with_text_rules(form: type[BaseForm]) -> type[BaseForm]:
    """``form`` with the text rule on each of its text fields (itself when it has it already)."""
    if issubclass(form, TextRules):
        return form
    return type(form.__name__, (TextRules, form), {"__module__": form.__module__})


class TextRulesAdmin(admin.ModelAdmin):
    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return with_text_rules(super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request: Any, **kwargs: Any) -> Any:
        return with_text_rules(super().get_changelist_form(request, **kwargs))

    def get_inline_instances(self, request: Any, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.form = with_text_rules(inline.form)  # type: ignore[assignment]
        return inlines


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TextRulesAdmin):
            admin_class = type(
                admin_class.__name__, (TextRulesAdmin, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "fankui.core.admin_site.AdminSite"
