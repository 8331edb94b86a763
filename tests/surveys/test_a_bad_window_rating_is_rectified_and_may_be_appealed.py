"""一次一评 and 差评整改: a bad rating of a service window or a member of staff (no case) opens a rectification owned by
the window's (else the person's) department, with the same deadline, handling and four-eyes check as a reply's; it
may be appealed through the same appeals service, and an upheld appeal takes it out of the rates. The rates (整改率
too, now that window ratings are rectified) are checked after each step, from the daily counts and from the ratings.
Nothing is reported to anyone: a window's rating keeps no contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.audit.models import Entry, Event
from fankui.core.errors import Conflict, PermissionDenied, ValidationFailed
from fankui.notify.models import Message
from fankui.surveys import rates, windows
from fankui.surveys.models import Appeal, RatingKind, Rectification, ServicePoint, StaffBadge
from fankui.surveys.services import check_rectification, decide_appeal, file_appeal, submit_rectification
from tests import factories

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
WINDOW = RatingKind.WINDOW


def window_rates() -> rates.Tally:
    """The window ratings' total, checked the two ways the rates can be read (daily counts, the ratings)."""
    counted = rates.total(kind=WINDOW)
    assert counted == rates.total(kind=WINDOW, only=Q())
    week = timezone.now() - timedelta(days=7, hours=5)  # not a midnight: part of a day is read from the ratings
    assert rates.total(week, None, kind=WINDOW) == rates.total(week, None, kind=WINDOW, only=Q())
    return counted


def test_a_bad_window_rating_is_rectified_by_the_window_s_department(
    point: ServicePoint,
    dept: Department,
    other_dept: Department,
    handler: User,
    head: User,
    supervisor: User,
    _frozen_time: time_machine.Coordinates,
) -> None:
    windows.rate_window(point, 5)
    assert not Rectification.objects.exists()  # only a bad rating is rectified
    rating = windows.rate_window(point, 1, "等了两个小时")
    assert rating is not None
    rectification = Rectification.objects.get()
    assert (rectification.rating, rectification.case, rectification.department) == (rating, None, dept)
    # The same deadline as a reply's: Monday 2026-11-16 + 15 working days, at the close of the working day.
    assert rectification.deadline == datetime(2026, 12, 7, 17, 30, tzinfo=SH)
    notice = Message.objects.get(user=handler, key__startswith="surveys:rectification")
    assert f"/staff/surveys/rectifications/{rectification.pk}/" in notice.body
    assert Entry.objects.filter(kind="rectification_open", target=f"rectification:{rectification.pk}").exists()
    assert not Event.objects.exists()  # no case, no timeline
    tally = window_rates()
    assert (tally.valid, tally.bad, tally.to_rectify, tally.rectified) == (2, 1, 1, 0)
    assert tally.rectification_rate.percent == 0.0

    stranger = factories.user(Role.HANDLER, other_dept)
    with pytest.raises(PermissionDenied):
        submit_rectification(rectification, stranger, "不是我们的窗口")
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.OPEN and rectification.measures == ""
    with pytest.raises(ValidationFailed):
        submit_rectification(rectification, handler, " ")

    _frozen_time.shift(timedelta(days=2))  # days later: the counts of the rating's day change
    submit_rectification(rectification, handler, "增开一个窗口，高峰时段加派人手。")
    with pytest.raises(PermissionDenied):
        check_rectification(rectification, handler, True)  # a handler does not check
    check_rectification(rectification, head, False, "请写明何时增开")
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.OPEN
    submit_rectification(rectification, head, "自 12 月起每日 9-11 点增开 A04 窗口。")
    with pytest.raises(PermissionDenied):
        check_rectification(rectification, head, True)  # four eyes: not what one submitted oneself
    assert window_rates().rectified == 0
    check_rectification(rectification, supervisor, True)
    rectification.refresh_from_db()
    rating.refresh_from_db()
    assert rectification.state == Rectification.State.DONE and not rectification.reported
    assert rating.rectified_at is not None
    assert not Message.objects.filter(key__startswith="case:").exists()  # nobody to report back to
    kinds = list(
        Entry.objects.filter(target=f"rectification:{rectification.pk}").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [
        "rectification_open",
        "rectification_submit",
        "rectification_return",
        "rectification_submit",
        "rectification_done",
    ]
    tally = window_rates()
    assert (tally.to_rectify, tally.rectified) == (1, 1) and tally.rectification_rate.percent == 100.0
    # The window ratings stay out of the case figures.
    assert rates.total().valid == 0
    with pytest.raises(Conflict):
        check_rectification(rectification, supervisor, True)


def test_a_person_without_a_usual_window_answers_through_their_own_department(
    dept: Department, other_dept: Department
) -> None:
    badge = StaffBadge.objects.create(name="王芳", number="2048", department=other_dept)
    colleague = factories.user(Role.HANDLER, other_dept)
    windows.rate_window(badge, 2)
    rectification = Rectification.objects.get()
    assert rectification.department == other_dept and rectification.rating.staff == badge
    assert Message.objects.filter(user=colleague, key__startswith="surveys:rectification").exists()


def test_a_person_at_their_usual_window_answers_through_the_window_s_department(
    badge: StaffBadge, dept: Department
) -> None:
    windows.rate_window(badge, 1)
    rectification = Rectification.objects.get()
    assert rectification.department == dept
    assert rectification.rating.rated == "李红 (1024) · A03 不动产登记"


def test_an_upheld_appeal_takes_a_window_rating_out_of_the_rates_visibly(
    point: ServicePoint,
    handler: User,
    other_dept: Department,
    supervisor: User,
    _frozen_time: time_machine.Coordinates,
) -> None:
    kept = windows.rate_window(point, 2)
    rating = windows.rate_window(point, 1, "乱评")
    assert kept is not None and rating is not None
    tally = window_rates()
    assert (tally.valid, tally.bad, tally.to_rectify, tally.excluded) == (2, 2, 2, 0)

    with pytest.raises(PermissionDenied):
        file_appeal(rating, factories.user(Role.HANDLER, other_dept), "malicious", "不是我们的窗口")
    with pytest.raises(ValidationFailed):
        file_appeal(rating, handler, "rude", "")
    assert not Appeal.objects.exists()

    _frozen_time.shift(timedelta(days=1))
    appeal = file_appeal(rating, handler, "malicious", "监控显示评价时该窗口无人办理业务。")
    assert appeal.department == point.department
    assert Message.objects.filter(user=supervisor, key=f"surveys:appeal:{appeal.pk}").exists()
    with pytest.raises(Conflict):
        file_appeal(rating, handler, "mistaken", "再来一次")  # one pending appeal per rating
    with pytest.raises(PermissionDenied):
        decide_appeal(appeal, handler, True, "自己批")
    assert window_rates().excluded == 0

    decide_appeal(appeal, supervisor, True, "经核实为恶意差评")
    rating.refresh_from_db()
    assert rating.excluded and rating.excluded_reason == "经核实为恶意差评"
    tally = window_rates()
    assert (tally.valid, tally.bad, tally.to_rectify, tally.excluded) == (1, 1, 1, 1)
    assert list(Entry.objects.filter(target=f"appeal:{appeal.pk}").order_by("id").values_list("kind", flat=True)) == [
        "appeal_file",
        "appeal_uphold",
    ]
    with pytest.raises(Conflict):
        file_appeal(rating, handler, "mistaken", "已排除")  # already out of the rates


def test_the_pages_show_a_window_s_rectification_and_appeal_to_its_department_only(
    point: ServicePoint,
    handler: User,
    head: User,
    other_dept: Department,
    supervisor: User,
    client_for: Callable[[User], Client],
) -> None:
    rating = windows.rate_window(point, 1, "请联系我 13812345678")
    assert rating is not None
    rectification = Rectification.objects.get()
    own = client_for(handler)
    own.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    listing = own.get("/staff/surveys/rectifications/").content.decode()
    assert f"/staff/surveys/rectifications/{rectification.pk}/" in listing and "A03 不动产登记" in listing
    page = own.get(f"/staff/surveys/rectifications/{rectification.pk}/").content.decode()
    assert "A03 不动产登记" in page and "13812345678" not in page  # the visitor's words, masked
    assert f"/staff/surveys/ratings/{rating.pk}/appeal/" in page

    stranger = client_for(factories.user(Role.DEPT_HEAD, other_dept))
    assert stranger.get(f"/staff/surveys/rectifications/{rectification.pk}/").status_code == 404
    assert (
        stranger.post(
            f"/staff/surveys/rectifications/{rectification.pk}/", {"step": "submit", "measures": "x"}
        ).status_code
        == 404
    )
    assert stranger.get(f"/staff/surveys/ratings/{rating.pk}/appeal/").status_code == 404

    own.post(f"/staff/surveys/rectifications/{rectification.pk}/", {"step": "submit", "measures": "已增开窗口"})
    client_for(head).post(f"/staff/surveys/rectifications/{rectification.pk}/", {"step": "approve", "note": ""})
    rectification.refresh_from_db()
    assert rectification.state == Rectification.State.DONE
    done = own.get(f"/staff/surveys/rectifications/{rectification.pk}/").content.decode()
    assert "rating leaves no contact and no tracking page" in done

    assert own.get(f"/staff/surveys/ratings/{rating.pk}/appeal/").status_code == 200
    response = own.post(
        f"/staff/surveys/ratings/{rating.pk}/appeal/", {"grounds": "mistaken", "evidence": "评价人在隔壁窗口办事。"}
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/surveys/appeals/{appeal.pk}/"
    sup = client_for(supervisor)
    assert "A03 不动产登记" in sup.get("/staff/surveys/appeals/").content.decode()
    assert sup.get(f"/staff/surveys/appeals/{appeal.pk}/").status_code == 200
    assert stranger.get(f"/staff/surveys/appeals/{appeal.pk}/").status_code == 404
    sup.post(f"/staff/surveys/appeals/{appeal.pk}/decide/", {"decision": "reject", "note": "证据不足"})
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.REJECTED
