"""A small published questionnaire built through the builder's services: page 1 has an NPS (required) and a
single choice; page 2 a free text shown only to detractors (NPS 0-6), a CSAT, a multiple choice and a matrix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation

from fankui.accounts.models import Department, User
from fankui.questionnaires.models import Question, Questionnaire, State
from fankui.questionnaires.services import building
from fankui.questionnaires.services.building import ChoiceInput, QuestionInput, Settings


@dataclass
class Survey:
    questionnaire: Questionnaire
    nps: Question
    visit: Question
    why: Question
    csat: Question
    problems: Question
    grid: Question

    def refresh(self) -> Questionnaire:
        self.questionnaire.refresh_from_db()
        return self.questionnaire


def build(user: User, department: Department | None = None, **settings: object) -> Survey:
    data = Settings(title_zh="服务满意度", title_en="Service satisfaction", department=department)
    for name, value in settings.items():
        setattr(data, name, value)
    questionnaire = building.create(user, data)
    first = questionnaire.current_version.pages.get()  # type: ignore[union-attr]
    second = building.add_page(user, questionnaire, "细节", "Details")
    nps = building.save_question(
        user,
        questionnaire,
        QuestionInput(
            kind="nps", text_zh="推荐意愿", text_en="Would you recommend us?", required=True, page_key=first.key
        ),
    )
    visit = building.save_question(
        user,
        questionnaire,
        QuestionInput(
            kind="single",
            text_zh="来访次数",
            text_en="Visits",
            page_key=first.key,
            options=[ChoiceInput("一次", "One"), ChoiceInput("两次", "Two"), ChoiceInput("多次", "More")],
        ),
    )
    why = building.save_question(
        user,
        questionnaire,
        QuestionInput(
            kind="text",
            text_zh="哪里做得不好？",
            text_en="What went wrong?",
            required=True,
            page_key=second.key,
            show_if_key=nps.key,
            show_if_min=0,
            show_if_max=6,
        ),
    )
    csat = building.save_question(
        user, questionnaire, QuestionInput(kind="csat", text_zh="满意度", text_en="Satisfaction", page_key=second.key)
    )
    problems = building.save_question(
        user,
        questionnaire,
        QuestionInput(
            kind="multiple",
            text_zh="遇到的问题",
            text_en="Problems",
            page_key=second.key,
            options=[ChoiceInput("排队", "Queues"), ChoiceInput("态度", "Attitude"), ChoiceInput("材料", "Papers")],
        ),
    )
    grid = building.save_question(
        user,
        questionnaire,
        QuestionInput(
            kind="matrix",
            text_zh="请打分",
            text_en="Please rate",
            page_key=second.key,
            options=[ChoiceInput("好", "Good", score=2), ChoiceInput("差", "Poor", score=1)],
            rows=[ChoiceInput("流程", "Procedure"), ChoiceInput("态度", "Attitude")],
        ),
    )
    building.set_state(user, questionnaire, State.PUBLISHED)
    questionnaire.refresh_from_db()
    return Survey(questionnaire, nps, visit, why, csat, problems, grid)


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    # Services' messages are asserted in English; pages choose their language from the request.
    with translation.override("en"):
        yield


@pytest.fixture
def survey(supervisor: User) -> Survey:
    return build(supervisor)


def choice(question: Question, label_en: str) -> str:
    return question.choices.get(label_en=label_en).key
