"""Message templates in the admin, to submitters and to staff (``notify.MessageTemplate``; registered here, above both
the outbox and the audit trail, because each change is recorded there): each change is checked
(``MessageTemplate.clean``: only the message's placeholders), previewed with sample values (escaped: messages are plain
text) and recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from fankui.audit.services import record_entry
from fankui.core.forms import ModelForm as TextRulesModelForm
from fankui.notify import wording
from fankui.notify.models import MessageTemplate

AUDITED = ("key", "language", "subject", "body", "active")


def _placeholders_help(obj: MessageTemplate | None) -> SafeString:
    """The placeholders of the template's message, each with what it stands for; of every message on a new one."""
    kinds = [wording.KINDS[obj.key]] if obj is not None and obj.key in wording.KINDS else list(wording.KINDS.values())
    rows = (
        format_html(
            "<li><b>{}</b> <i>{}</i><ul>{}</ul></li>",
            dict(wording.choices()).get(kind.key, kind.label),
            kind.key,
            format_html_join("", "<li><code>{{{}}}</code>: {}</li>", kind.placeholders.items()),
        )
        for kind in kinds
    )
    return format_html("<ul>{}</ul>", format_html_join("", "{}", ((row,) for row in rows)))


class MessageTemplateForm(TextRulesModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["key", "language", "active", "subject", "body"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ["key", "language", "subject", "active", "updated_at"]
    list_filter = ["key", "language", "active"]
    search_fields = ["subject", "body"]
    fields = ["key", "language", "active", "subject", "body", "placeholders", "preview", "updated_at"]
    readonly_fields = ["placeholders", "preview", "updated_at"]

    @admin.display(description=_("placeholders"))
    def placeholders(self, obj: MessageTemplate | None) -> SafeString:
        return _placeholders_help(obj)

    @admin.display(description=_("preview"))
    def preview(self, obj: MessageTemplate | None) -> str:
        if obj is None or obj.pk is None:
            return str(_("Save the template to see it filled with sample values."))
        kind = wording.KINDS.get(obj.key)
        if kind is None or wording.problems(obj.subject, kind.names) or wording.problems(obj.body, kind.names):
            return "—"
        subject, body = wording.fill(obj.subject, wording.SAMPLE), wording.fill(obj.body, wording.SAMPLE)
        # Escaped line by line (messages are plain text); no inline style: the CSP allows none.
        return format_html("<p><strong>{}</strong></p>{}", subject, linebreaks_filter(body, autoescape=True))

    def save_model(self, request: HttpRequest, obj: MessageTemplate, form: ModelForm[Any], change: bool) -> None:
        before = (
            MessageTemplate.objects.filter(pk=obj.pk).values(*AUDITED).first()
            if change and obj.pk is not None
            else None
        )
        super().save_model(request, obj, form, change)
        after = {field: getattr(obj, field) for field in AUDITED}
        changes = {f: [before.get(f) if before else None, v] for f, v in after.items() if not before or before[f] != v}
        record_entry(
            "message_template",
            actor=request.user,
            target=f"message_template:{obj.pk} {obj.key} {obj.language}",
            data={"template": obj.pk, "created": not change, "changes": changes},
        )

    def delete_model(self, request: HttpRequest, obj: MessageTemplate) -> None:
        record_entry(
            "message_template",
            actor=request.user,
            target=f"message_template:{obj.pk} {obj.key} {obj.language}",
            data={"template": obj.pk, "deleted": True},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
