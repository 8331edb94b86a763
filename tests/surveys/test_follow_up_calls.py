"""回访: the operators' call list and what a call records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, Role, User
from fankui.actions import rates
from fankui.audit.models import Access, Event
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.core.errors import Conflict, PermissionDenied
from fankui.surveys import followups
from fankui.surveys.models import FollowUp, Rating, Rectification
from fankui.surveys.services import mask_comments, rate
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def walk(dispatcher: User, handler: User, dept: Department) -> Callable[..., Case]:
    """``walk(to)``: a case with a phone number walked to ``to`` (replied, closed, reopened, closed_unrated)."""

    def make(to: str, phone: str = PHONE, **submission: object) -> Case:
        case = factories.case(contact_phone=phone, contact_name="张先生", **submission)  # type: ignore[arg-type]
        moves.accept(case, dispatcher)
        moves.dispatch(case, dispatcher, dept)
        moves.start(case, handler)
        moves.reply(case, handler, "已安排维修。")
        if to == "closed":
            rate(case, 5)
        elif to == "reopened":
            rate(case, 1, "根本没修")
        elif to == "closed_unrated":
            moves.close_unrated(now=timezone.now() + timedelta(days=30))
        case.refresh_from_db()
        return case

    return make


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def numbers(calls: list[followups.Call]) -> set[str]:
    return {c.case.number for c in calls}


def test_the_list_has_unrated_replies_and_bad_ratings_with_masked_numbers(
    walk: Callable[..., Case], dispatcher: User
) -> None:
    unrated = walk("replied")
    bad = walk("reopened")
    walk("closed")
    walk("replied", phone="")  # no number: nobody to call
    walk("replied", anonymous=True)

    calls = followups.call_list(dispatcher)

    assert numbers(calls.unrated) == {unrated.number}
    assert numbers(calls.bad) == {bad.number}
    assert calls.bad[0].rating is not None and calls.bad[0].rating.level == 1
    assert calls.unrated[0].phone == "139****5678"


def test_the_page_masks_numbers_and_the_call_page_shows_the_number_once_recorded(
    walk: Callable[..., Case], dispatcher: User, client_for: Callable[..., Client]
) -> None:
    case = walk("replied")
    client = english(client_for(dispatcher))

    listing = client.get("/staff/surveys/calls/").content.decode()
    assert "139****5678" in listing and PHONE not in listing
    assert not Access.objects.exists()

    page = client.get(f"/staff/surveys/calls/{case.pk}/").content.decode()
    assert PHONE in page and "张先生" in page
    assert list(Access.objects.values_list("user", "case", "what")) == [(dispatcher.pk, case.pk, "contact")]


def test_a_reporters_look_is_recorded_as_a_look_at_a_reporter(
    walk: Callable[..., Case], supervisor: User, client_for: Callable[..., Client]
) -> None:
    case = walk("replied", kind="report")
    client_for(supervisor).get(f"/staff/surveys/calls/{case.pk}/")
    assert Access.objects.filter(case=case, what="reporter").exists()


def test_only_the_centre_calls(walk: Callable[..., Case], handler: User, client_for: Callable[..., Client]) -> None:
    case = walk("replied")
    analyst = factories.user(Role.ANALYST)
    for user in (handler, analyst):
        client = english(client_for(user))
        assert client.get("/staff/surveys/calls/").status_code == 403
        assert client.get(f"/staff/surveys/calls/{case.pk}/").status_code == 403
        assert client.post(f"/staff/surveys/calls/{case.pk}/", {"outcome": "reached"}).status_code == 403
    with pytest.raises(PermissionDenied):
        followups.record_call(handler, case, "reached")
    assert not FollowUp.objects.exists() and not Access.objects.exists()


def test_a_rating_on_the_phone_counts_and_closes_the_case_like_one_on_the_web(
    walk: Callable[..., Case], dispatcher: User, client_for: Callable[..., Client]
) -> None:
    case = walk("replied")
    client = english(client_for(dispatcher))

    response = client.post(
        f"/staff/surveys/calls/{case.pk}/",
        {"outcome": "reached", "level": "4", "comment": "修好了", "notes": "本人接听"},
        follow=True,
    )

    assert "The call and the rating were recorded." in response.content.decode()
    case.refresh_from_db()
    assert case.state == "closed"
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.comment, rating.channel) == (4, "修好了", "phone")
    call = FollowUp.objects.get()
    assert (call.rating, call.user, call.outcome, call.notes) == (rating, dispatcher, "reached", "本人接听")
    assert Event.objects.filter(case=case, action="follow_up").exists()
    assert Event.objects.filter(case=case, action="rate_satisfied").exists()
    month = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    assert rates.satisfaction(None, *month).denominator == 1
    assert numbers(followups.call_list(dispatcher).unrated) == set()


def test_a_bad_rating_on_the_phone_reopens_the_case_and_joins_the_bad_list(
    walk: Callable[..., Case], dispatcher: User
) -> None:
    case = walk("replied")

    result = followups.record_call(dispatcher, case, "reached", level="2")

    case.refresh_from_db()
    assert case.state == "reopened" and result.rating is not None and result.rating.channel == "phone"
    # The call was about this very rating: it is followed up already.
    assert numbers(followups.call_list(dispatcher).bad) == set()
    # goodbad's door of 回访 recorded the call: the rating is followed up (回访率), its level kept on the call, and the
    # bad phone rating opened a rectification as a web one does.
    rating = Rating.objects.get(pk=result.rating.pk)
    assert rating.followed_up_at is not None and result.follow_up.level == 2
    assert Rectification.objects.filter(rating=rating).exists()


def test_following_up_a_bad_rating_takes_it_off_the_list_unless_nobody_answered(
    walk: Callable[..., Case], dispatcher: User
) -> None:
    case = walk("reopened")
    bad = Rating.objects.get(case=case)

    followups.record_call(dispatcher, case, "unreachable", notes="无人接听")
    assert numbers(followups.call_list(dispatcher).bad) == {case.number}
    bad.refresh_from_db()
    assert bad.followed_up_at is None  # only a call that reached the person counts in the 回访率

    followups.record_call(dispatcher, case, "reached", notes="已解释重办安排")
    assert numbers(followups.call_list(dispatcher).bad) == set()
    assert FollowUp.objects.filter(rating=bad).count() == 2
    bad.refresh_from_db()
    assert bad.followed_up_at is not None
    case.refresh_from_db()
    assert case.state == "reopened"  # a call alone moves nothing


def test_a_case_closed_unrated_takes_a_phone_rating_without_moving(walk: Callable[..., Case], dispatcher: User) -> None:
    case = walk("closed_unrated")
    assert case.state == "closed"

    result = followups.record_call(dispatcher, case, "reached", level="5")

    case.refresh_from_db()
    assert case.state == "closed" and result.rating is not None
    with pytest.raises(Conflict):
        followups.record_call(dispatcher, case, "reached", level="5")  # that reply is rated now
    assert Rating.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Choose what came of the call."),
        ({"outcome": "maybe"}, "outcome", "Choose what came of the call."),
        (
            {"outcome": "unreachable", "level": "5"},
            "level",
            "A rating can only be recorded when the person was reached.",
        ),
        ({"outcome": "reached", "level": "9"}, "level", "Choose one of the five ratings."),
        ({"outcome": "reached", "comment": "很好"}, "comment", "Choose the rating the person gave"),
        # The notes follow goodbad's rule for 回访 (services.record_follow_up: 4,000 characters).
        ({"outcome": "reached", "notes": "长" * 4001}, "notes", "At most 4000 characters."),
    ],
)
def test_bad_input_is_said_beside_its_field_and_nothing_is_stored(
    walk: Callable[..., Case],
    dispatcher: User,
    client_for: Callable[..., Client],
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    case = walk("replied")

    response = english(client_for(dispatcher)).post(f"/staff/surveys/calls/{case.pk}/", data)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and f'id="{field}-errors"' in html
    assert not FollowUp.objects.exists() and not Rating.objects.exists()
    case.refresh_from_db()
    assert case.state == "replied"


def test_a_case_outside_ones_scope_does_not_exist(dispatcher: User, client_for: Callable[..., Client]) -> None:
    assert client_for(dispatcher).get("/staff/surveys/calls/999999/").status_code == 404


def test_the_sample_is_the_same_all_day_and_new_the_next(walk: Callable[..., Case], dispatcher: User) -> None:
    for _ in range(12):
        walk("closed")
    cases = Case.objects.all()
    tomorrow = timezone.localdate() + timedelta(days=1)

    first = followups.sample_ids(cases, tomorrow, 5)
    again = followups.sample_ids(cases, tomorrow, 5)
    other_days = {tuple(followups.sample_ids(cases, tomorrow + timedelta(days=n), 5)) for n in range(1, 6)}

    assert first == again and len(first) == 5
    assert other_days - {tuple(first)}  # another day draws another sample
    assert followups.sample_ids(cases, timezone.localdate(), 5) == []  # closed today: drawn from tomorrow on
    assert followups.sample_ids(cases, tomorrow, 0) == []
    assert len(followups.sample_ids(cases, tomorrow, 50)) == 12


def test_the_sample_on_the_list_marks_the_cases_already_called(
    walk: Callable[..., Case], dispatcher: User, settings: object
) -> None:
    settings.FANKUI_FOLLOW_UP_SAMPLE = 3  # type: ignore[attr-defined]
    for _ in range(4):
        walk("closed")
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        calls = followups.call_list(dispatcher)
        assert len(calls.sample) == 3 and not any(c.done for c in calls.sample)
        followups.record_call(dispatcher, calls.sample[0].case, "reached", notes="满意")
        after = followups.call_list(dispatcher)
    assert [c.case.pk for c in after.sample] == [c.case.pk for c in calls.sample]
    assert [c.done for c in after.sample] == [True, False, False]


def test_erasure_masks_the_notes_of_the_calls(walk: Callable[..., Case], dispatcher: User) -> None:
    case = walk("replied")
    followups.record_call(dispatcher, case, "reached", notes="张先生说 13912345678 可以再打")

    mask_comments(case, lambda text: text.replace("13912345678", "***").replace("张先生", "*"))

    assert FollowUp.objects.get().notes == "*说 *** 可以再打"


def test_the_call_shows_on_the_case_timeline(
    walk: Callable[..., Case], dispatcher: User, client_for: Callable[..., Client]
) -> None:
    case = walk("replied")
    followups.record_call(dispatcher, case, "declined", notes="不愿评价")

    html = english(client_for(dispatcher)).get(f"/staff/cases/{case.pk}/").content.decode()

    assert "Follow-up call" in html and "They declined to talk" in html and "不愿评价" in html
