"""一次一评 at a service window: the rating a visitor gives a window or a member of staff by scanning its QR code,
without a case; and who may see which windows and their rates (``rates.rollup`` counts them).

A window's (``ServicePoint``) and a person's (``StaffBadge``) QR link carries their random ``token``, never an id:
nobody reaches another window's page by counting. The public page records only on POST (mail and QR scanners
follow links), one rating per form shown (a second send of the same form is recognised and not counted again; the
form's key is stored with the rating it produced, so a save that failed leaves it usable).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from fankui.accounts import permissions
from fankui.accounts.models import Department, User
from fankui.core.site import public_url
from fankui.core.vocab import Channel

from .models import Rating, RatingKind, ServiceHall, ServicePoint, StaffBadge, new_token
from .services import clean_rating, counted, open_rectification

# What a QR link names: a window or a person.
WINDOW, PERSON = "w", "p"
Target = ServicePoint | StaffBadge


def kind_of(target: Target) -> str:
    return WINDOW if isinstance(target, ServicePoint) else PERSON


def find(kind: str, token: str) -> Target | None:
    """The active window or person whose QR link carries ``token``; None for anything else (unknown, replaced,
    inactive, malformed: the page cannot tell them apart)."""
    if len(token) > 32:
        return None
    if kind == WINDOW:
        return ServicePoint.objects.select_related("hall", "department").filter(token=token, active=True).first()
    if kind == PERSON:
        return (
            StaffBadge.objects.select_related("department", "service_point__hall")
            .filter(token=token, active=True)
            .first()
        )
    return None


def rating_path(target: Target) -> str:
    return reverse("surveys:window_rate", kwargs={"kind": kind_of(target), "token": target.token})


def rating_url(target: Target) -> str:
    """The address a poster's QR code holds: the site as citizens reach it (``FANKUI_PUBLIC_URL``)."""
    return public_url() + rating_path(target)


def department_of(target: Target) -> Department:
    return target.department


def hall_of(target: Target) -> ServiceHall | None:
    if isinstance(target, ServicePoint):
        return target.hall
    return target.service_point.hall if target.service_point else None


def new_form_key() -> str:
    return new_token()


def rate_window(target: Target, level: int | str | None, comment: str = "", *, form_key: str = "") -> Rating | None:
    """Record a visitor's rating of a window or a person (a person's counts for their usual window too); a bad one
    opens a rectification (差评整改) of the window's department, in the same transaction. ``form_key`` is the key of
    the form shown: the same form sent again returns None and records nothing. The key is used up by the rating
    that stores it (``Rating.form_key``, unique), in the same transaction: a save that fails leaves it usable for
    the visitor's retry."""
    level, comment = clean_rating(level, comment)
    form_key = form_key[:64]
    if form_key and Rating.objects.filter(form_key=form_key).exists():
        return None
    point = target if isinstance(target, ServicePoint) else target.service_point
    staff = target if isinstance(target, StaffBadge) else None
    try:
        with transaction.atomic():
            rating = _record(target, point, staff, level, comment, form_key)
            if not rating.satisfied:
                open_rectification(rating)
    except IntegrityError:
        # The same form sent twice at once: the other send stored it (only the key is unique among what is written).
        if form_key and Rating.objects.filter(form_key=form_key).exists():
            return None
        raise
    return rating


def _record(
    target: Target, point: ServicePoint | None, staff: StaffBadge | None, level: int, comment: str, form_key: str
) -> Rating:
    rating = Rating.objects.create(
        kind=RatingKind.WINDOW,
        service_point=point,
        staff=staff,
        # The window's department answers for it; a person's own when they have no usual window.
        department_id=point.department_id if point is not None else target.department_id,
        level=level,
        comment=comment,
        form_key=form_key,
        channel=Channel.WEB,
        created_at=timezone.now(),
    )
    counted(rating)
    return rating


def renew_token(target: Target) -> Target:
    """A new QR link for the window or person; the old posters stop working (their link answers "not found")."""
    target.token = new_token()
    target.save(update_fields=["token"])
    return target


# --- Who sees which windows -------------------------------------------------------------------------------------
def visible_points(user: User) -> QuerySet[ServicePoint]:
    """The windows whose posters and figures ``user`` may see: the whole organisation's for organisation-wide roles,
    else their department's (a head's: their subtree's)."""
    points = ServicePoint.objects.select_related("hall", "department")
    if permissions.is_organisation_wide(user):
        return points
    return points.filter(permissions.department_filter(user, "department"))


def visible_staff(user: User) -> QuerySet[StaffBadge]:
    badges = StaffBadge.objects.select_related("department", "service_point__hall")
    if permissions.is_organisation_wide(user):
        return badges
    return badges.filter(permissions.department_filter(user, "department"))


def may_print(user: User, target: Target) -> bool:
    """May download the window's or person's poster: staff of its department (``accounts.permissions``)."""
    return permissions.may_print_window_posters(user, target.department)


def visible_ratings(user: User) -> Q:
    """The window ratings ``user`` may count: of the windows and staff of their departments (all for
    organisation-wide roles). A filter on the fields ``Rating`` and ``RatingDay`` share, for ``rates.rollup``."""
    if permissions.is_organisation_wide(user):
        return Q()
    return Q(service_point__in=visible_points(user).values("pk")) | Q(staff__in=visible_staff(user).values("pk"))
