"""Evidence is served like every stored file: to those who see its action, and every look is recorded."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, Role, User
from fankui.actions.services import moves
from fankui.actions.workflow import Step
from fankui.audit.models import Access
from tests import factories

from .conftest import make_action

pytestmark = pytest.mark.django_db


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")


def test_a_manager_opening_a_progress_photo_is_recorded(
    analyst: User, owner: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    action = make_action(analyst, owner, dept)
    moves.transition(action, analyst, Step.APPROVE)
    update = moves.post_progress(action, owner, "已更换灯具", [_photo()])
    photo = update.evidence.get()

    response = client_for(analyst).get(f"/staff/attachments/{photo.token}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    access = Access.objects.get()
    assert (access.user, access.case, access.what, access.stored_file) == (analyst, None, "evidence", photo.pk)


def test_the_older_evidence_address_records_the_look_too(
    analyst: User, owner: User, dept: Department, client_for: Callable[[User], Client]
) -> None:
    action = make_action(analyst, owner, dept)
    moves.transition(action, analyst, Step.APPROVE)
    photo = moves.post_progress(action, owner, "已更换灯具", [_photo()]).evidence.get()

    assert client_for(owner).get(f"/staff/actions/evidence/{photo.token}/").status_code == 200

    assert list(Access.objects.values_list("user", "what")) == [(owner.pk, "evidence")]


def test_someone_who_cannot_see_the_action_gets_a_404_and_no_record(
    analyst: User, owner: User, dept: Department, other_dept: Department, client_for: Callable[[User], Client]
) -> None:
    action = make_action(analyst, owner, dept)
    moves.transition(action, analyst, Step.APPROVE)
    photo = moves.post_progress(action, owner, "已更换灯具", [_photo()]).evidence.get()
    outsider = factories.user(Role.HANDLER, other_dept)

    assert client_for(outsider).get(f"/staff/attachments/{photo.token}/").status_code == 404

    assert not Access.objects.exists()
