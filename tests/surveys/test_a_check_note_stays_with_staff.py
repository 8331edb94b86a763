"""The note a department head writes when approving a rectification (差评整改) is the staff's: the citizen reads
what was done (the measures) and that it was reported, never the note, neither on the tracking page nor through
``GET /api/v1/track/{code}``. Before, the approval's public step carried the note as its message, and every public
step that is not a workflow step shows its message to the citizen."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.surveys.models import Rectification
from fankui.surveys.services import check_rectification, rate, submit_rectification

pytestmark = pytest.mark.django_db

MEASURES = "更换了整条线路的灯具，并回访确认。"
NOTE = "内部意见：整改敷衍，经办人王某某需书面检讨"


def test_the_approval_note_is_on_the_staff_pages_only(
    replied: Callable[..., Case], handler: User, head: User, en: Client, client_for: Callable[[User], Client]
) -> None:
    case = replied()
    rate(case, 1, "修了又坏")
    rectification = Rectification.objects.get()
    submit_rectification(rectification, handler, MEASURES)
    check_rectification(rectification, head, True, NOTE)

    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    api = en.get(f"/api/v1/track/{case.tracking_code}").content.decode("unicode_escape")
    assert MEASURES in page and "What was done about your rating" in page
    assert NOTE not in page and NOTE not in api

    staff = client_for(head).get(f"/staff/surveys/rectifications/{rectification.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert NOTE in staff.content.decode()
