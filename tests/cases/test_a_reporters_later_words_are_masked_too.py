"""A 举报's reporter is hidden from the department it is about, and what they write later must be too (security
review, HIGH): their e-mail follow-up, their answer to a request for information and their rating's comment were
shown as written on the staff timeline (page and ``GET /api/v1/cases/{id}``) to the handling department and to
analysts. Now the citizen's words on the timeline follow the case text's rule (``permissions.may_read_text``):
masked, the submitter's name too, for those who may not read the text; as written for the 12345 centre, each look
recorded as a look at the text."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.audit.models import Access
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.core.vocab import Kind
from fankui.mail import services as mail
from fankui.mail.threading import marker_for
from fankui.sla.services.waiting import request_information, resume
from fankui.surveys.services import rate
from tests import factories

pytestmark = pytest.mark.django_db

WORDS = "我是李四，电话13900001111，身份证110101199003078888"
PERSONAL = ("李四", "13900001111", "110101199003078888")
MASKED = "139****1111"
EN = {"Accept-Language": "en"}
# "web": the answer on the tracking page, a supplement like the e-mail's (portal.views.answer).
KINDS = ["email", "answer", "web", "rating"]


def _email(case: Case) -> None:
    message = EmailMessage()
    message["From"] = "wb@example.org"
    message["To"] = "12345@fankui.example.cn"
    message["Subject"] = "补充"
    message["Message-ID"] = "<later-1@example.org>"
    message.set_content(f"{WORDS}\n\n{marker_for(case.pk)}")
    assert mail.handle(message.as_bytes()).case_id == case.pk


@pytest.fixture
def report(dispatcher: User, handler: User, dept: Department, request: pytest.FixtureRequest) -> Case:
    """A 举报 dispatched to ``dept``, in which the reporter wrote their name, phone and ID in words of one kind."""
    case = factories.case(
        "青山镇某所长收受贿赂，请核查。",
        title="举报受贿",
        kind=Kind.REPORT,
        contact_name="李四",
        contact_email="wb@example.org",
    )
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    kind = request.param
    if kind == "email":
        _email(case)
    else:
        moves.start(case, handler)
        if kind == "answer":
            request_information(case, handler, "请问具体是哪一天？")
            resume(case, None, answer=WORDS)
        elif kind == "web":
            request_information(case, handler, "请问具体是哪一天？")
            assert Client().post(f"/track/{case.tracking_code}/answer/", {"answer": WORDS}).status_code == 302
        else:
            moves.reply(case, handler, "已核查处理。")
            rate(case, 1, WORDS)
    case.refresh_from_db()
    return case


def _page_and_api(person: User, case: Case, client_for: Callable[[User], Client], api_for: Callable[[User], Client]):
    page = client_for(person).get(f"/staff/cases/{case.pk}/", headers=EN)
    api = api_for(person).get(f"/api/v1/cases/{case.pk}")
    assert page.status_code == 200 and api.status_code == 200
    return page.content.decode(), str(api.json())


@pytest.mark.parametrize("report", KINDS, indirect=True)
@pytest.mark.parametrize("who", ["handler", "analyst"])
def test_the_department_and_analysts_read_the_reporters_words_masked(
    report: Case,
    who: str,
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    person = request.getfixturevalue(who)
    for shown in _page_and_api(person, report, client_for, api_for):
        assert MASKED in shown  # the words are there, masked
        assert not [value for value in PERSONAL if value in shown]
    assert not Access.objects.filter(case=report, user=person).exists()


@pytest.mark.parametrize("report", KINDS, indirect=True)
def test_the_centre_reads_them_as_written_and_each_look_is_recorded(
    report: Case,
    dispatcher: User,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> None:
    for shown in _page_and_api(dispatcher, report, client_for, api_for):
        assert WORDS in shown
    looks = list(Access.objects.filter(case=report, user=dispatcher, what="text"))
    assert len(looks) == 2  # the page and the API, once each


@pytest.mark.parametrize("report", ["email"], indirect=True)
def test_staff_words_are_not_masked(
    report: Case, dispatcher: User, handler: User, client_for: Callable[[User], Client]
) -> None:
    moves.start(report, handler)
    request_information(report, handler, "请拨打13900002222联系我们")

    html = client_for(handler).get(f"/staff/cases/{report.pk}/", headers=EN).content.decode()

    assert "请拨打13900002222联系我们" in html
    assert "13900001111" not in html
