"""好差评 (国办发〔2019〕51号): the rating of a reply and what follows a bad one (docs/surveys.md).

- ``Rating``: the five-level rating of a reply (or of a rectification), optional sub-scores on the standard's
  dimensions, the comment; ``excluded`` once an appeal against it was upheld (shown, never hidden).
- ``Rectification`` (差评整改): opened by every bad rating, with its own deadline on the working calendar; the
  department handles it, its head or a supervisor checks it, the citizen is told and asked to rate it.
- ``FollowUp`` (回访): one call to the person behind a rating; a real-name bad rating counts as followed up once a
  call reached them (``Rating.followed_up_at``).
- ``Appeal`` (申诉): a department says a rating is mistaken or malicious; a supervisor decides.
- ``RatingReminder``: the one reminder to rate a reply, sent once.
- ``ServiceHall``, ``ServicePoint``, ``StaffBadge`` (一次一评): halls, their windows and the staff citizens meet there,
  each window and person with a QR link to a rating page; their ratings (kind "window") have no case.
- ``RatingDay``: the ratings of one local day counted per kind, department, category, window, person and level, kept
  by the services in the transaction that writes the rating (``services.tallies``); the rates read it for whole
  days (docs/decisions/0022-rates-read-daily-counts.md).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fankui.core.vocab import Channel, Level
from fankui.intake.models import stored_files


class RatingKind(models.TextChoices):
    REPLY = "reply", _("Reply")
    RECTIFICATION = "rectification", _("Rectification")
    # 一次一评: a visitor's rating of a service window or a member of staff, without a case (no case, no reply).
    WINDOW = "window", _("Service window")


# The standard's dimensions (国办发〔2019〕51号 and its evaluation index: 服务态度, 服务效率/办事效率, 服务水平,
# 办事便捷度), as optional sub-scores on the same five levels. The overall level stays the rating.
SUB_SCORES: tuple[tuple[str, object], ...] = (
    ("attitude", _("Service attitude")),
    ("efficiency", _("Efficiency")),
    ("outcome", _("Result and explanation")),
    ("convenience", _("Ease of the channel")),
)


def _sub_score(label: object) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, choices=Level.choices, null=True, blank=True)  # type: ignore[arg-type]


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
    """The submitter's rating of one reply, or of the rectification of a bad rating, or a visitor's rating of a
    service window or a member of staff (一次一评: service point and/or staff, no case; ``kind`` says which). A rating
    of a person at their usual window names both."""

    # Empty only for a rating of a window or a person (kind "window"; the check constraint below).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings", null=True, blank=True)
    reply = models.ForeignKey("cases.Reply", on_delete=models.PROTECT, related_name="ratings", null=True, blank=True)
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="ratings", null=True, blank=True
    )
    staff = models.ForeignKey(StaffBadge, on_delete=models.PROTECT, related_name="ratings", null=True, blank=True)
    # Who answered for what was rated and what it was about, as they stood when it was rated: the case's lead
    # department and first-level category, or the window's department (else the person's). The rates group by them;
    # a case sent to another department afterwards keeps its rating where it was given (the daily counts are exact).
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    # How the rating reached us: the web (the tracking page, a window's QR code), the API, or a phone follow-up (回访).
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    kind = models.CharField(_("rated"), max_length=16, choices=RatingKind.choices, default=RatingKind.REPLY)
    # Set on a rating of a rectification (kind "rectification"): which one was rated.
    of_rectification = models.ForeignKey(
        "surveys.Rectification", null=True, blank=True, on_delete=models.PROTECT, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    attitude = _sub_score(_("Service attitude"))
    efficiency = _sub_score(_("Efficiency"))
    outcome = _sub_score(_("Result and explanation"))
    convenience = _sub_score(_("Ease of the channel"))
    comment = models.TextField(_("comment"), blank=True)
    # The rater left a way to reach them (not anonymous): a bad rating is then followed up (回访).
    real_name = models.BooleanField(_("real name"), default=False)
    # When a 回访 call reached the person, who talked or declined to (the first such call); the 回访率's numerator.
    followed_up_at = models.DateTimeField(null=True, blank=True)
    # When the rectification of this bad rating was checked and reported (the 整改率's numerator). Kept on the rating,
    # like ``followed_up_at``, so that the rates read one table (docs/surveys.md, bench/README.md).
    rectified_at = models.DateTimeField(null=True, blank=True)
    # Taken out of the rates by an upheld appeal (申诉): visibly, with the reason.
    excluded = models.BooleanField(_("excluded from the rates"), default=False)
    excluded_reason = models.TextField(_("why it was excluded"), blank=True)
    excluded_at = models.DateTimeField(null=True, blank=True)
    # The one-time key of the window rating form it came from (一次一评): written in the rating's own transaction, so a
    # failed save leaves the key usable and the same form sent twice stores one rating. Empty for other ratings.
    form_key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form_key"], condition=~Q(form_key=""), name="one_rating_per_form"),
            models.UniqueConstraint(fields=["reply"], condition=Q(kind="reply"), name="one_rating_per_reply"),
            models.UniqueConstraint(
                fields=["of_rectification"],
                condition=Q(of_rectification__isnull=False),
                name="one_rating_per_rectification",
            ),
            # A rating of a reply or of a rectification has its case and reply and no window; a rating of a window
            # or a person (一次一评) has neither case nor reply, and a window or a person.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind__in=[RatingKind.REPLY, RatingKind.RECTIFICATION],
                        case__isnull=False,
                        reply__isnull=False,
                        service_point__isnull=True,
                        staff__isnull=True,
                    )
                    | (
                        Q(kind=RatingKind.WINDOW, case__isnull=True, reply__isnull=True)
                        & (Q(service_point__isnull=False) | Q(staff__isnull=False))
                    )
                ),
                name="rating_of_a_reply_or_a_window",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="rating_created"),
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

    @property
    def rated(self) -> str:
        """What was rated, as staff pages and the API name it: the case's number, else the person (with their
        window) or the window (一次一评)."""
        case = self.case
        if case is not None:
            return str(case.number)
        parts = [str(p) for p in (self.staff, self.service_point) if p is not None]
        return " · ".join(parts)

    @property
    def sub_scores(self) -> list[tuple[str, int]]:
        """(dimension label, level) of the sub-scores given."""
        return [(str(label), getattr(self, name)) for name, label in SUB_SCORES if getattr(self, name)]


class RatingDay(models.Model):
    """How many ratings of one local day there are per kind, department, category, window, person and level, and
    how many of them are excluded, real-name (valid ones), rectified and followed up: what the rates add up for
    whole days instead of reading every rating (``rates.rollup``). Kept by ``services.tallies`` in the transaction
    of each change to a rating; the key never changes after the rating is written, only the counts. Two rows may
    hold the same key (two first ratings of a key written at once); every reader sums them."""

    day = models.DateField()
    kind = models.CharField(max_length=16, choices=RatingKind.choices)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    category = models.ForeignKey("cases.Category", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    service_point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    staff = models.ForeignKey(StaffBadge, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    # The counts: all ratings; excluded by an upheld appeal; and among the valid (not excluded) ones, real-name,
    # rectified, and real-name followed up. Signed: a row may be corrected by another row of the same key.
    ratings = models.IntegerField(default=0)
    excluded = models.IntegerField(default=0)
    real_name = models.IntegerField(default=0)
    rectified = models.IntegerField(default=0)
    followed_up = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["kind", "day", "department", "level"], name="rating_day_key")]
        verbose_name = _("daily rating count")
        verbose_name_plural = _("daily rating counts")

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.level}: {self.ratings}"


class Rectification(models.Model):
    """差评整改: the department's answer to one bad rating, checked before the citizen hears of it. A bad rating of
    a service window or a member of staff (一次一评) is rectified too, by the window's (else the person's) department:
    it has no case, and nobody to report back to (a window's rating keeps no contact)."""

    class State(models.TextChoices):
        OPEN = "open", _("To rectify")
        SUBMITTED = "submitted", _("Awaiting check")
        DONE = "done", _("Rectified")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    # The rated case; empty for a window's or a person's rating (一次一评).
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="rectifications"
    )
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="rectifications"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    deadline = models.DateTimeField(_("deadline"))
    measures = models.TextField(_("what was done"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    check_note = models.TextField(_("check note"), blank=True)
    # Whether the report to the citizen was queued (False: anonymous or no contact; the tracking page shows it).
    reported = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["state", "deadline"], name="rectification_state_due")]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return f"{self.case_id or f'rating {self.rating_id}'}: {self.state}"


class FollowUp(models.Model):
    """One 回访 call: who called, whether it reached the person, and what they said."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the person")
        UNREACHABLE = "unreachable", _("Could not reach them")
        DECLINED = "declined", _("They declined to talk")

    rating = models.ForeignKey(Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # What the person said of the service, on the five levels, if they said it.
    level = models.PositiveSmallIntegerField(_("rating given"), choices=Level.choices, null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.outcome}"


class Appeal(models.Model):
    """申诉: a department asks for a rating to be taken out of the rates; a supervisor decides."""

    class Grounds(models.TextChoices):
        MISTAKEN = "mistaken", _("Mistaken (误评)")
        MALICIOUS = "malicious", _("Malicious (恶意差评)")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grounds = models.CharField(_("grounds"), max_length=16, choices=Grounds.choices)
    evidence = models.TextField(_("evidence"))
    # Optional files, checked and stored by intake like attachments (``intake.services.check_uploads``).
    evidence_files = stored_files()
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rating"], condition=Q(state="pending"), name="one_pending_appeal"),
        ]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.rating_id}: {self.state}"


class RatingReminder(models.Model):
    """The one reminder to rate a reply (the unique reply makes a second impossible)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reply = models.OneToOneField("cases.Reply", on_delete=models.CASCADE, related_name="+")
    # Whether a message was queued (False: anonymous or no contact; nothing to send, but not asked again).
    queued = models.BooleanField(default=False)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rating reminder")
        verbose_name_plural = _("rating reminders")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.reply_id}"
