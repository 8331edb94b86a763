"""One rule for a rating whose case is later marked as spam or abuse
(docs/decisions/0026-window-rectifications-and-spam-ratings.md): it is a rating, not a case figure, and counts in the
headline 满意率 (``actions.rates``) and in the five 好差评 rates (``surveys.rates``) alike, until an upheld appeal
takes it out with the reason shown. Before, the headline left it out silently while the 好差评 rates counted it, so
the dashboard showed two 满意率 for the same ratings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fankui.accounts.models import User
from fankui.actions import rates as headline
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import periods, queries
from fankui.surveys import rates
from fankui.surveys.queries import follow_ups_due
from fankui.surveys.services import decide_appeal, file_appeal, rate

pytestmark = pytest.mark.django_db


def both() -> tuple[tuple[int, int], tuple[int, int]]:
    """满意率 as the headline counts it and as 好差评 counts it, this month (numerator, denominator)."""
    month = periods.parse("2026-11")
    figure = headline.satisfaction(None, month.start, month.end)
    share = rates.total(month.start, month.end).satisfaction
    report = queries.build(queries.whole_organisation(), month)
    assert report.goodbad is not None
    shown = {r.key: r for r in report.rates}["satisfaction"]
    assert (shown.numerator, shown.denominator) == (figure.numerator, figure.denominator)
    assert report.goodbad.now.satisfaction == share
    return (figure.numerator, figure.denominator), (share.numerator, share.denominator)


def test_a_spam_mark_leaves_the_rating_in_every_rate_and_an_appeal_takes_it_out(
    replied: Callable[..., Case], handler: User, supervisor: User, dispatcher: User
) -> None:
    rate(replied(), 5)
    case = replied()
    rating = rate(case, 1, "你们都是骗子")
    moves.start(case, handler)
    moves.mark_spam(case, supervisor, "abuse", "反复恶意投诉")
    case.refresh_from_db()
    assert case.state == "spam"

    assert both() == ((1, 2), (1, 2))  # one rule: the headline and 好差评 agree
    assert rating in follow_ups_due(dispatcher)  # and the call list with the 回访率
    assert rates.total().follow_up_rate.denominator == 1

    appeal = file_appeal(rating, handler, "malicious", "来电人反复恶意投诉，已标记为恶意诉求。")
    decide_appeal(appeal, supervisor, True, "恶意差评")
    assert both() == ((1, 1), (1, 1))
    assert rating not in follow_ups_due(dispatcher)
    assert rates.excluded_reasons() == [(case.number, "恶意差评")]  # visibly, with the reason

    moves.unmark_spam(case, supervisor, "误标")
    assert both() == ((1, 1), (1, 1))  # the mark never moved a rating; the appeal did
