"""Events about words a person wrote refer to the row that holds them (erasure masks it there); the timelines read
the words from that row, all of a kind in one query, and events recorded before keep their own message."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fankui.accounts.models import User
from fankui.audit import labels
from fankui.audit.services import record_event
from fankui.sla.models import InfoRequest
from tests import factories


def test_the_referenced_row_wins_and_old_events_keep_their_words(db: None, handler: User) -> None:
    case = factories.case()
    info = InfoRequest.objects.create(case=case, question="哪一栋？", asked_by=handler, asked_at=timezone.now())
    # As recorded before the change: the words copied, and (the question) a reference too.
    old_rating = record_event(case, "rate_unsatisfied", actor_kind="citizen", message="旧的评论", data={"rating": 2})
    old_question = record_event(case, "sla_info_requested", message="copied question", data={"request": info.pk})
    unknown = record_event(case, "sla_resumed", actor_kind="citizen", data={"request": info.pk, "answer": 0})
    words = labels.with_words([old_rating, old_question, unknown])
    assert [e.message for e in words] == ["旧的评论", "哪一栋？", ""]


def test_one_query_for_all_the_answers(db: None, handler: User, django_assert_num_queries: Any) -> None:
    events = []
    for n in range(3):
        case = factories.case()
        info = InfoRequest.objects.create(
            case=case, question="?", asked_by=handler, asked_at=timezone.now(), answer=f"答复{n}"
        )
        events.append(
            record_event(case, "sla_resumed", actor_kind="citizen", data={"request": info.pk, "answer": info.pk})
        )
    with django_assert_num_queries(1):
        assert [e.message for e in labels.with_words(events)] == ["答复0", "答复1", "答复2"]
