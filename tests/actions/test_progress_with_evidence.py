from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fankui.accounts.models import Department, Role, User
from fankui.actions.models import ProgressUpdate
from fankui.actions.services import moves
from fankui.actions.workflow import Step
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories

from .conftest import make_action


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def test_the_owner_posts_progress_with_a_photo_and_ticks_a_milestone(
    analyst: User, owner: User, dept: Department
) -> None:
    action = make_action(analyst, owner, dept, milestones=[("勘查", "2026-11-20")])
    moves.transition(action, analyst, Step.APPROVE)
    milestone = action.milestones.get()
    update = moves.post_progress(action, owner, "已完成现场勘查", [_png()], milestones_done=[milestone.pk])
    assert update.evidence.get().content_type == "image/png"
    milestone.refresh_from_db()
    assert milestone.done_at is not None


def test_a_file_that_is_not_a_picture_or_pdf_is_refused(analyst: User, owner: User, dept: Department) -> None:
    action = make_action(analyst, owner, dept)
    moves.transition(action, analyst, Step.APPROVE)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as error:
        moves.post_progress(action, owner, "text", [fake])
    assert "files" in error.value.errors
    assert not ProgressUpdate.objects.exists()


def test_progress_needs_text_and_an_approved_action(analyst: User, owner: User, dept: Department) -> None:
    action = make_action(analyst, owner, dept)
    with pytest.raises(Conflict):
        moves.post_progress(action, owner, "text")
    moves.transition(action, analyst, Step.APPROVE)
    with pytest.raises(ValidationFailed):
        moves.post_progress(action, owner, "   ")


def test_strangers_may_not_post_progress(analyst: User, owner: User, dept: Department) -> None:
    action = make_action(analyst, owner, dept)
    moves.transition(action, analyst, Step.APPROVE)
    with pytest.raises(PermissionDenied):
        moves.post_progress(action, factories.user(Role.HANDLER, dept), "text")
