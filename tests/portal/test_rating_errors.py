"""Rating mistakes are messages, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from fankui.accounts.models import User
from fankui.cases.workflow import State
from fankui.surveys.models import Rating
from tests import factories


@pytest.mark.django_db
def test_a_missing_level_is_shown_and_the_comment_kept(en: Client, dispatcher: User, handler: User) -> None:
    case = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    response = en.post(f"/track/{case.tracking_code}/rate/", {"level": "9", "comment": "还行吧"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose one of the five ratings." in page
    assert ">还行吧</textarea>" in page
    assert Rating.objects.count() == 0


@pytest.mark.django_db
def test_rating_twice_says_so(en: Client, dispatcher: User, handler: User) -> None:
    case = factories.case_in("replied", dispatcher=dispatcher, lead=handler.department, handler=handler)
    en.post(f"/track/{case.tracking_code}/rate/", {"level": "4"})
    response = en.post(f"/track/{case.tracking_code}/rate/", {"level": "1"}, follow=True)
    assert response.status_code == 200
    assert "This reply has already been rated." in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert Rating.objects.count() == 1


@pytest.mark.django_db
def test_rating_before_any_reply_says_so(en: Client) -> None:
    case = factories.case()
    response = en.post(f"/track/{case.tracking_code}/rate/", {"level": "5"}, follow=True)
    assert response.status_code == 200
    assert "There is no reply to rate yet." in response.content.decode()
    assert 'id="rate-form"' not in response.content.decode()


@pytest.mark.django_db
def test_opening_the_rating_link_only_shows_the_form(en: Client) -> None:
    case = factories.case()
    response = en.get(f"/track/{case.tracking_code}/rate/")
    assert response.status_code == 302
    assert response["Location"] == f"/track/{case.tracking_code}/#rate"
    assert not case.ratings.exists()


@pytest.mark.django_db
def test_a_link_checker_may_test_the_rating_link(en: Client) -> None:
    case = factories.case()
    assert en.head(f"/track/{case.tracking_code}/rate/").status_code == 302
    assert not case.ratings.exists()
