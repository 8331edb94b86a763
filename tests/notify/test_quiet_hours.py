"""Issue 15, "Out": quiet hours (FANKUI_QUIET_HOURS, in the site's time zone). At night staff get what is not urgent
in the application at once and by e-mail in the morning; what is urgent (a deadline reached or overdue, 督办, an
emergency) goes at once. Citizens get no SMS at night except what they are waiting for (a code they asked for, the
receipt of what they just sent); their e-mail is not held back."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import checks

from fankui.accounts.models import Department, User
from fankui.cases.services import moves
from fankui.notify import quiet, services
from fankui.notify.models import Channel, Message, Status
from fankui.portal.notices import submitter_address
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = datetime(2026, 11, 16, 23, 30, tzinfo=SHANGHAI)
MORNING = datetime(2026, 11, 17, 8, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quiet_at_night(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_QUIET_HOURS = "22:00-08:00"  # type: ignore[attr-defined]


def _staff_email(user: User) -> Message:
    return Message.objects.get(user=user, channel=Channel.EMAIL)


@pytest.mark.parametrize(
    ("moment", "ends"),
    [
        (datetime(2026, 11, 16, 21, 59, tzinfo=SHANGHAI), None),
        (datetime(2026, 11, 16, 22, 0, tzinfo=SHANGHAI), MORNING),
        (NIGHT, MORNING),
        (datetime(2026, 11, 17, 3, 0, tzinfo=SHANGHAI), MORNING),
        (datetime(2026, 11, 17, 8, 0, tzinfo=SHANGHAI), None),
        (datetime(2026, 11, 16, 15, 30, tzinfo=ZoneInfo("UTC")), MORNING),  # 23:30 in Shanghai
    ],
)
def test_the_period_ends_in_the_morning_of_the_site(moment: datetime, ends: datetime | None) -> None:
    assert quiet.end_of_quiet(moment) == ends


def test_a_period_within_one_day_and_none_at_all(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_QUIET_HOURS = "12:00-14:00"  # type: ignore[attr-defined]
    noon = datetime(2026, 11, 16, 12, 30, tzinfo=SHANGHAI)
    assert quiet.end_of_quiet(noon) == datetime(2026, 11, 16, 14, 0, tzinfo=SHANGHAI)
    settings.FANKUI_QUIET_HOURS = ""  # type: ignore[attr-defined]
    assert quiet.end_of_quiet(NIGHT) is None


def test_a_staff_notice_at_night_is_in_the_application_at_once_and_mailed_in_the_morning() -> None:
    user = factories.user(email="li@example.gov.cn")
    with time_machine.travel(NIGHT, tick=False):
        services.notify_staff([user], "Case 1 was dispatched", "b", key="staff:case:1:dispatch:1")
    in_app = Message.objects.get(user=user, channel=Channel.IN_APP)
    assert in_app.status == Status.SENT and services.unread_count(user) == 1
    assert _staff_email(user).next_attempt_at == MORNING


@pytest.mark.parametrize("key", ["sla:7:urge", "sla:7:escalate", "sla:supervised:12"])
def test_urgent_staff_notices_are_mailed_at_once(key: str) -> None:
    user = factories.user(email="li@example.gov.cn")
    with time_machine.travel(NIGHT, tick=False):
        services.notify_staff([user], "s", "b", key=key)
    assert _staff_email(user).next_attempt_at == NIGHT


def test_a_deadline_warning_waits_for_the_morning() -> None:
    user = factories.user(email="li@example.gov.cn")
    with time_machine.travel(NIGHT, tick=False):
        services.notify_staff([user], "s", "b", key="sla:7:warn")
    assert _staff_email(user).next_attempt_at == MORNING


def test_an_emergency_dispatched_at_night_is_mailed_at_once(dispatcher: User, dept: Department) -> None:
    head = factories.user("dept_head", department=dept, email="head@example.gov.cn")
    with time_machine.travel(NIGHT, tick=False):
        fire = factories.case("楼道里着火了，浓烟很大，有人被困，快来救火！")
        moves.accept(fire, dispatcher)
        moves.dispatch(fire, dispatcher, dept)
        lamp = factories.case()
        moves.accept(lamp, dispatcher)
        moves.dispatch(lamp, dispatcher, dept)
    mails = dict(Message.objects.filter(user=head, channel=Channel.EMAIL).values_list("case_id", "next_attempt_at"))
    assert mails == {fire.pk: NIGHT, lamp.pk: MORNING}


def test_citizens_get_no_sms_at_night_unless_they_are_waiting_for_it() -> None:
    by_phone = submitter_address(factories.case(contact_phone="13912345678"))
    by_mail = submitter_address(factories.case(contact_email="li@example.cn"))
    with time_machine.travel(NIGHT, tick=False):
        services.notify_citizen(by_phone, "s", "b", key="case:1:accept", case_id=1)
        services.notify_citizen(by_phone, "s", "b", key="case:1:receipt", case_id=1)
        services.notify_citizen(by_phone, "s", "b", key="privacy-code:3", case_id=1, requested=True)
        services.notify_citizen(by_mail, "s", "b", key="case:2:accept", case_id=2)
    when = dict(Message.objects.values_list("key", "next_attempt_at"))
    assert when == {
        "case:1:accept": MORNING,
        "case:1:receipt": NIGHT,
        "privacy-code:3": NIGHT,
        "case:2:accept": NIGHT,
    }


def test_nothing_is_held_in_the_day() -> None:
    user = factories.user(email="li@example.gov.cn")
    services.notify_staff([user], "s", "b", key="staff:case:1:dispatch:1")
    services.notify_citizen(submitter_address(factories.case(contact_phone="13912345678")), "s", "b", key="k")
    assert all(m.next_attempt_at == m.created_at for m in Message.objects.exclude(channel=Channel.IN_APP))


def test_a_malformed_setting_is_reported_and_holds_nothing(settings: pytest.FixtureRequest) -> None:
    settings.FANKUI_QUIET_HOURS = "22-8"  # type: ignore[attr-defined]
    assert quiet.end_of_quiet(NIGHT) is None
    found = [m for m in checks.run_checks() if m.id == "notify.W002"]
    assert found and "22-8" in found[0].msg


def test_an_emergencys_deadline_warning_is_mailed_at_once() -> None:
    from fankui.accounts.models import Role
    from fankui.sla.defaults import ensure_defaults
    from fankui.sla.models import Clock, Notice, Stage
    from fankui.sla.tasks import send_notices

    ensure_defaults()  # the default policies: a new case's clocks start
    dispatcher = factories.user(Role.DISPATCHER, email="desk@example.gov.cn")
    with time_machine.travel(NIGHT, tick=False):
        for urgency in ("emergency", ""):
            case = factories.case()
            clock = Clock.objects.get(case=case, stage=Stage.ACCEPT)
            Clock.objects.filter(pk=clock.pk).update(urgency=urgency)
            Notice.objects.create(clock=clock, case=case, step="warn", created_at=NIGHT, batch="b")
        send_notices()
    when = sorted(
        Message.objects.filter(user=dispatcher, channel=Channel.EMAIL).values_list("next_attempt_at", flat=True)
    )
    assert when == [NIGHT, MORNING]
