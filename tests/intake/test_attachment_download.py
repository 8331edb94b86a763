"""Attachments are personal data: only staff who can see the case get them, and every look is recorded."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.test import Client
from PIL import Image

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.intake.models import StoredFile
from tests import factories


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def uploaded(en: Client) -> tuple[Case, StoredFile, bytes]:
    """A case submitted through the public form with one real PNG."""
    page = en.get("/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page)
    assert token
    content = tiny_png()
    upload = io.BytesIO(content)
    upload.name = "路灯 照片.png"
    response = en.post("/", {"token": token.group(1), "body": "路灯坏了，见照片。", "attachments": [upload]})
    assert response.status_code == 302
    attachment = StoredFile.objects.get()
    return Case.objects.get(submission_id=attachment.owner_id), attachment, content


@pytest.mark.django_db
def test_staff_who_see_the_case_can_open_the_picture(
    uploaded: tuple[Case, StoredFile, bytes], dispatcher: User, client_for: Callable[[User], Client]
) -> None:
    case, attachment, content = uploaded
    response = client_for(dispatcher).get(f"/staff/attachments/{attachment.token}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")  # never shown inline (issue 14)
    assert "filename*=utf-8''%E8%B7%AF%E7%81%AF%20%E7%85%A7%E7%89%87.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    access = Access.objects.get()
    assert (access.user, access.case, access.what, access.stored_file) == (
        dispatcher,
        case,
        "attachment",
        attachment.pk,
    )


@pytest.mark.django_db
def test_a_handler_of_the_department_sees_it_and_one_of_another_does_not(
    uploaded: tuple[Case, StoredFile, bytes],
    dispatcher: User,
    handler: User,
    dept: Department,
    other_dept: Department,
    client_for: Callable[[User], Client],
) -> None:
    case, attachment, _ = uploaded
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    outsider = factories.user(Role.HANDLER, other_dept)
    url = f"/staff/attachments/{attachment.token}/"

    assert client_for(outsider).get(url).status_code == 404
    assert not Access.objects.exists()  # a refused look is not a look
    assert client_for(handler).get(url).status_code == 200
    assert list(Access.objects.values_list("user", flat=True)) == [handler.pk]


@pytest.mark.django_db
def test_an_unknown_token_is_a_404(dispatcher: User, client_for: Callable[[User], Client]) -> None:
    assert client_for(dispatcher).get("/staff/attachments/no-such-token/").status_code == 404


@pytest.mark.django_db
def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(uploaded: tuple[Case, StoredFile, bytes]) -> None:
    _, attachment, _ = uploaded
    response = Client().get(f"/staff/attachments/{attachment.token}/")
    assert response.status_code == 302
    assert "/staff/attachments/" in response["Location"]  # the login page sends them back here
    assert not Access.objects.exists()
