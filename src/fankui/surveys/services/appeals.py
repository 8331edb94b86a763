"""申诉: a department appeals a bad rating as mistaken (误评) or malicious (恶意差评), with evidence; a supervisor
decides. An upheld appeal takes the rating out of the rates visibly: ``Rating.excluded`` with the reason, shown on
the case page (a window's rating: its rectification's and appeal's pages) and counted in the rates' footnote.

The rating of a reply is appealed by the department leading the case; the rating of a service window or a member
of staff (一次一评, no case) by the department it was given to (``Rating.department``: the window's, else the
person's), the same department that rectifies it."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts import permissions
from fankui.accounts.models import Department, Role, User
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.intake.services import check_uploads, store_file

from .. import notices
from ..models import Appeal, Rating
from . import clean_text, record_step
from .tallies import counted

MAX_EVIDENCE_FILES = 3


def answering_department(rating: Rating) -> Department | None:
    """The department that answers for ``rating``: the rated case's lead department, else (a window's or a person's
    rating) the department it was given to."""
    if rating.case is not None:
        return rating.case.lead_department
    return rating.department


def may_appeal(user: User, rating: Rating) -> bool:
    """The department that answers for the rating (``answering_department``; a head's subtree too)."""
    return permissions.in_department(user, answering_department(rating))


def may_be_appealed(rating: Rating) -> bool:
    """A bad rating still in the rates, without an appeal waiting for a decision (what ``file_appeal`` checks)."""
    return (
        not rating.satisfied and not rating.excluded and not rating.appeals.filter(state=Appeal.State.PENDING).exists()
    )


def _link(appeal: Appeal) -> str:
    return reverse("surveys:appeal_detail", kwargs={"pk": appeal.pk})


def may_decide(user: User, appeal: Appeal | None = None) -> bool:
    """A supervisor; of ``appeal``, never the person who filed it (four eyes: one filed as a department head and was
    made a supervisor since)."""
    if appeal is not None and appeal.filed_by_id == user.pk:
        return False
    return permissions.is_supervisor(user)


@transaction.atomic
def file_appeal(rating: Rating, user: User, grounds: str, evidence: str, files: Sequence[UploadedFile] = ()) -> Appeal:
    """Ask for a bad rating to be taken out of the rates; ``files`` go through intake's upload checks."""
    rating = (
        Rating.objects.select_for_update(of=("self",))
        .select_related("case__lead_department", "department", "service_point", "staff")
        .get(pk=rating.pk)
    )
    if not may_appeal(user, rating):
        raise PermissionDenied(_("Only the department responsible may appeal this rating."))
    case = rating.case
    department = answering_department(rating)
    errors: dict[str, list[str]] = {}
    if grounds not in Appeal.Grounds.values:
        errors["grounds"] = [_("Say whether the rating is mistaken or malicious.")]
    try:
        evidence = clean_text(evidence, "evidence", required=True)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    files = list(files)
    if len(files) > MAX_EVIDENCE_FILES:
        errors["files"] = [_("At most %(n)d files can be attached.") % {"n": MAX_EVIDENCE_FILES}]
    good, problems = check_uploads(files[:MAX_EVIDENCE_FILES])
    if problems:
        errors.setdefault("files", []).extend(problems)
    if errors:
        raise ValidationFailed(errors)
    if rating.satisfied:
        raise Conflict(_("Only a bad rating can be appealed."))
    if rating.excluded:
        raise Conflict(_("This rating is already out of the rates."))
    if rating.appeals.filter(state=Appeal.State.PENDING).exists():
        raise Conflict(_("An appeal against this rating is already waiting for a decision."))
    appeal = Appeal.objects.create(
        rating=rating,
        department=department,
        grounds=grounds,
        evidence=evidence,
        filed_by=user,
        filed_at=timezone.now(),
    )
    for upload, content_type in good:
        store_file(upload, content_type, appeal, "appeals")
    record_step(
        case,
        "appeal_file",
        actor=user,
        target=f"appeal:{appeal.pk}",
        data={"appeal_id": appeal.pk, "rating_id": rating.pk, "grounds": grounds, "files": len(good)},
    )
    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR).order_by("pk")
    name = department.name if department else ""
    if case is not None:
        facts = {"number": case.number, "department": name}
        kind = "staff:surveys:appeal"

        def compose() -> tuple[str, str]:
            return (
                _("Appeal against a rating of %(number)s") % facts,
                _("%(department)s appeals a bad rating of %(number)s. Please decide.") % facts,
            )
    else:
        facts = {"rated": rating.rated, "department": name}
        kind = "staff:surveys:window_appeal"

        def compose() -> tuple[str, str]:
            return (
                _("Appeal against a rating of %(rated)s") % facts,
                _("%(department)s appeals a visitor's bad rating of %(rated)s. Please decide.") % facts,
            )

    notices.tell_staff_about(
        supervisors, kind, facts, compose, case=case, link=_link(appeal), key=f"surveys:appeal:{appeal.pk}", actor=user
    )
    return appeal


@transaction.atomic
def decide_appeal(appeal: Appeal, user: User, uphold: bool, note: str) -> Appeal:
    """Uphold (the rating leaves the rates, the reason shown wherever the rating is) or reject, with a note."""
    if not may_decide(user):
        raise PermissionDenied(_("Only a supervisor may decide an appeal."))
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("rating__case").get(pk=appeal.pk)
    if not may_decide(user, appeal):
        raise PermissionDenied(_("You filed this appeal: another supervisor must decide it."))
    if appeal.state != Appeal.State.PENDING:
        raise Conflict(_("This appeal has already been decided."))
    note = clean_text(note, "note", required=True)
    now = timezone.now()
    appeal.state = Appeal.State.UPHELD if uphold else Appeal.State.REJECTED
    appeal.decided_by = user
    appeal.decided_at = now
    appeal.decision_note = note
    appeal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    # Locked: a 回访 call or a rectification may change the same rating's counts at the same moment.
    rating = appeal.rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
    if uphold:
        before = copy(rating)
        rating.excluded = True
        rating.excluded_reason = note
        rating.excluded_at = now
        rating.save(update_fields=["excluded", "excluded_reason", "excluded_at"])
        counted(rating, before)
    record_step(
        rating.case,
        "appeal_uphold" if uphold else "appeal_reject",
        actor=user,
        message=note,
        target=f"appeal:{appeal.pk}",
        data={"appeal_id": appeal.pk, "rating_id": rating.pk},
    )
    return appeal
