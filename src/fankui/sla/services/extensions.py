"""Extensions (延期): the lead department asks for more working days, a supervisor decides."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import Role, User
from fankui.audit.services import record_event
from fankui.cases.models import Case
from fankui.cases.services import locked
from fankui.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .. import signals
from ..models import Clock, Extension, Stage
from . import MAX_EXTENSION_DAYS, MAX_TEXT, may_extend, may_supervise
from .clocks import policy_numbers, schedule
from .lookups import work_calendar


def reply_clock(case: Case) -> Clock | None:
    """The clock a citizen cares about: rectification when reopened, else the reply, else the close."""
    running = {c.stage: c for c in Clock.objects.filter(case=case, stopped_at__isnull=True)}
    for stage in (Stage.RECTIFY, Stage.REPLY, Stage.CLOSE):
        if stage in running:
            return running[stage]
    return None


@transaction.atomic
def request_extension(case: Case, user: User, days: int | None, reason: str) -> Extension:
    case = locked(case)
    if not may_extend(user, case):
        raise PermissionDenied(_("Only the lead department may ask for more time."))
    errors: dict[str, list[str]] = {}
    if days is None or days < 1 or days > MAX_EXTENSION_DAYS:
        errors["days"] = [_("Give between 1 and %(n)d working days.") % {"n": MAX_EXTENSION_DAYS}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Please give a reason.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": MAX_TEXT}]
    if errors:
        raise ValidationFailed(errors)
    clock = reply_clock(case)
    if clock is None:
        raise Conflict(_("This case has no running deadline to extend."))
    now = timezone.now()
    if clock.deadline is not None and clock.deadline <= now:
        raise Conflict(_("The deadline has passed; an extension must be asked for before it."))
    if Extension.objects.filter(case=case, status=Extension.Status.PENDING).exists():
        raise Conflict(_("An extension request is already waiting for a decision."))
    assert days is not None
    extension = Extension.objects.create(case=case, days=days, reason=reason, requested_by=user, requested_at=now)
    record_event(case, "sla_extension_requested", actor=user, message=reason, data={"days": days})
    _tell_supervisors_of(extension, case, user)
    return extension


def _tell_supervisors_of(extension: Extension, case: Case, user: User) -> None:
    """The supervisors decide on extensions: each is told, in the application and by e-mail."""
    from django.utils.translation import ngettext

    from fankui.cases import notices

    department = case.lead_department.name if case.lead_department else "—"

    facts = {"number": case.number, "days": extension.days, "department": department, "reason": extension.reason}

    def compose() -> tuple[str, str]:
        subject = (
            ngettext(
                "Case %(number)s: %(department)s asks for %(days)d more working day",
                "Case %(number)s: %(department)s asks for %(days)d more working days",
                extension.days,
            )
            % facts
        )
        body = (
            _("Reason: %(reason)s") % {"reason": extension.reason}
            + "\n"
            + _("Please approve or refuse the extension on the case page.")
        )
        return subject, body

    supervisors = User.objects.filter(is_active=True, role=Role.SUPERVISOR).order_by("pk")
    key = f"sla:extension:{extension.pk}:requested"
    notices.tell(supervisors, "staff:sla:extension", facts, compose, case=case, key=key, actor=user)


@transaction.atomic
def decide_extension(extension_id: int, user: User, approve: bool, note: str = "") -> Extension:
    extension = Extension.objects.select_for_update().filter(pk=extension_id).first()
    if extension is None:
        raise NotFound(_("No such extension request."))
    if not may_supervise(user):
        raise PermissionDenied(_("Only supervisors decide on extensions."))
    if extension.status != Extension.Status.PENDING:
        raise Conflict(_("This request was already decided."))
    case = locked(extension.case)
    now = timezone.now()
    note = (note or "").strip()[:MAX_TEXT]
    extension.decided_by, extension.decided_at, extension.note = user, now, note
    if not approve:
        extension.status = Extension.Status.REFUSED
        extension.save()
        record_event(case, "sla_extension_refused", actor=user, message=note, data={"days": extension.days})
        return extension
    extension.status = Extension.Status.APPROVED
    clocks = list(
        Clock.objects.filter(
            case=case, stopped_at__isnull=True, stage__in=(Stage.REPLY, Stage.RECTIFY, Stage.CLOSE)
        ).select_related("policy")
    )
    cal = work_calendar(clocks[0].policy.calendar if clocks and clocks[0].policy else None)
    for clock in clocks:
        clock.extended_days += extension.days
        if clock.paused_at is None:
            schedule(clock, cal, now, *policy_numbers(clock.policy))
    Clock.objects.bulk_update(clocks, ["extended_days", "deadline", "yellow_at", "warn_at", "due_at", "escalate_at"])
    main = reply_clock(case)
    extension.new_deadline = main.deadline if main else None
    extension.save()
    new_date = timezone.localtime(extension.new_deadline).strftime("%Y-%m-%d %H:%M") if extension.new_deadline else ""
    record_event(
        case,
        "sla_extension_approved",
        actor=user,
        public=True,
        # The citizen reads the new date; the supervisor's note is for staff only.
        message=new_date,
        data={"days": extension.days, "new_deadline": new_date, "note": note},
    )
    signals.extension_approved.send(sender=Extension, case=case, extension=extension)
    return extension


def mask_extensions(case: Case, mask: Callable[[str], str]) -> None:
    """Pass the reasons and decision notes of ``case``'s extensions through ``mask``: the submitter's personal data
    was erased (privacy.services); staff may have quoted it."""
    for extension in Extension.objects.filter(case=case):
        extension.reason, extension.note = mask(extension.reason), mask(extension.note)
        extension.save(update_fields=["reason", "note"])
