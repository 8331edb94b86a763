"""The respondent's page probed as an attacker would: forged and out-of-range values in every kind of question, a
page beyond the last, answers to questions show-if hides, a used invitation, a closed questionnaire, drafts that are
not theirs. Each gets a message in the reader's language (Chinese by default, English when chosen), never a 500;
nothing is stored that was not asked and valid, and the valid answers given so far are kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.core.errors import ValidationFailed
from fankui.questionnaires.models import Answer, Draft, Response, State
from fankui.questionnaires.services import answering, building, distribution

from .conftest import Survey, build, choice


def url(survey: Survey) -> str:
    return f"/q/{survey.questionnaire.public_key}/"


def pages(survey: Survey) -> list[str]:
    return list(survey.questionnaire.current_version.pages.order_by("position").values_list("key", flat=True))  # type: ignore[union-attr]


def post(client: Client, survey: Survey, page: int, go: str = "next", address: str = "", **data: Any) -> Any:
    return client.post(address or url(survey), {"page": pages(survey)[page], "go": go, **data})


def refused(response: Any, message: str) -> str:
    html = response.content.decode()
    assert response.status_code == 422, html[:500]
    assert message in html, html[:3000]
    return html


@pytest.mark.parametrize("value", ["11", "-1", "²", "1e1", "5.0", "9" * 5000, "\x00", "五"])
def test_a_number_out_of_range_or_not_a_number_is_refused_in_chinese(survey: Survey, value: str) -> None:
    refused(post(Client(), survey, 0, **{survey.nps.field: value}), "请选择 0 到 10 之间的数字。")
    assert Draft.objects.count() == 0


def test_the_same_message_in_english(survey: Survey) -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    refused(post(english, survey, 0, **{survey.nps.field: "11"}), "Please choose a number from 0 to 10.")


def test_choices_of_another_question_or_questionnaire_are_refused(survey: Survey, supervisor: Any) -> None:
    other = build(supervisor)
    client = Client()
    for forged in (choice(survey.problems, "Queues"), choice(other.visit, "One"), "<script>", "x" * 5000):
        html = refused(
            post(client, survey, 0, **{survey.nps.field: "8", survey.visit.field: forged}), "请选择一个给出的选项。"
        )
        assert "<script>" not in html
    post(client, survey, 0, **{survey.nps.field: "8"})  # page 2 now
    grid = survey.grid
    row = grid.choices.filter(axis="row").first()
    assert row is not None
    for data in (
        {survey.problems.field: [choice(survey.problems, "Queues"), choice(survey.visit, "One")]},
        {f"{grid.field}_{row.key}": row.key},  # a row's key as its column
        {f"{grid.field}_{row.key}": choice(other.visit, "Two")},
    ):
        response = post(client, survey, 1, "submit", **data)
        assert response.status_code == 422
        assert "请在" in response.content.decode()  # "choose among the answers offered" (in each row)
    assert Response.objects.count() == 0


def test_a_matrix_row_that_does_not_exist_is_never_stored(survey: Survey) -> None:
    client = Client()
    post(client, survey, 0, **{survey.nps.field: "9"})
    good = choice(survey.grid, "Good")
    done = post(client, survey, 1, "submit", **{f"{survey.grid.field}_cnope": good, survey.csat.field: "4"})
    assert done.status_code == 302
    assert not Answer.objects.filter(question=survey.grid).exists()
    # Through the service, as any other caller would: named with a message.
    with pytest.raises(ValidationFailed) as refusal:
        answering.submit(survey.refresh(), {survey.nps.key: "9", survey.grid.key: {"cnope": good}})
    assert survey.grid.field in refusal.value.errors


@pytest.mark.parametrize("number", ["999", "0", "-3", "²", "٣", "1" * 50, "\x00"])
def test_any_page_number_shows_a_page(survey: Survey, number: str) -> None:
    client = Client()
    post(client, survey, 0, **{survey.nps.field: "3"})
    assert client.get(url(survey), {"p": number}).status_code == 200


def test_a_page_key_that_is_not_one_is_the_first_page(survey: Survey) -> None:
    client = Client()
    response = client.post(url(survey), {"page": "p\x00nope", "go": "submit", survey.nps.field: "12"})
    refused(response, "请选择 0 到 10 之间的数字。")


def test_show_if_decides_on_the_server_what_is_asked_and_stored(survey: Survey) -> None:
    promoter = Client()
    post(promoter, survey, 0, **{survey.nps.field: "10"})
    # A promoter is not asked why (a required question), and a forged answer to it is not stored.
    done = post(promoter, survey, 1, "submit", **{survey.why.field: "伪造的回答"})
    assert done.status_code == 302
    assert not Answer.objects.filter(question=survey.why).exists()
    detractor = Client()
    post(detractor, survey, 0, **{survey.nps.field: "2"})
    refused(post(detractor, survey, 1, "submit"), "请回答这道题目。")
    # Changing the first answer hides the question again: the submission goes through without it.
    post(detractor, survey, 0, **{survey.nps.field: "9"})
    assert post(detractor, survey, 1, "submit").status_code == 302
    assert Response.objects.count() == 2 and not Answer.objects.filter(question=survey.why).exists()


def test_text_with_control_characters_or_too_long_is_refused_and_shown_again(survey: Survey) -> None:
    client = Client()
    post(client, survey, 0, **{survey.nps.field: "1"})
    refused(post(client, survey, 1, "submit", **{survey.why.field: "排队\x00太久"}), "U+0000")
    long = "长" * 100_000
    html = refused(post(client, survey, 1, "submit", **{survey.why.field: long}), "回答请不要超过 4000 个字。")
    assert long in html  # shown again in its field, to be shortened
    with pytest.raises(ValidationFailed):
        answering.submit(survey.refresh(), {survey.nps.key: "1", survey.why.key: "坏\ud800了"})
    assert Response.objects.count() == 0


def test_valid_answers_are_kept_when_another_answer_of_the_page_is_refused(survey: Survey) -> None:
    client = Client()
    post(client, survey, 0, **{survey.nps.field: "4"})
    queues = choice(survey.problems, "Queues")
    data = {survey.why.field: "窗口太少", survey.problems.field: queues, survey.csat.field: "6"}
    html = refused(post(client, survey, 1, "submit", **data), "请选择 1 到 5 之间的数字。")
    assert f'value="{queues}" checked' in html and "窗口太少" in html
    # Going back from that page keeps what was valid on it and leaves the wrong answer out.
    back = post(client, survey, 1, "back", **data)
    assert back.status_code == 302 and back["Location"].endswith("?p=1")
    draft = Draft.objects.get()
    assert draft.values() == {survey.nps.key: 4, survey.why.key: "窗口太少", survey.problems.key: [queues]}
    again = client.get(url(survey), {"p": "2"}).content.decode()
    assert f'value="{queues}" checked' in again and "窗口太少" in again


def test_a_draft_of_someone_else_or_another_questionnaire_is_not_used(survey: Survey, supervisor: Any) -> None:
    other = build(supervisor)
    theirs = Client()
    theirs.post(url(other), {"page": pages(other)[0], "go": "next", other.nps.field: "1"})
    draft = Draft.objects.get()
    stolen = answering.sign_draft(draft)
    client = Client()
    for forged in (stolen, "garbage", "x" * 5000, "a\x00b"):
        page = client.post(url(survey), {"page": pages(survey)[1], "go": "submit", "draft": forged})
        # Not their draft: the first page's required answer is missing.
        refused(page, "请回答这道题目。")
    draft.refresh_from_db()
    assert draft.values() == {other.nps.key: 1} and Response.objects.count() == 0


def test_an_invitation_answers_once_and_a_closed_questionnaire_none(survey: Survey, supervisor: Any) -> None:
    distribution.add_invitations(supervisor, survey.questionnaire, b"a@example.cn\n")
    invitation = survey.questionnaire.invitations.get()
    address = f"/q/i/{distribution.invitation_token(invitation)}/"
    client = Client()
    post(client, survey, 0, address=address, **{survey.nps.field: "9"})
    assert post(client, survey, 1, "submit", address=address).status_code == 302
    again = post(Client(), survey, 0, address=address, **{survey.nps.field: "9"})
    assert again.status_code == 409 and "此邀请已经作答过" in again.content.decode()
    assert Response.objects.count() == 1
    forged = Client().get(f"/q/i/{distribution.invitation_token(invitation)}x/")
    assert forged.status_code == 404
    building.set_state(supervisor, survey.questionnaire, State.CLOSED)
    closed = post(Client(), survey, 0, **{survey.nps.field: "9"})
    assert closed.status_code == 409 and "本问卷已结束" in closed.content.decode()
    english = post(Client(HTTP_ACCEPT_LANGUAGE="en"), survey, 0, **{survey.nps.field: "9"})
    assert "This questionnaire is closed." in english.content.decode()
    assert Response.objects.count() == 1


@pytest.mark.parametrize("key", ["nope", "a\x00b", "<script>", "x" * 300])
def test_a_public_link_that_is_not_one_is_a_404_page(db: None, key: str) -> None:
    from urllib.parse import quote

    page = Client().get(f"/q/{quote(key, safe='')}/")
    assert page.status_code == 404
    # A control character in a path is the site's own 404 before any view (core.middleware): no questionnaire's.
    assert ("此地址没有问卷。" in page.content.decode()) is ("\x00" not in key)
    assert Client().post(f"/q/{quote(key, safe='')}/", {"go": "submit"}).status_code == 404
