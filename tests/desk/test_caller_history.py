"""The caller's earlier cases, by the number the phone system passes or the operator types."""

from __future__ import annotations

import pytest

from fankui.accounts.models import Role, User
from fankui.audit.models import Access
from fankui.desk.queries import caller_history
from tests import factories


@pytest.mark.django_db
def test_a_callers_earlier_cases_are_found_by_their_number_newest_first(dispatcher: User) -> None:
    older = factories.case("小区路灯坏了", contact_phone="13812345678")
    newer = factories.case("小区又停水了", contact_phone="138 1234 5678")
    factories.case("别人的事", contact_phone="13900000000")
    factories.case("匿名", contact_phone="13812345678", anonymous=True)
    history = caller_history(dispatcher, "+86 138-1234-5678")
    assert history is not None and history.total == 2
    assert [row.case for row in history.rows] == [newer, older]
    # Each case shown is a look at personal data.
    assert set(Access.objects.filter(user=dispatcher, what="phone_search").values_list("case_id", flat=True)) == {
        older.pk,
        newer.pk,
    }


@pytest.mark.django_db
def test_a_landlines_local_number_finds_the_full_one(dispatcher: User) -> None:
    case = factories.case("门口垃圾没人清运", contact_phone="0731-88886666")
    for typed in ("88886666", "073188886666"):
        history = caller_history(dispatcher, typed)
        assert history is not None and [row.case for row in history.rows] == [case], typed


@pytest.mark.django_db
def test_what_is_not_a_number_finds_nothing(dispatcher: User) -> None:
    assert caller_history(dispatcher, "2026-000001") is None
    assert caller_history(dispatcher, "王先生") is None


@pytest.mark.django_db
def test_a_reports_reporter_is_named_only_to_the_centre(dispatcher: User, centre: object) -> None:
    report = factories.case("举报某餐馆使用地沟油", kind="report", contact_phone="13812345678")
    history = caller_history(dispatcher, "13812345678")
    assert history is not None and [row.case for row in history.rows] == [report]
    # Roles outside the centre see no caller's cases at all (and departments never reach the desk).
    admin = factories.user(Role.ADMIN)
    for user in (admin, factories.user(Role.ANALYST, centre)):  # type: ignore[arg-type]
        found = caller_history(user, "13812345678")
        assert found is not None and not found.allowed and found.rows == []
    assert not Access.objects.filter(user=admin).exists()


@pytest.mark.django_db
def test_the_titles_shown_are_masked(dispatcher: User) -> None:
    factories.case("我的身份证号430102199001011234丢了", title="身份证430102199001011234", contact_phone="13812345678")
    history = caller_history(dispatcher, "13812345678")
    assert history is not None and "430102199001011234" not in history.rows[0].title
