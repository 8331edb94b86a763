"""Window ratings have rates of their own (per window, person, hall, department) and stay out of the case figures:
every page that reads ratings of cases still works when case-less ratings exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions import rates as case_rates
from fankui.insights import builders, periods, queries
from fankui.privacy import dossier
from fankui.surveys import rates as survey_rates
from fankui.surveys import windows
from fankui.surveys.models import RatingKind, ServiceHall, ServicePoint, StaffBadge
from tests import factories

pytestmark = pytest.mark.django_db


def test_rates_per_window_person_hall_and_department(
    point: ServicePoint, badge: StaffBadge, hall: ServiceHall, dept: Department, other_dept: Department
) -> None:
    other = ServicePoint.objects.create(hall=hall, department=other_dept, name="社保")
    for level in (5, 4, 3, 1):
        windows.rate_window(point, level)
    windows.rate_window(badge, 2)  # counts for the person and for their window
    windows.rate_window(other, 5)
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(seconds=1)

    def rollup(by: str, **kwargs: object) -> dict[object, survey_rates.Tally]:
        return survey_rates.rollup(by, start, end, kind=RatingKind.WINDOW, **kwargs)  # type: ignore[arg-type]

    by_point, by_staff = rollup("service_point"), rollup("staff")
    by_hall, by_department = rollup("service_point__hall"), rollup("department")

    assert (by_point[point.pk].valid, by_point[point.pk].satisfied, by_point[point.pk].bad) == (5, 3, 2)
    assert by_point[point.pk].satisfaction.percent == 60.0 and by_point[point.pk].good_rate.percent == 40.0
    assert by_point[other.pk].satisfaction.percent == 100.0
    assert (by_staff[badge.pk].valid, by_staff[badge.pk].satisfaction.percent) == (1, 0.0)
    assert by_hall[hall.pk].valid == 6
    assert (by_department[dept.pk].valid, by_department[other_dept.pk].valid) == (5, 1)
    per_level = rollup("level", where=Q(service_point=point))
    assert {level: tally.valid for level, tally in per_level.items()} == {5: 1, 4: 1, 3: 1, 1: 1, 2: 1}
    # A bad window rating is rectified (not yet here: 0 of 2); never called back: 回访率 has no value for windows.
    assert by_point[point.pk].rectification_rate == survey_rates.Share(0, 2)
    assert by_point[point.pk].follow_up_rate.percent is None
    assert survey_rates.total(start, end).valid == 0  # not ratings of replies


def test_a_department_sees_only_its_own_windows_figures(
    point: ServicePoint, hall: ServiceHall, handler: User, other_dept: Department, client_for: Callable[..., Client]
) -> None:
    other = ServicePoint.objects.create(hall=hall, department=other_dept, number="B09", name="社保")
    windows.rate_window(point, 5)
    windows.rate_window(other, 1)
    client = client_for(handler)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    html = client.get("/staff/surveys/windows/").content.decode()

    assert "A03 不动产登记" in html and "B09" not in html
    assert "100.0%" in html  # the hall's rate counts only the windows the handler may see


def test_window_ratings_stay_out_of_the_case_figures_and_pages(
    point: ServicePoint,
    dispatcher: User,
    handler: User,
    dept: Department,
    supervisor: User,
    client_for: Callable[..., Client],
) -> None:
    factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    windows.rate_window(point, 1, "排队太久")
    windows.rate_window(point, 2)
    month = periods.parse("2026-11")

    figure = case_rates.satisfaction(None, month.start, month.end)
    by_department = case_rates.satisfaction_by_department(None, month.start, month.end)
    report = queries.build(queries.whole_organisation(), month)

    assert (figure.numerator, figure.denominator) == (1, 1)
    assert None not in by_department
    assert report.bad_ratings.total == 0
    assert builders.html(report)  # the report renders
    page = client_for(supervisor).get("/staff/dashboard/?period=2026-11")
    assert page.status_code == 200


def test_a_case_s_pages_and_dossier_show_only_its_own_ratings(
    point: ServicePoint, dispatcher: User, handler: User, dept: Department, client_for: Callable[..., Client]
) -> None:
    case = factories.case_in("closed", dispatcher=dispatcher, lead=dept, handler=handler)
    windows.rate_window(point, 1)

    page = client_for(dispatcher).get(f"/staff/cases/{case.pk}/")
    data = dossier.held(case)

    assert page.status_code == 200
    assert case.ratings.count() == 1 and len(data["ratings"]) == 1


def test_a_handler_without_windows_sees_an_empty_page(
    other_dept: Department, client_for: Callable[..., Client]
) -> None:
    user = factories.user(Role.HANDLER, other_dept)
    page = client_for(user).get("/staff/surveys/windows/", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "No service window of your departments yet." in page.content.decode()
