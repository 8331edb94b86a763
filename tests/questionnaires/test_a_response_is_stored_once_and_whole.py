from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from fankui.core.errors import Conflict, ValidationFailed
from fankui.questionnaires.models import Answer, Response
from fankui.questionnaires.services.answering import submit

from .conftest import Survey, choice


def full_answers(survey: Survey, nps: str = "9") -> dict[str, object]:
    return {
        survey.nps.key: nps,
        survey.visit.key: choice(survey.visit, "One"),
        survey.csat.key: "4",
        survey.problems.key: [choice(survey.problems, "Queues"), choice(survey.problems, "Papers")],
        survey.grid.key: {row.key: choice(survey.grid, "Good") for row in survey.grid.choices.filter(axis="row")},
    }


def test_a_complete_response_stores_one_row_per_value(survey: Survey) -> None:
    response = submit(survey.questionnaire, full_answers(survey))
    assert response.via == "public" and response.version == survey.questionnaire.current_version
    numbers = dict(
        Answer.objects.filter(response=response, number__isnull=False).values_list("question__kind", "number")
    )
    assert numbers == {"nps": 9, "csat": 4}
    assert Answer.objects.filter(response=response, question=survey.problems).count() == 2
    assert Answer.objects.filter(response=response, question=survey.grid).count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"nps": "11"}, "nps", "Please choose a number from 0 to 10."),
        ({"nps": "-1"}, "nps", "Please choose a number from 0 to 10."),
        ({"nps": "nine"}, "nps", "Please choose a number from 0 to 10."),
        ({"csat": "0"}, "csat", "Please choose a number from 1 to 5."),
        ({"nps": None}, "nps", "Please answer this question."),
        ({"visit": "nonsense"}, "visit", "Please choose one of the answers offered."),
        ({"visit": ["a", "b"]}, "visit", "Please choose only one answer."),
        ({"problems": ["nonsense"]}, "problems", "Please choose among the answers offered."),
    ],
)
def test_a_wrong_answer_is_refused_with_a_message_and_nothing_is_stored(
    survey: Survey, change: dict[str, object], field: str, message: str
) -> None:
    answers = full_answers(survey)
    for name, value in change.items():
        key = getattr(survey, name).key
        if value is None:
            answers.pop(key)
        else:
            answers[key] = value
    with pytest.raises(ValidationFailed) as error:
        submit(survey.questionnaire, answers)
    assert error.value.errors == {getattr(survey, field).field: [message]}
    assert Response.objects.count() == 0 and Answer.objects.count() == 0


def test_a_detractor_must_say_why_and_a_promoter_is_never_asked(survey: Survey) -> None:
    with pytest.raises(ValidationFailed) as error:
        submit(survey.questionnaire, full_answers(survey, nps="3"))
    assert error.value.errors == {survey.why.field: ["Please answer this question."]}
    promoter = {**full_answers(survey, nps="10"), survey.why.key: "sent by a crafted form"}
    response = submit(survey.questionnaire, promoter)
    # The hidden question's answer is dropped, never stored.
    assert not Answer.objects.filter(response=response, question=survey.why).exists()


def test_the_database_refuses_a_value_stored_twice(survey: Survey) -> None:
    response = submit(survey.questionnaire, full_answers(survey))
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=survey.nps, number=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=survey.csat, number=12)


def test_a_draft_questionnaire_takes_no_response(supervisor: object) -> None:
    from .conftest import build

    survey = build(supervisor)  # type: ignore[arg-type]
    survey.questionnaire.state = "draft"
    survey.questionnaire.save()
    with pytest.raises(Conflict, match="not open yet"):
        submit(survey.questionnaire, full_answers(survey))
