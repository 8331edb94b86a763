from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.insights import periods, queries
from fankui.surveys.services import rate

pytestmark = pytest.mark.django_db


def test_it_follows_each_bad_rating_to_what_happened_after(
    walk: Callable[..., Case], at: Callable[[str], AbstractContextManager[object]], handler: User
) -> None:
    fixed = walk("2026-11-02 09:00", to="reopened", level=2)
    with at("2026-11-03 09:00"):
        moves.reply(fixed, handler, "已重新处理。")
        rate(fixed, 4)
    replied_only = walk("2026-11-04 09:00", to="reopened", level=1)
    with at("2026-11-05 09:00"):
        moves.reply(replied_only, handler, "再次答复。")
    walk("2026-11-06 09:00", to="reopened", level=1)
    walk("2026-11-06 09:00", to="closed", level=5)
    walk("2026-10-06 09:00", to="reopened", level=2)

    bad = queries.bad_ratings(queries.whole_organisation(), periods.parse("2026-11"))

    assert (bad.total, bad.previous) == (3, 1)
    assert {r.key: r.count for r in bad.by_level} == {2: 1, 1: 2}
    assert (bad.replied_again, bad.rated_again, bad.satisfied_after, bad.closed_now) == (2, 1, 1, 1)
    rows = {r.number: r for r in bad.rows}
    assert rows[fixed.number].satisfied_after and rows[fixed.number].state == "Closed"
    assert rows[replied_only.number].replied_again and not rows[replied_only.number].rated_again
