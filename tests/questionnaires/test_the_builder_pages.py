from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fankui.accounts.models import Department, Role
from fankui.audit.models import Entry
from fankui.questionnaires.models import Choice, Question, Questionnaire
from fankui.questionnaires.services import building
from fankui.questionnaires.services.building import Settings
from tests import factories

from .conftest import Survey, build


def staff(client_for: Any, user: Any) -> Client:
    client: Client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_supervisor_creates_a_questionnaire_and_it_is_audited(client_for: Any, supervisor: Any) -> None:
    client = staff(client_for, supervisor)
    assert "New questionnaire" in client.get("/staff/questionnaires/").content.decode()
    page = client.post(
        "/staff/questionnaires/new/", {"title_zh": "窗口服务评价", "title_en": "Window service", "public": "on"}
    )
    questionnaire = Questionnaire.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/staff/questionnaires/{questionnaire.pk}/"
    assert questionnaire.state == "draft" and questionnaire.created_by == supervisor
    assert Entry.objects.filter(kind="questionnaire", target=f"questionnaire:{questionnaire.pk}").exists()
    assert "Window service" in client.get(page["Location"]).content.decode()


def test_a_title_missing_or_dates_the_wrong_way_round_are_shown_beside_their_fields(
    client_for: Any, supervisor: Any
) -> None:
    client = staff(client_for, supervisor)
    page = client.post(
        "/staff/questionnaires/new/",
        {"title_zh": "", "opens_at": "2026-12-01T09:00", "closes_at": "2026-11-30T09:00"},
    )
    assert page.status_code == 422
    assert "Please give the title in Chinese." in page.content.decode()
    page = client.post(
        "/staff/questionnaires/new/",
        {"title_zh": "调查", "opens_at": "2026-12-01T09:00", "closes_at": "2026-11-30T09:00"},
    )
    assert page.status_code == 422 and "The questionnaire must close after it opens." in page.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_question_with_choices_and_show_if_is_built_with_the_forms(
    client_for: Any, supervisor: Any, survey: Survey
) -> None:
    client = staff(client_for, supervisor)
    pk = survey.questionnaire.pk
    page_key = survey.why.page.key
    visit_once = survey.visit.choices.get(label_en="One").key
    form = client.get(f"/staff/questionnaires/{pk}/questions/new/?page={page_key}")
    assert form.status_code == 200 and "options-TOTAL_FORMS" in form.content.decode()
    data = {
        "page": page_key,
        "kind": "single",
        "text_zh": "下次还来吗？",
        "text_en": "Will you come again?",
        "required": "on",
        "scale_min": "1",
        "scale_max": "5",
        "show_if": survey.visit.key,
        "show_if_values": [visit_once],
        "options-TOTAL_FORMS": "3",
        "options-INITIAL_FORMS": "0",
        "options-0-label_zh": "会",
        "options-0-label_en": "Yes",
        "options-1-label_zh": "不会",
        "options-1-label_en": "No",
        "options-2-label_zh": "",
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
    }
    saved = client.post(f"/staff/questionnaires/{pk}/questions/new/", data)
    assert saved.status_code == 302
    question = Question.objects.get(text_zh="下次还来吗？")
    assert question.required and question.show_if == survey.visit and question.show_if_values == [visit_once]
    assert list(question.choices.values_list("label_en", flat=True)) == ["Yes", "No"]
    # One choice only: refused beside the choices, nothing saved.
    data["options-1-label_zh"] = ""
    data["text_zh"] = "另一题"
    refused = client.post(f"/staff/questionnaires/{pk}/questions/new/", data)
    assert refused.status_code == 422
    assert "Please give at least two choices" in refused.content.decode()
    assert not Question.objects.filter(text_zh="另一题").exists()


def test_publishing_moving_and_deleting(client_for: Any, supervisor: Any, survey: Survey) -> None:
    client = staff(client_for, supervisor)
    pk = survey.questionnaire.pk
    client.post(f"/staff/questionnaires/{pk}/questions/{survey.visit.key}/move/up/")
    assert Question.objects.get(pk=survey.visit.pk).position == 1
    client.post(f"/staff/questionnaires/{pk}/questions/{survey.problems.key}/delete/")
    assert not Question.objects.filter(pk=survey.problems.pk).exists()
    assert not Choice.objects.filter(question_id=survey.problems.pk).exists()
    client.post(f"/staff/questionnaires/{pk}/state/closed/")
    assert survey.refresh().state == "closed"
    assert client.get(f"/staff/questionnaires/{pk}/qr.svg").content.startswith(b"<?xml")
    assert client.get(f"/staff/questionnaires/{pk}/qr.png").content.startswith(b"\x89PNG")


@pytest.fixture
def their_department() -> Department:
    return factories.department("市教育局")


def test_a_department_sees_and_edits_only_its_own(
    client_for: Any, supervisor: Any, dept: Department, their_department: Department
) -> None:
    ours = build(supervisor, department=dept)
    theirs = build(supervisor, department=their_department)
    head = factories.user(Role.DEPT_HEAD, dept)
    handler = factories.user(Role.HANDLER, dept)
    client = staff(client_for, head)
    listing = client.get("/staff/questionnaires/").content.decode()
    assert f"/staff/questionnaires/{ours.questionnaire.pk}/" in listing
    assert f"/staff/questionnaires/{theirs.questionnaire.pk}/" not in listing
    assert client.get(f"/staff/questionnaires/{theirs.questionnaire.pk}/").status_code == 404
    assert client.get(f"/staff/questionnaires/{ours.questionnaire.pk}/settings/").status_code == 200
    # A head may not put a questionnaire in another department.
    refused = client.post("/staff/questionnaires/new/", {"title_zh": "调查", "department": their_department.pk})
    assert refused.status_code == 422
    reader = staff(client_for, handler)
    assert reader.get(f"/staff/questionnaires/{ours.questionnaire.pk}/").status_code == 200
    assert reader.get(f"/staff/questionnaires/{ours.questionnaire.pk}/settings/").status_code == 403
    assert reader.post(f"/staff/questionnaires/{ours.questionnaire.pk}/state/closed/").status_code == 403
    assert reader.get("/staff/questionnaires/new/").status_code == 403
    assert Client().get("/staff/questionnaires/").status_code == 302  # to the login


def test_the_service_refuses_a_builder_outside_its_scope(dept: Department, their_department: Department) -> None:
    head = factories.user(Role.DEPT_HEAD, dept)
    from fankui.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        building.create(head, Settings(title_zh="调查", department=their_department))
