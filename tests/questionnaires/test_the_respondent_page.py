from __future__ import annotations

import pytest
from django.test import Client

from fankui.questionnaires.models import Answer, Draft, Invitation, Response
from fankui.questionnaires.services import building, distribution

from .conftest import Survey, build, choice


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def url(survey: Survey) -> str:
    return f"/q/{survey.questionnaire.public_key}/"


def first_page(client: Client, survey: Survey, nps: str, address: str = "") -> object:
    page = survey.questionnaire.current_version.pages.order_by("position")[0]  # type: ignore[union-attr]
    return client.post(address or url(survey), {"page": page.key, "go": "next", survey.nps.field: nps})


def second_page(client: Client, survey: Survey, address: str = "", **data: str) -> object:
    page = survey.questionnaire.current_version.pages.order_by("-position")[0]  # type: ignore[union-attr]
    return client.post(address or url(survey), {"page": page.key, "go": "submit", **data})


def test_opening_the_link_shows_the_first_page_and_records_nothing(client: Client, survey: Survey) -> None:
    page = client.get(url(survey))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Would you recommend us?" in text and "<legend>" in text and "Page 1 of 2" in text
    assert "What went wrong?" not in text  # page 2
    client.head(url(survey))
    assert Draft.objects.count() == 0 and Response.objects.count() == 0


def test_a_detractor_is_asked_why_across_pages_and_the_answers_are_kept(client: Client, survey: Survey) -> None:
    moved = first_page(client, survey, "3")
    assert moved.status_code == 302 and moved["Location"].endswith("?p=2")  # type: ignore[index, attr-defined]
    second = client.get(moved["Location"]).content.decode()  # type: ignore[index]
    assert "What went wrong?" in second and "Please rate" in second
    back = client.get(url(survey) + "?p=1").content.decode()
    assert 'value="3" checked' in back  # the answer kept on the server
    missing = second_page(client, survey, **{survey.csat.field: "5"})
    assert missing.status_code == 422  # type: ignore[attr-defined]
    assert "Please answer this question." in missing.content.decode()  # type: ignore[attr-defined]
    assert Response.objects.count() == 0
    done = second_page(client, survey, **{survey.csat.field: "5", survey.why.field: "排队太久"})
    assert done.status_code == 302 and done["Location"].endswith("?done=1")  # type: ignore[index, attr-defined]
    response = Response.objects.get()
    assert set(Answer.objects.filter(response=response).values_list("question__kind", "number", "text")) == {
        ("nps", 3, ""),
        ("csat", 5, ""),
        ("text", None, "排队太久"),
    }
    assert Draft.objects.count() == 0
    assert "Your answers were recorded" in client.get(done["Location"]).content.decode()  # type: ignore[index]


def test_a_promoter_never_sees_the_question_for_detractors(client: Client, survey: Survey) -> None:
    first_page(client, survey, "10")
    assert "What went wrong?" not in client.get(url(survey) + "?p=2").content.decode()


def test_an_answer_out_of_range_is_refused_with_a_message(client: Client, survey: Survey) -> None:
    page = first_page(client, survey, "11")
    assert page.status_code == 422  # type: ignore[attr-defined]
    assert "Please choose a number from 0 to 10." in page.content.decode()  # type: ignore[attr-defined]
    assert Draft.objects.count() == 0


def test_the_page_is_in_chinese_by_default(survey: Survey) -> None:
    page = Client().get(url(survey)).content.decode()
    assert "推荐意愿" in page and "服务满意度" in page and "Would you recommend us?" not in page


def test_a_multiple_choice_and_a_matrix_are_read_from_the_form(client: Client, survey: Survey) -> None:
    first_page(client, survey, "9")
    rows = list(survey.grid.choices.filter(axis="row"))
    data = {
        survey.problems.field: [choice(survey.problems, "Queues"), choice(survey.problems, "Attitude")],
        f"{survey.grid.field}_{rows[0].key}": choice(survey.grid, "Poor"),
    }
    second_page(client, survey, **data)  # type: ignore[arg-type]
    response = Response.objects.get()
    assert Answer.objects.filter(response=response, question=survey.problems).count() == 2
    assert Answer.objects.get(response=response, question=survey.grid).choice.label_en == "Poor"  # type: ignore[union-attr]


def test_an_invitation_link_answers_once(client: Client, survey: Survey, supervisor: object) -> None:
    distribution.add_invitations(supervisor, survey.questionnaire, b"someone@example.cn\n")
    link = distribution.invitation_link(Invitation.objects.get()).split("://", 1)[1]
    address = link[link.index("/") :]
    assert client.get(address).status_code == 200
    assert Invitation.objects.get().used_at is None  # a scanner opening the link changes nothing
    first_page(client, survey, "8", address)
    second_page(client, survey, address)
    assert Response.objects.get().invitation == Invitation.objects.get()
    again = Client(HTTP_ACCEPT_LANGUAGE="en").get(address).content.decode()
    assert "already been used" in again
    assert first_page(Client(HTTP_ACCEPT_LANGUAGE="en"), survey, "8", address).status_code == 409  # type: ignore[attr-defined]
    assert Response.objects.count() == 1


def test_a_made_up_invitation_link_is_not_found(client: Client, survey: Survey) -> None:
    page = client.get("/q/i/abc.def/")
    assert page.status_code == 404 and "This link is not valid" in page.content.decode()
    assert client.get("/q/nosuchkey/").status_code == 404


def test_an_anonymous_questionnaire_says_so(client: Client, supervisor: object) -> None:
    survey = build(supervisor, anonymous=True)  # type: ignore[arg-type]
    assert "This questionnaire is anonymous" in client.get(url(survey)).content.decode()


def test_a_closed_questionnaire_says_so_and_takes_nothing(client: Client, survey: Survey, supervisor: object) -> None:
    building.set_state(supervisor, survey.questionnaire, "closed")
    assert "This questionnaire is closed" in client.get(url(survey)).content.decode()
    assert first_page(client, survey, "8").status_code == 409  # type: ignore[attr-defined]
    assert Draft.objects.count() == 0


def test_a_bot_flooding_the_public_link_is_throttled(client: Client, survey: Survey, settings: object) -> None:
    settings.FANKUI_RATE_LIMITS = {"questionnaire": (3, 3600)}  # type: ignore[attr-defined]
    statuses = [first_page(client, survey, "8").status_code for _ in range(5)]  # type: ignore[attr-defined]
    assert statuses == [302, 302, 302, 429, 429]
    page = first_page(client, survey, "8")
    assert "Too many requests" in page.content.decode()  # type: ignore[attr-defined]
    assert Response.objects.count() == 0
