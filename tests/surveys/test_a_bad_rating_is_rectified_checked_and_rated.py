"""差评整改: a bad rating opens a rectification due 15 working days later on the working calendar; the department
says what it did, its head checks it, the citizen is told and rates it (a second rating)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from fankui.accounts.models import Role, User
from fankui.audit.models import Event
from fankui.cases.models import Case
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.notify.models import Message
from fankui.surveys.models import Rating, RatingKind, Rectification
from fankui.surveys.services import check_rectification, rate, rate_rectification, submit_rectification
from tests import factories

from .conftest import EMAIL

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_the_whole_rectification(
    replied: Callable[..., Case], handler: User, head: User, en: Client, client_for: Callable[[User], Client]
) -> None:
    case = replied()
    good = replied()
    rate(good, 5)
    assert not Rectification.objects.exists()  # only a bad rating is rectified

    bad = rate(case, 2, "修了又坏")
    rectification = Rectification.objects.get()
    assert rectification.rating == bad and rectification.department == handler.department
    # Monday 2026-11-16 + 15 working days: 2026-12-07 (a Monday), at the close of the working day.
    assert rectification.deadline == datetime(2026, 12, 7, 17, 30, tzinfo=SH)
    assert Message.objects.filter(user=handler, key__startswith="surveys:rectification").exists()

    with pytest.raises(Conflict):
        check_rectification(rectification, head, True)  # nothing to check yet: the department acts first
    with pytest.raises(ValidationFailed):
        submit_rectification(rectification, handler, "  ")
    submit_rectification(rectification, handler, "更换了整条线路的灯具，并回访确认。")

    with pytest.raises(PermissionDenied):
        check_rectification(rectification, handler, True)  # a handler does not check
    with pytest.raises(ValidationFailed):
        check_rectification(rectification, head, False, "")  # sending back needs a reason
    check_rectification(rectification, head, False, "请附上照片")
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.OPEN
    submit_rectification(rectification, handler, "更换了整条线路的灯具，附照片。")
    check_rectification(rectification, head, True)
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.DONE and rectification.reported

    [report] = Message.objects.to(EMAIL).filter(key__contains="rectification")
    assert "更换了整条线路的灯具" in report.body and f"/track/{case.tracking_code}/rectification/" in report.body
    actions = list(Event.objects.filter(case=case, action__startswith="rectification").values_list("action", flat=True))
    assert actions == [
        "rectification_open",
        "rectification_submit",
        "rectification_return",
        "rectification_submit",
        "rectification_done",
    ]

    # The citizen: opening the link records nothing; the form on the tracking page does.
    page = en.get(f"/track/{case.tracking_code}/").content.decode()
    assert "What was done about your rating" in page and "更换了整条线路的灯具" in page
    assert en.get(f"/track/{case.tracking_code}/rectification/").status_code == 302
    assert not Rating.objects.filter(kind=RatingKind.RECTIFICATION).exists()
    response = en.post(f"/track/{case.tracking_code}/rectification/", {"level": "4", "attitude": "5"})
    assert response.status_code == 302
    second = Rating.objects.get(kind=RatingKind.RECTIFICATION)
    assert (second.level, second.attitude, second.of_rectification) == (4, 5, rectification)
    case.refresh_from_db()
    assert case.state == "reopened"  # the rectification's rating does not move the case
    with pytest.raises(Conflict):
        rate_rectification(case, 5)

    # The staff page of the rectification shows it all.
    staff = client_for(head).get(f"/staff/surveys/rectifications/{rectification.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "更换了整条线路的灯具" in staff.content.decode()


def test_the_check_is_four_eyes_for_a_head_and_open_to_a_supervisor(
    replied: Callable[..., Case], head: User, supervisor: User
) -> None:
    rate(replied(), 1)
    rectification = Rectification.objects.get()
    submit_rectification(rectification, head, "已整改")
    with pytest.raises(PermissionDenied):
        check_rectification(rectification, head, True)
    check_rectification(rectification, supervisor, True)
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.DONE


def test_another_department_neither_sees_nor_rectifies(
    replied: Callable[..., Case], other_dept: object, client_for: Callable[[User], Client]
) -> None:
    rate(replied(), 1)
    rectification = Rectification.objects.get()
    stranger = factories.user(Role.HANDLER, other_dept)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        submit_rectification(rectification, stranger, "不是我们的")
    client = client_for(stranger)
    assert client.get(f"/staff/surveys/rectifications/{rectification.pk}/").status_code == 404
    assert rectification.case.number not in client.get("/staff/surveys/rectifications/").content.decode()
    response = client.post(f"/staff/surveys/rectifications/{rectification.pk}/", {"step": "submit", "measures": "x"})
    assert response.status_code == 404
