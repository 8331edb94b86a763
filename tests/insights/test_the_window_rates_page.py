"""The page of the five rates per hall, window and member of staff (/staff/dashboard/windows/): a department sees its
own windows and staff and nothing of another's, names are text and never markup, and a period or department not
understood is said beside its field while the default is shown (never an error page)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role, User
from fankui.surveys import windows
from fankui.surveys.models import ServiceHall, ServicePoint, StaffBadge
from tests import factories
from tests.xss import PAYLOADS, live_markup

pytestmark = pytest.mark.django_db

URL = "/staff/dashboard/windows/"


@pytest.fixture
def hall(db: None) -> ServiceHall:
    return ServiceHall.objects.create(name="市民中心政务服务大厅")


@pytest.fixture
def ours(hall: ServiceHall, dept: Department) -> ServicePoint:
    point = ServicePoint.objects.create(hall=hall, department=dept, number="A03", name="不动产登记")
    for level in (5, 4, 3, 1):
        windows.rate_window(point, level)
    return point


@pytest.fixture
def theirs(hall: ServiceHall, other_dept: Department) -> ServicePoint:
    point = ServicePoint.objects.create(hall=hall, department=other_dept, number="B09", name="机动车检验")
    badge = StaffBadge.objects.create(name="赵敏", number="7731", department=other_dept, service_point=point)
    for level in (1, 1, 2):
        windows.rate_window(point, level)
    windows.rate_window(badge, 1)
    return point


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_five_rates_per_hall_window_and_person(
    ours: ServicePoint, theirs: ServicePoint, supervisor: User, client_for: Callable[[User], Client]
) -> None:
    page = english(client_for(supervisor)).get(URL, {"period": "2026-11"})
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("Satisfaction rate (满意率)", "Good rating rate (好评率)", "Bad rating rate (差评率)"):
        assert label in html
    assert "Rectification rate (整改率)" in html and "Follow-up rate (回访率)" in html
    assert "A03 不动产登记" in html and "B09 机动车检验" in html and "赵敏 (7731)" in html
    # Ours: 5, 4, 3, 1: satisfied 75%, good 50%, bad 25%.
    row = html.split("A03 不动产登记", 1)[1].split("</tr>", 1)[0]
    assert "75.0%" in row and "50.0%" in row and "25.0%" in row
    # The hall: ours and theirs, eight ratings.
    hall_row = html.split('id="halls"', 1)[1].split("</tr>", 2)[1]
    assert "<td>8</td>" in hall_row


def test_a_department_sees_nothing_of_another_s_windows(
    ours: ServicePoint, theirs: ServicePoint, handler: User, other_dept: Department, client_for: Callable[..., Client]
) -> None:
    client = english(client_for(handler))
    html = client.get(URL, {"period": "2026-11"}).content.decode()
    assert "A03 不动产登记" in html
    assert "B09" not in html and "机动车检验" not in html and "赵敏" not in html
    hall_row = html.split('id="halls"', 1)[1].split("</tr>", 2)[1]
    assert "<td>4</td>" in hall_row and "75.0%" in hall_row  # the hall counts only our window's ratings

    # Asking for the other department by its id: refused by name, our own figures shown, none of theirs.
    page = client.get(URL, {"period": "2026-11", "department": other_dept.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "A filter was not understood" in html
    assert "B09" not in html and "赵敏" not in html and "A03 不动产登记" in html

    # A head of another department sees theirs, not ours.
    head = factories.user(Role.DEPT_HEAD, other_dept)
    html = english(client_for(head)).get(URL, {"period": "2026-11"}).content.decode()
    assert "B09 机动车检验" in html and "A03" not in html and "不动产登记" not in html


def test_names_are_shown_as_text(
    hall: ServiceHall, dept: Department, supervisor: User, client_for: Callable[[User], Client]
) -> None:
    hall.name = f"大厅 {PAYLOADS[0]}"
    hall.save()
    point = ServicePoint.objects.create(hall=hall, department=dept, number=PAYLOADS[2][:20], name=PAYLOADS[1])
    StaffBadge.objects.create(name=PAYLOADS[0][:50], number="1", department=dept, service_point=point)
    windows.rate_window(point, 2)

    html = english(client_for(supervisor)).get(URL).content.decode()

    assert live_markup(html) == []
    assert "&lt;script&gt;alert(&quot;xss1&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2026-13"},
        {"period": "abc"},
        {"period": "99999-01"},
        {"period": "0000-W99"},
        {"period": "<script>alert(1)</script>"},
        {"period": "2026-10" * 50},
        {"department": "abc"},
        {"department": "99999999999999999999999999"},
        {"department": "-1", "period": "2026-W60"},
    ],
)
def test_a_period_or_department_not_understood_is_named_never_an_error_page(
    query: dict[str, str], ours: ServicePoint, handler: User, client_for: Callable[..., Client]
) -> None:
    page = english(client_for(handler)).get(URL, query)
    html = page.content.decode()
    assert page.status_code == 200
    assert "A filter was not understood and the default is shown instead." in html
    assert "A03 不动产登记" in html  # the default: this month, everything the user may see
    assert "<script>alert(1)</script>" not in html


def test_the_page_is_for_staff_only(client: Client) -> None:
    page = client.get(URL)
    assert page.status_code in (302, 403)


def test_the_windows_page_links_to_it(ours: ServicePoint, handler: User, client_for: Callable[..., Client]) -> None:
    assert URL in client_for(handler).get("/staff/surveys/windows/").content.decode()


def test_the_dashboard_links_to_it(handler: User, client_for: Callable[..., Client]) -> None:
    assert f'href="{URL}"' in client_for(handler).get("/staff/dashboard/").content.decode()
