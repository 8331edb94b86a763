"""The portal's own table: the wording of messages to submitters as the organisation edits it (``wording``)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import wording


class MessageTemplate(models.Model):
    """The wording of one message to submitters in one language, replacing the built-in one while active."""

    key = models.CharField(_("message"), max_length=50, choices=[(k.key, k.label) for k in wording.KINDS.values()])
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=2000)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "language"],
                condition=models.Q(active=True),
                name="portal_one_active_template",
                violation_error_message=_("Another active template of this message and language exists."),
            )
        ]
        ordering = ["key", "language", "-active", "-updated_at"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"

    def clean(self) -> None:
        kind = wording.KINDS.get(self.key)
        if kind is None:
            return  # the field's choices say so
        errors: dict[str, list[str]] = {}
        for field in ("subject", "body"):
            found = wording.problems(getattr(self, field) or "", kind.placeholders)
            if found:
                errors[field] = found
        if "\n" in (self.subject or "") or "\r" in (self.subject or ""):
            errors.setdefault("subject", []).append(str(_("The subject is one line.")))
        if errors:
            raise ValidationError(errors)
