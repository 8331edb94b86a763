from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from fankui.questionnaires.models import Kind, Question, Questionnaire
from fankui.questionnaires.services import shipped
from fankui.questionnaires.services.answering import Form, shown


@pytest.mark.parametrize("key", shipped.KEYS)
def test_every_template_copies_into_a_bilingual_draft(supervisor: Any, key: str) -> None:
    questionnaire = shipped.copy(supervisor, key)
    assert questionnaire.state == "draft" and questionnaire.template == key
    assert questionnaire.title_zh and questionnaire.title_en and questionnaire.intro_zh and questionnaire.intro_en
    questions = Question.objects.filter(version=questionnaire.current_version)
    assert questions.count() >= 5
    for question in questions:
        assert question.text_zh and question.text_en, question.key
        for choice in question.choices.all():
            assert choice.label_zh and choice.label_en
    assert {q.kind for q in questions} & {Kind.NPS, Kind.CSAT, Kind.CES}


def test_the_company_template_is_anonymous() -> None:
    assert shipped.load("company_staff")["anonymous"] is True


def test_the_hospital_template_asks_detractors_what_to_improve(supervisor: Any) -> None:
    questionnaire = shipped.copy(supervisor, "hospital_patient")
    form = Form.of(questionnaire.current_version)  # type: ignore[arg-type]
    nps = next(q for q in form.questions if q.kind == Kind.NPS)
    improve = next(q for q in form.questions if q.show_if_id == nps.pk)
    assert improve.key in shown(form, {nps.key: "5"})
    assert improve.key not in shown(form, {nps.key: "9"})


def test_the_builder_starts_from_a_template(client_for: Any, supervisor: Any) -> None:
    client: Client = client_for(supervisor)
    page = client.post("/staff/questionnaires/new/", {"template": "school_parents", "title_zh": "", "public": "on"})
    questionnaire = Questionnaire.objects.get()
    assert page.status_code == 302 and questionnaire.title_zh == "家长评教问卷"


def test_the_command_lists_and_copies(supervisor: Any) -> None:
    out = StringIO()
    call_command("questionnaire_templates", stdout=out)
    assert "政务服务满意度调查" in out.getvalue() and "Patient satisfaction survey" in out.getvalue()
    call_command("questionnaire_templates", copy="government_service", user=supervisor.username, stdout=out)
    assert Questionnaire.objects.get().template == "government_service"
    with pytest.raises(CommandError, match="No such template"):
        call_command("questionnaire_templates", copy="nonsense", user=supervisor.username)


def test_the_government_template_asks_the_dissatisfied_what_went_wrong(supervisor: Any) -> None:
    questionnaire = shipped.copy(supervisor, "government_service")
    form = Form.of(questionnaire.current_version)  # type: ignore[arg-type]
    overall = next(q for q in form.questions if q.kind == Kind.SINGLE)
    why = next(q for q in form.questions if q.show_if_id == overall.pk)
    by_label = {c.label_en: c.key for c in overall.options}  # type: ignore[attr-defined]
    assert why.key in shown(form, {overall.key: by_label["Very dissatisfied"]})
    assert why.key not in shown(form, {overall.key: by_label["Very satisfied"]})
