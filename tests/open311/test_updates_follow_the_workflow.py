"""FixMyStreet's servicerequestupdates: a client pulls every change of its own requests, with FixMyStreet's
extended statuses mapped from our workflow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client

from fankui.accounts.models import Department, User
from fankui.cases.models import Case, Category
from fankui.cases.services import moves
from fankui.cases.workflow import State
from fankui.core.vocab import Kind
from fankui.open311 import queries, services
from fankui.surveys.services import rate
from tests import factories

from .conftest import parsed, post_request


def test_each_move_is_an_update_with_fixmystreets_status(
    en: Client,
    key: str,
    lamps: Category,
    dispatcher: User,
    dept: Department,
    handler: User,
    supervisor: User,
    _frozen_time: time_machine.Coordinates,
    settings: Any,
) -> None:
    settings.FANKUI_OPEN311_PUBLIC_REPLIES = True  # a centre that chose to show its replies (docs/open311.md)
    [answer] = parsed(post_request(en, key, lamps))
    case = Case.objects.get()
    for move in (
        lambda: moves.accept(case, dispatcher),
        lambda: moves.dispatch(case, dispatcher, dept),
        lambda: moves.start(case, handler),
        lambda: moves.reply(case, handler, "王建军所长已安排维修，三日内修复。"),
        lambda: rate(case, 1, "还是不亮"),
        lambda: moves.start(case, handler),
    ):
        _frozen_time.shift(timedelta(minutes=10))
        move()

    updates = parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}"))

    assert [u["status"] for u in updates] == [
        "investigating",
        "action_scheduled",
        "in_progress",
        "closed",
        "in_progress",
        "in_progress",
    ]
    assert {u["service_request_id"] for u in updates} == {answer["service_request_id"]}
    assert updates[0]["updated_datetime"] == "2026-11-16T10:10:00+08:00"
    reply = updates[3]
    assert "三日内修复" in reply["description"] and "王建军" not in reply["description"]
    assert "还是不亮" not in str(updates)  # the citizen's rating comment is theirs
    assert len({u["update_id"] for u in updates}) == 6

    root = parsed(en.get(f"/open311/v2/servicerequestupdates.xml?api_key={key}"))
    assert root.tag == "service_request_updates"
    assert [u.findtext("status") for u in root.findall("request_update")] == [u["status"] for u in updates]


def test_the_window_picks_updates_by_when_they_happened(
    en: Client, key: str, lamps: Category, dispatcher: User, _frozen_time: time_machine.Coordinates
) -> None:
    post_request(en, key, lamps)
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    _frozen_time.shift(timedelta(days=2))
    moves.reject(case, dispatcher, "不属于受理范围")

    def statuses(query: str) -> list[str]:
        return [u["status"] for u in parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}{query}"))]

    assert statuses("") == ["investigating", "not_councils_responsibility"]
    assert statuses("&start_date=2026-11-17T00:00:00%2B08:00") == ["not_councils_responsibility"]
    assert statuses("&end_date=2026-11-17T00:00:00%2B08:00") == ["investigating"]


def test_a_client_sees_only_its_own_requests(en: Client, key: str, lamps: Category, dispatcher: User) -> None:
    _other, other_key = services.issue_client("另一个App")
    post_request(en, other_key, lamps)
    web = factories.case()
    moves.accept(Case.objects.get(open311__isnull=False), dispatcher)
    moves.accept(web, dispatcher)

    assert parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}")) == []
    assert len(parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={other_key}"))) == 1


def test_a_reports_updates_carry_no_text(
    en: Client, key: str, lamps: Category, dispatcher: User, dept: Department, handler: User
) -> None:
    post_request(en, key, lamps, **{"attribute[kind]": Kind.REPORT})
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "经查，举报的商户已被查处。")

    updates = parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}"))

    assert updates[-1]["status"] == "closed"
    assert "查处" not in str(updates)


def test_merged_and_spam_read_as_duplicate_and_not_responsible(
    en: Client, key: str, lamps: Category, dispatcher: User
) -> None:
    post_request(en, key, lamps, **{"attribute[external_id]": "1"})
    post_request(en, key, lamps, description="又一个", **{"attribute[external_id]": "2"})
    first, second = Case.objects.order_by("pk")
    moves.merge(first, dispatcher, factories.case())
    moves.mark_spam(second, dispatcher, "spam", "广告")

    updates = parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}"))

    assert [u["status"] for u in updates] == ["duplicate", "not_councils_responsibility"]
    assert "spam" not in str(updates).lower() and "广告" not in str(updates)


def test_every_state_has_an_extended_status_from_fixmystreets_list() -> None:
    fixmystreet = {
        "open",
        "investigating",
        "in_progress",
        "action_scheduled",
        "duplicate",
        "not_councils_responsibility",
        "unable_to_fix",
        "no_further_action",
        "internal_referral",
        "fixed",
        "closed",
    }
    for state in State.values:
        assert queries.extended_status(state) in fixmystreet
        assert queries.status(state) in {"open", "closed"}
