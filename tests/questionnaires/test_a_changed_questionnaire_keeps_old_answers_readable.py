from __future__ import annotations

from fankui.questionnaires.models import Answer, Question, Version
from fankui.questionnaires.services import building
from fankui.questionnaires.services.answering import submit
from fankui.questionnaires.services.building import QuestionInput

from .conftest import Survey


def test_editing_before_any_response_changes_the_version_in_place(survey: Survey, supervisor: object) -> None:
    building.save_question(
        supervisor, survey.questionnaire, QuestionInput(kind="nps", text_zh="新问法", required=True), key=survey.nps.key
    )
    assert Version.objects.filter(questionnaire=survey.questionnaire).count() == 1


def test_editing_after_a_response_makes_a_new_version_and_the_old_answers_keep_theirs(
    survey: Survey, supervisor: object
) -> None:
    old = submit(survey.questionnaire, {survey.nps.key: "9"})
    building.save_question(
        supervisor,
        survey.questionnaire,
        QuestionInput(kind="nps", text_zh="您会推荐我们吗？", required=True),
        key=survey.nps.key,
    )
    building.delete_question(supervisor, survey.questionnaire, survey.visit.key)
    questionnaire = survey.refresh()
    assert questionnaire.current_version.number == 2  # type: ignore[union-attr]
    # The old response still reads against version 1's question and text.
    answer = Answer.objects.select_related("question").get(response=old)
    assert answer.question.text_zh == "推荐意愿" and answer.question.version.number == 1
    assert Question.objects.filter(version__number=1, key=survey.visit.key).exists()
    # Version 2 kept the keys (results follow the same question) and the show-if link, remapped.
    new_nps = Question.objects.get(version=questionnaire.current_version, key=survey.nps.key)
    assert new_nps.text_zh == "您会推荐我们吗？"
    new_why = Question.objects.get(version=questionnaire.current_version, key=survey.why.key)
    assert new_why.show_if == new_nps
    assert not Question.objects.filter(version=questionnaire.current_version, key=survey.visit.key).exists()
    new = submit(questionnaire, {survey.nps.key: "10"})
    assert new.version.number == 2
    # A second edit goes into version 2 (no responses yet... it has one now, so version 3).
    building.add_page(supervisor, questionnaire, "第三页")
    assert survey.refresh().current_version.number == 3  # type: ignore[union-attr]
