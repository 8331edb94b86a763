"""Results: NPS, CSAT, CES, distributions, waves (versions), months, cross-tabs and the response rate, counted on a
real database from responses stored through ``answering.submit``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from fankui.questionnaires.models import Invitation
from fankui.questionnaires.services import building, crosstab, results
from fankui.questionnaires.services.answering import submit
from fankui.questionnaires.services.building import ChoiceInput, QuestionInput

from .conftest import Survey, choice


def answer(survey: Survey, nps: int, csat: int | None = None, visit: str = "One", **more: Any) -> None:
    values: dict[str, Any] = {survey.nps.key: str(nps), survey.visit.key: choice(survey.visit, visit)}
    if nps <= 6:
        values[survey.why.key] = more.pop("why", "排队太久")
    if csat is not None:
        values[survey.csat.key] = str(csat)
    values.update(more)
    submit(survey.refresh(), values)


def test_nps_csat_and_distributions(survey: Survey) -> None:
    # 3 promoters, 1 passive, 2 detractors: (3 - 2) / 6 = 16.7
    for nps, csat in [(10, 5), (9, 4), (9, 5), (8, 3), (3, 1), (6, 2)]:
        answer(survey, nps, csat)
    r = results.rollup(survey.refresh())
    assert r.responses == 6
    nps = r.question(survey.nps.key)
    assert nps is not None and nps.figure == 16.7 and nps.answered == 6
    assert [b.count for b in nps.bars] == [0, 0, 0, 1, 0, 0, 1, 0, 1, 2, 1]
    csat = r.question(survey.csat.key)
    assert csat is not None and csat.figure == 50.0  # 4 and 5: three of six
    assert [h.key for h in r.headline] == [survey.nps.key, survey.csat.key]
    visits = r.question(survey.visit.key)
    assert visits is not None and [(b.label, b.count, b.share) for b in visits.bars] == [
        ("One", 6, 100.0),
        ("Two", 0, 0.0),
        ("More", 0, 0.0),
    ]
    why = r.question(survey.why.key)
    assert why is not None and why.texts == 2
    assert r.response_rate is None  # no invitations


def test_figures_of_nothing_are_none() -> None:
    assert results.nps({}) is None and results.csat({}) is None and results.mean({}) is None
    assert results.nps({0: 1}) == -100.0 and results.nps({10: 2}) == 100.0
    assert results.mean({1: 1, 7: 1}) == 4.0


def test_a_multiple_choice_counts_respondents_and_a_matrix_its_rows(survey: Survey) -> None:
    both = [choice(survey.problems, "Queues"), choice(survey.problems, "Attitude")]
    answer(survey, 9, **{survey.problems.key: both})
    answer(survey, 9, **{survey.problems.key: both[:1]})
    grid = {survey.grid.choices.get(label_en="Procedure").key: choice(survey.grid, "Poor")}
    answer(survey, 10, **{survey.grid.key: grid})
    r = results.rollup(survey.refresh())
    problems = r.question(survey.problems.key)
    assert problems is not None and problems.answered == 2
    assert [(b.label, b.count, b.share) for b in problems.bars][:2] == [("Queues", 2, 100.0), ("Attitude", 1, 50.0)]
    matrix = r.question(survey.grid.key)
    assert matrix is not None and matrix.rows[0][0] == "Procedure"
    assert [(b.label, b.count) for b in matrix.rows[0][1]] == [("Poor", 1)]


def test_answers_are_read_against_their_own_version_and_waves_are_versions(survey: Survey, supervisor: Any) -> None:
    answer(survey, 10, visit="Two")
    answer(survey, 2, visit="One")
    # Version 2: the choice "Two" is renamed; its old answers keep counting under the same key.
    q = survey.refresh()
    two = survey.visit.choices.get(label_en="Two")
    building.save_question(
        supervisor,
        q,
        QuestionInput(
            kind="single",
            text_zh="来访次数",
            text_en="How many visits",
            page_key=survey.visit.page.key,
            options=[
                ChoiceInput("一次", "One", key=survey.visit.choices.get(label_en="One").key),
                ChoiceInput("两次", "Twice", key=two.key),
                ChoiceInput("多次", "More", key=survey.visit.choices.get(label_en="More").key),
            ],
        ),
        key=survey.visit.key,
    )
    q = survey.refresh()
    assert q.current_version is not None and q.current_version.number == 2
    submit(q, {survey.nps.key: "9", survey.visit.key: two.key})
    r = results.rollup(q)
    visits = r.question(survey.visit.key)
    assert visits is not None and visits.text == "How many visits"
    assert [(v.number, v.answered) for v in visits.versions] == [(2, 1), (1, 2)]
    assert {b.label: b.count for b in visits.bars}["Twice"] == 2
    assert [(w.label, w.responses, w.figures[survey.nps.key]) for w in r.waves] == [
        ("Version 1", 2, 0.0),
        ("Version 2", 1, 100.0),
    ]
    only_first = results.rollup(q, results.Filters(version=1))
    assert only_first.responses == 2


def test_months_and_a_date_filter(survey: Survey) -> None:
    answer(survey, 10)
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        answer(survey, 0)
        later = timezone.localdate()
    r = results.rollup(survey.refresh())
    assert [(m.responses, m.figures[survey.nps.key]) for m in r.months] == [(1, 100.0), (1, -100.0)]
    recent = results.rollup(survey.refresh(), results.Filters(since=later))
    assert recent.responses == 1
    nps = recent.question(survey.nps.key)
    assert nps is not None and nps.figure == -100.0


def test_cross_tabs_by_channel_and_by_a_choice_question(survey: Survey, supervisor: Any) -> None:
    answer(survey, 10, visit="One")
    answer(survey, 0, visit="Two")
    answer(survey, 9, visit="Two")
    r = results.rollup(survey.refresh())
    by_visit = crosstab.cross_tab(r, survey.visit.key, survey.nps.key)
    assert by_visit is not None
    assert [(row.label, row.answered, row.figure) for row in by_visit.rows] == [("One", 1, 100.0), ("Two", 2, 0.0)]
    assert by_visit.rows[1].shares[0] == 50.0 and by_visit.rows[1].shares[9] == 50.0
    by_channel = crosstab.cross_tab(r, "via", survey.nps.key)
    assert by_channel is not None and [(row.label, row.answered) for row in by_channel.rows] == [("Public link", 3)]
    assert crosstab.cross_tab(r, "nope", survey.nps.key) is None
    assert crosstab.cross_tab(r, "via", survey.why.key) is None  # free text has no figure


def test_the_response_rate_is_invitations_answered_over_made(survey: Survey) -> None:
    q = survey.refresh()
    for n in range(4):
        Invitation.objects.create(
            questionnaire=q, channel="sms", address=f"1380013800{n}", address_hash=str(n), nonce=str(n)
        )
    invitation = Invitation.objects.first()
    submit(q, {survey.nps.key: "8"}, invitation=invitation)
    r = results.rollup(survey.refresh())
    assert (r.invitations, r.invitations_answered, r.response_rate) == (4, 1, 25.0)
    assert r.by_via == {"invitation": 1}
