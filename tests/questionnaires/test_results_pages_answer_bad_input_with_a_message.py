"""The results pages, the texts page, the link to an action and the builder's addresses probed with input no form
sends: days at the ends of the calendar, a NUL in a search or in an address, digits that are not ASCII, a follow-up
whose written answers are longer than a case may be. A message, never a 500; nothing recorded that did not happen."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from fankui.audit.models import Entry
from fankui.cases.models import Case
from fankui.questionnaires.models import AnswerAction, FollowUp, Question
from fankui.questionnaires.services import building
from fankui.questionnaires.services.answering import submit
from fankui.questionnaires.services.building import QuestionInput
from tests import factories

from .conftest import Survey


def staff(client_for: Any, user: Any) -> Client:
    client: Client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"since": "0001-01-01"},
        {"until": "9999-12-31"},
        {"since": "1999-12-31", "until": "2100-01-01"},
        {"since": "2026-12-01", "until": "2026-01-01"},
    ],
)
def test_days_outside_the_calendar_are_refused_beside_their_field(
    survey: Survey, supervisor: Any, client_for: Any, query: dict[str, str]
) -> None:
    submit(survey.refresh(), {survey.nps.key: "9"})
    client = staff(client_for, supervisor)
    page = client.get(f"/staff/questionnaires/{survey.questionnaire.pk}/results/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "errorlist" in html and ("2000-01-01" in html or "结束日期不能早于开始日期" in html)
    # The export is refused with a message rather than giving everything instead of what was asked.
    exported = client.get(
        f"/staff/questionnaires/{survey.questionnaire.pk}/results/export/", {**query, "format": "csv"}
    )
    assert exported.status_code == 302 and "/results/?" in exported["Location"]
    assert not Entry.objects.filter(kind="export").exists()


def test_a_search_with_a_control_character_gives_a_message(survey: Survey, supervisor: Any, client_for: Any) -> None:
    submit(survey.refresh(), {survey.nps.key: "2", survey.why.key: "排队太久"})
    client = staff(client_for, supervisor)
    page = client.get(f"/staff/questionnaires/{survey.questionnaire.pk}/results/texts/", {"topic": "排\x00队"})
    assert page.status_code == 200 and "U+0000" in page.content.decode()
    assert "排队太久" in page.content.decode()  # every answer, the search left out


@pytest.mark.parametrize("answers, action", [(["²"], "1"), (["1"], "²"), (["٣"], "1"), (["1" * 40], "1")])
def test_ids_that_are_not_ascii_digits_are_refused_with_a_message(
    survey: Survey, supervisor: Any, dept: Any, client_for: Any, answers: list[str], action: str
) -> None:
    submit(survey.refresh(), {survey.nps.key: "2", survey.why.key: "排队太久"})
    factories.action(supervisor, supervisor, dept)
    client = staff(client_for, supervisor)
    response = client.post(
        f"/staff/questionnaires/{survey.questionnaire.pk}/results/link/", {"answers": answers, "action": action}
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "请选择一项整改措施" in shown or "其中有的回答不属于这份问卷" in shown
    assert not AnswerAction.objects.exists()


@pytest.mark.parametrize("key", ["a\x00b", "<b>x", "x" * 300, "p\r\nSet-Cookie: a=b"])
def test_a_page_or_question_key_that_is_not_one_is_a_404_or_a_message(
    survey: Survey, supervisor: Any, client_for: Any, key: str
) -> None:
    client = staff(client_for, supervisor)
    base = f"/staff/questionnaires/{survey.questionnaire.pk}"
    quoted = quote(key, safe="")
    assert client.get(f"{base}/pages/{quoted}/").status_code == 404
    assert client.get(f"{base}/questions/{quoted}/").status_code == 404
    for action in ("pages/{}/delete/", "questions/{}/delete/", "questions/{}/move/up/"):
        response = client.post(f"{base}/{action.format(quoted)}")
        if "\x00" in key:  # a control character in a path is the site's 404 before any view (core.middleware)
            assert response.status_code == 404
            continue
        assert response.status_code == 302 and "\n" not in response["Location"]
        assert "没有" in client.get(response["Location"]).content.decode()  # "no such page / question"
    assert Question.objects.count() == 6


def test_a_follow_up_opens_even_when_the_written_answers_are_longer_than_a_case(
    survey: Survey, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page = survey.why.page
    more = [
        building.save_question(
            supervisor, survey.questionnaire, QuestionInput(kind="text", text_zh=f"补充{n}", page_key=page.key)
        )
        for n in range(3)
    ]
    values = {survey.nps.key: "1", survey.why.key: "慢" * 4000, **{q.key: "长" * 4000 for q in more}}
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey.refresh(), values)
    follow_up = FollowUp.objects.get(response=response)
    body = Case.objects.get(pk=follow_up.case_id).submission.body
    # Cut to what a case takes, the last line still naming the response that holds every answer.
    assert 9_000 < len(body) <= 10_000 and str(response.pk) in body.splitlines()[-1]


def test_answers_of_another_questionnaire_are_never_linked(
    survey: Survey, supervisor: Any, dept: Any, client_for: Any
) -> None:
    from .conftest import build

    other = build(supervisor)
    theirs = submit(other.refresh(), {other.nps.key: "2", other.why.key: "别人的回答"})
    submit(survey.refresh(), {survey.nps.key: "2", survey.why.key: "排队太久"})
    action = factories.action(supervisor, supervisor, dept)
    client = staff(client_for, supervisor)
    answer = theirs.answers.get(question=other.why)
    response = client.post(
        f"/staff/questionnaires/{survey.questionnaire.pk}/results/link/", {"answers": [answer.pk], "action": action.pk}
    )
    assert "其中有的回答不属于这份问卷" in client.get(response["Location"]).content.decode()
    assert not AnswerAction.objects.exists()
