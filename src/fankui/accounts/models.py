from __future__ import annotations

import hashlib
from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from fankui.core.fields import tree_parent


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Department handler")
    DEPT_HEAD = "dept_head", _("Department head")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")
    # Reads the audit trail; sees no contact data and takes no step on a case.
    AUDITOR = "auditor", _("Auditor")


# Roles whose work is bound to one department (and, for heads, its subtree).
DEPARTMENT_ROLES = frozenset({Role.HANDLER, Role.DEPT_HEAD})


class Department(models.Model):
    """A node of the organisation tree. ``path`` ("/1/4/9/") makes "this department and everything below it"
    one indexed prefix match."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = tree_parent()
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    is_dispatch_centre = models.BooleanField(
        _("dispatch centre"),
        default=False,
        help_text=_("Triage (受理/派单) is done here, e.g. the 12345 centre."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["path", "sort_order"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            Department.objects.filter(pk=self.pk).update(path=path)
            self.path = path
            if old:
                # The department moved: rewrite the paths of its subtree in one pass.
                for child in Department.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Department.objects.filter(pk=child.pk).update(path=path + child.path[len(old) :])


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # The language the person last chose on the site (a code of settings.LANGUAGES): notices to them are written
    # in it. Blank until they sign in or switch; the site's default is used then.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class ApiToken(models.Model):
    """A staff API token. Only its SHA-256 is stored; the token itself is shown once when issued. It works until
    ``expires_at`` (``FANKUI_API_TOKEN_DAYS`` after it was issued) unless revoked before."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def works(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
