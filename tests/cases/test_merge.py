from __future__ import annotations

import pytest

from fankui.accounts.models import User
from fankui.cases import queries
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.errors import Conflict, ValidationFailed
from tests import factories


@pytest.mark.django_db
def test_a_merged_case_follows_its_primary(dispatcher: User) -> None:
    primary, duplicate = factories.case(), factories.case()
    moves.merge(duplicate, dispatcher, primary)
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED
    assert queries.followed_case(duplicate) == primary
    assert primary.events.filter(action="merge_in", public=False).exists()


@pytest.mark.django_db
def test_duplicates_of_a_duplicate_move_to_the_new_primary(dispatcher: User) -> None:
    a, b, c = factories.case(), factories.case(), factories.case()
    moves.merge(b, dispatcher, a)  # b -> a
    moves.merge(a, dispatcher, c)  # a -> c, so b must follow c
    b.refresh_from_db()
    assert b.merged_into_id == c.pk


@pytest.mark.django_db
def test_a_case_cannot_be_merged_into_itself_or_into_a_rejected_case(dispatcher: User) -> None:
    case, rejected = factories.case(), factories.case()
    moves.reject(rejected, dispatcher, "不属于受理范围")
    with pytest.raises(ValidationFailed):
        moves.merge(case, dispatcher, case)
    with pytest.raises(Conflict):
        moves.merge(case, dispatcher, rejected)
    case.refresh_from_db()
    assert case.state == State.RECEIVED
