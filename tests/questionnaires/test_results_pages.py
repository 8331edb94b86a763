"""The results pages through the test client: scoped like the builder, recorded in the audit trail, the export
masked, formula-safe and recorded as an export, free-text answers read by the analysis and linked to an action."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from fankui.accounts.models import Role
from fankui.audit.models import Entry
from fankui.questionnaires.models import AnswerAction, TextReading
from fankui.questionnaires.services.answering import submit
from tests import factories

from .conftest import Survey, build, choice


def fill(survey: Survey) -> None:
    q = survey.refresh()
    submit(q, {survey.nps.key: "10", survey.visit.key: choice(survey.visit, "Two"), survey.csat.key: "5"})
    submit(q, {survey.nps.key: "2", survey.why.key: '=HYPERLINK("http://x") 排队太久，我的电话13800138000'})
    submit(q, {survey.nps.key: "5", survey.why.key: "工作人员态度很差，排队太久"})


def test_the_results_page_shows_the_figures_and_is_audited(survey: Survey, supervisor: Any, client_for: Any) -> None:
    fill(survey)
    client = client_for(supervisor)
    page = client.get(reverse("questionnaires:results", args=[survey.questionnaire.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "-33.3" in html  # one promoter, two detractors of three
    assert Entry.objects.filter(kind="questionnaire", data__do="results").exists()
    # The texts were read by the analysis (masked, sentiment, keywords).
    readings = list(TextReading.objects.all())
    assert len(readings) == 2 and all(r.sentiment for r in readings)
    assert all("13800138000" not in r.masked_text for r in readings)
    crossed = client.get(
        reverse("questionnaires:results", args=[survey.questionnaire.pk]),
        {"by": survey.visit.key, "of": survey.nps.key},
    )
    assert crossed.status_code == 200 and "crosstab" in crossed.content.decode()


def test_bad_filters_give_a_message_not_an_error(survey: Survey, supervisor: Any, client_for: Any) -> None:
    client = client_for(supervisor)
    url = reverse("questionnaires:results", args=[survey.questionnaire.pk])
    for query in (
        {"version": "99"},
        {"since": "not a day"},
        {"since": "2026-12-01", "until": "2026-01-01"},
        {"by": "x" * 40, "of": "?"},
        {"by": "nope", "of": "nope"},
    ):
        assert client.get(url, query).status_code == 200


def test_results_are_scoped_to_the_department(supervisor: Any, dept: Any, other_dept: Any, client_for: Any) -> None:
    survey = build(supervisor, department=dept)
    mine = factories.user(Role.DEPT_HEAD, dept)
    other = factories.user(Role.DEPT_HEAD, other_dept)
    url = reverse("questionnaires:results", args=[survey.questionnaire.pk])
    assert client_for(mine).get(url).status_code == 200
    assert client_for(other).get(url).status_code == 404
    export = reverse("questionnaires:results_export", args=[survey.questionnaire.pk])
    assert client_for(other).get(export, {"format": "csv"}).status_code == 404


def test_the_csv_export_is_masked_formula_safe_and_audited(survey: Survey, supervisor: Any, client_for: Any) -> None:
    fill(survey)
    url = reverse("questionnaires:results_export", args=[survey.questionnaire.pk])
    response = client_for(supervisor).get(url, {"format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    # The export speaks the site's language (Chinese unless the user chose English).
    with translation.override("zh-hans"):
        header = gettext("Response")
    assert len(rows) == 4 and rows[0][0] == header
    assert "13800138000" not in text and "138****8000" in text
    written = [cell for row in rows for cell in row if "HYPERLINK" in cell]
    assert written and all(cell.startswith("'=") for cell in written)
    assert "两次" in text  # a choice as its label (the page is in Chinese)
    assert Entry.objects.filter(kind="export", data__what="questionnaire", data__format="csv").exists()


def test_the_xlsx_export_opens(survey: Survey, supervisor: Any, client_for: Any) -> None:
    fill(survey)
    url = reverse("questionnaires:results_export", args=[survey.questionnaire.pk])
    response = client_for(supervisor).get(url, {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert any(v.startswith("'=HYPERLINK") for v in values)
    assert not any("13800138000" in v for v in values)


def test_a_bad_export_format_gives_a_message(survey: Survey, supervisor: Any, client_for: Any) -> None:
    url = reverse("questionnaires:results_export", args=[survey.questionnaire.pk])
    response = client_for(supervisor).get(url, {"format": "exe"})
    assert response.status_code == 302
    assert not Entry.objects.filter(kind="export").exists()


def test_text_answers_are_linked_to_an_improvement_action(
    survey: Survey, supervisor: Any, dept: Any, client_for: Any
) -> None:
    fill(survey)
    client = client_for(supervisor)
    page = client.get(reverse("questionnaires:results_texts", args=[survey.questionnaire.pk]))
    assert page.status_code == 200 and "138****8000" in page.content.decode()
    action = factories.action(supervisor, supervisor, dept)
    ids = list(TextReading.objects.values_list("answer_id", flat=True))
    link = reverse("questionnaires:results_link", args=[survey.questionnaire.pk])
    response = client.post(link, {"answers": ids, "action": action.pk})
    assert response.status_code == 302
    assert AnswerAction.objects.filter(action=action).count() == 2
    # Again: nothing twice; bad input: a message, nothing linked.
    client.post(link, {"answers": ids, "action": action.pk})
    assert AnswerAction.objects.count() == 2
    for data in (
        {"answers": ids, "action": "x"},
        {"answers": ["abc"], "action": action.pk},
        {"action": action.pk},
        {"answers": [999999], "action": action.pk},
        {"answers": ids, "action": 999999},
    ):
        assert client.post(link, data).status_code == 302
    assert AnswerAction.objects.count() == 2
    shown = client.get(
        reverse("questionnaires:results_texts", args=[survey.questionnaire.pk]), {"sentiment": "negative"}
    )
    assert shown.status_code == 200
