"""An action's moves through ``workflow.TRANSITIONS`` and its progress updates with their evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fankui.accounts.models import User
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.intake.files import Look
from fankui.intake.services import check_uploads, store_file

from .. import workflow
from ..models import Action, Broadcast, Milestone, ProgressUpdate, State
from ..workflow import Step
from . import actors_of, can_post_progress, plain_text, record, visible_actions


# --- The workflow -----------------------------------------------------------------------------------------------
@transaction.atomic
def transition(action: Action, user: User | None, step: str, reason: str = "") -> Action:
    """Take ``step`` (approve, start, complete, verify, abandon). ``user`` None is the system (verification)."""
    action = Action.objects.select_for_update().select_related("department").get(pk=action.pk)
    move = workflow.find(action.state, step)
    actors = {workflow.SYSTEM} if user is None else actors_of(user, action)
    if move is None:
        raise Conflict(
            _("This action is “%(state)s”; “%(step)s” is not possible now.")
            % {"state": State(action.state).label, "step": Step(step).label if step in Step.values else step}
        )
    if not move.actors & actors:
        raise PermissionDenied(_("You may not take this step on this action."))
    reason = plain_text(reason)
    if move.needs_reason and not reason:
        raise ValidationFailed({"reason": [_("Please give the reason.")]})
    now = timezone.now()
    data: dict[str, Any] = {}
    if step == Step.VERIFY:
        from ..indicators import evaluate, result_due

        due = result_due(action) or now
        if now < due:
            days = (due - action.done_at).days if action.done_at else 0
            raise Conflict(
                _("The effect can be verified from %(date)s, %(days)d days after the action was done.")
                % {"date": timezone.localtime(due).strftime("%Y-%m-%d"), "days": days}
            )
        action.indicator_result = evaluate(action, now)
        data = action.indicator_result
    source = action.state
    action.state = move.target
    stamp = {
        State.APPROVED: "approved_at",
        State.IN_PROGRESS: "started_at",
        State.DONE: "done_at",
        State.VERIFIED: "verified_at",
        State.ABANDONED: "abandoned_at",
    }[State(move.target)]
    setattr(action, stamp, now)
    if move.target == State.ABANDONED:
        action.abandon_reason = reason
    action.save()
    record(action, step, actor=user, from_state=source, to_state=action.state, message=reason, data=data)
    if move.target in (State.APPROVED, State.DONE):
        # The people who raised it hear about the decision and the result: queued by the worker in batches.
        Broadcast.objects.get_or_create(action=action, stage=move.target, defaults={"created_at": now})
    return action


# --- Progress ---------------------------------------------------------------------------------------------------
def _validate_files(files: Sequence[UploadedFile]) -> list[tuple[File, str]]:
    """Evidence follows intake's attachment rules."""
    good, problems = check_uploads(files)
    if problems:
        raise ValidationFailed({"files": problems})
    return good


@transaction.atomic
def post_progress(
    action: Action,
    user: User,
    text: str,
    files: Sequence[UploadedFile] = (),
    *,
    public: bool = True,
    milestones_done: Sequence[int] = (),
) -> ProgressUpdate:
    """The owner (or a manager) reports progress, with photos or documents as evidence, and may tick milestones."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not can_post_progress(user, action):
        if not actors_of(user, action):
            raise PermissionDenied(_("Only the owner and those who manage this action post progress."))
        raise Conflict(_("Progress is posted once the action is approved and until it is verified."))
    body = plain_text(text)
    errors: dict[str, list[str]] = {}
    if not body:
        errors["text"] = [_("Describe what was done.")]
    try:
        good = _validate_files(files)
    except ValidationFailed as error:
        errors.update(error.errors)
        good = []
    ticked = list(Milestone.objects.filter(action=action, pk__in=[i for i in milestones_done if 0 < i < 2**63]))
    if len(ticked) != len(set(milestones_done)):
        errors["milestones"] = [_("Unknown milestone.")]
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    update = ProgressUpdate.objects.create(action=action, author=user, text=body, public=public, created_at=now)
    for upload, content_type in good:
        store_file(upload, content_type, update, f"actions/{action.pk}")
    for milestone in ticked:
        if milestone.done_at is None:
            milestone.done_at = now
            milestone.save(update_fields=["done_at"])
    record(
        action,
        "progress",
        actor=user,
        message=body[:500],
        data={"update": update.pk, "files": len(good), "milestones": [m.pk for m in ticked]},
    )
    return update


def evidence_look(user: User, update_id: int) -> Look | None:
    """A progress update's evidence is seen by those who see its action (``intake.files``)."""
    seen = ProgressUpdate.objects.filter(pk=update_id, action__in=visible_actions(user)).exists()
    return Look("evidence") if seen else None
