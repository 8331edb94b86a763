from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fankui.core.vocab import Channel, Level


def new_token() -> str:
    """The key in a window's or a staff member's QR link: random (96 bits), so no one finds another window's page by
    counting, and replaceable (admin action "new QR code") when a poster was misused."""
    return secrets.token_urlsafe(12)


class ServiceHall(models.Model):
    """A service hall (政务服务大厅, a hospital's outpatient hall, a school's office): where service windows are."""

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")

    def __str__(self) -> str:
        return self.name


class ServicePoint(models.Model):
    """A service window (服务窗口) of a hall, staffed by a department; its QR code opens the rating page 一次一评."""

    hall = models.ForeignKey(ServiceHall, verbose_name=_("hall"), on_delete=models.PROTECT, related_name="points")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="service_points"
    )
    number = models.CharField(_("window number"), max_length=20, blank=True, help_text=_("As shown above the window."))
    name = models.CharField(_("name"), max_length=100, help_text=_("What is done at this window."))
    active = models.BooleanField(_("active"), default=True)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["hall", "number", "name", "id"]
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class StaffBadge(models.Model):
    """A member of front-desk staff as citizens meet them: the name and number on their badge (工号). Not an account:
    many who serve at a window never sign in to Fankui (they work in the hall's own systems), and a rating page must
    not need one; a badge holds nothing but what the person wears anyway."""

    name = models.CharField(_("name"), max_length=50)
    number = models.CharField(_("staff number"), max_length=20, blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="staff_badges"
    )
    service_point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("usual window"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        help_text=_("A rating of this person counts for this window too."),
    )
    active = models.BooleanField(_("active"), default=True)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["department", "number", "name", "id"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name


class Rating(models.Model):
    """A rating: the submitter's of one reply (case and reply), or a visitor's of a service window or a member of
    staff (一次一评: service point and/or staff, no case). A rating of a person at their usual window names both."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings", null=True, blank=True)
    reply = models.ForeignKey("cases.Reply", on_delete=models.PROTECT, related_name="ratings", null=True, blank=True)
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="ratings", null=True, blank=True
    )
    staff = models.ForeignKey(StaffBadge, on_delete=models.PROTECT, related_name="ratings", null=True, blank=True)
    # How the rating reached us: the web (the tracking page, a window's QR code), the API, or a phone follow-up (回访).
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reply"], name="one_rating_per_reply"),
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, reply__isnull=False, service_point__isnull=True, staff__isnull=True)
                    | (
                        Q(case__isnull=True, reply__isnull=True)
                        & (Q(service_point__isnull=False) | Q(staff__isnull=False))
                    )
                ),
                name="rating_of_a_reply_or_a_window",
            ),
        ]
        indexes = [
            models.Index(fields=["service_point", "created_at"], name="rating_point_time"),
            models.Index(fields=["staff", "created_at"], name="rating_staff_time"),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.case_id or self.service_point_id or self.staff_id}: {self.level}"

    @property
    def satisfied(self) -> bool:
        return Level.is_satisfied(self.level)


class FollowUp(models.Model):
    """One phone call of 回访: who called whom about which case, what came of it, and the rating it is about (the
    bad rating followed up, or the rating the person gave on the phone)."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")
        REFUSED = "refused", _("Refused to talk")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="follow_ups")
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="follow_ups", null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    notes = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="follow_up_case_time")]
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome}"
