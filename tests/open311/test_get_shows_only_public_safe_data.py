"""GET requests needs no key, so it shows only what may be public (docs/open311.md, "What a GET shows")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.test import Client
from django.utils import timezone

from fankui.accounts.models import Department, User
from fankui.cases.models import Case, Category
from fankui.cases.services import moves
from fankui.core.vocab import Kind
from tests import factories

from .conftest import parsed, post_request

CITIZEN_WORDS = "我叫王小明，电话13800138000，住幸福小区3栋，门口的路灯坏了一个月。"


def test_a_request_shows_status_category_department_and_no_personal_data(
    en: Client, key: str, lamps: Category, dispatcher: User, dept: Department, handler: User, policies: int
) -> None:
    [answer] = parsed(
        post_request(
            en,
            key,
            lamps,
            description=CITIZEN_WORDS,
            first_name="小明",
            last_name="王",
            phone="13800138000",
            address_string="幸福小区3栋",
        )
    )
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)

    response = en.get(f"/open311/v2/requests/{answer['service_request_id']}.json")

    [shown] = parsed(response)
    assert shown["status"] == "open"
    assert (shown["service_code"], shown["service_name"]) == (str(lamps.pk), "路灯维修")
    assert shown["agency_responsible"] == dept.name
    assert shown["requested_datetime"] == "2026-11-16T10:00:00+08:00"
    reply_clock = case.sla_clocks.get(stage="reply")
    assert shown["expected_datetime"] == timezone.localtime(reply_clock.deadline).isoformat()
    assert shown["expected_datetime"].endswith("+08:00")
    text = response.content.decode()
    for private in ("王小明", "13800138000", "幸福小区", "路灯坏了", case.tracking_code, case.number, "28.2282"):
        assert private not in text
    assert (shown["description"], shown["lat"], shown["address"]) == ("", None, "")


def test_a_replied_request_is_closed_with_the_reply_masked(
    en: Client, key: str, lamps: Category, dispatcher: User, dept: Department, handler: User, settings: Any
) -> None:
    settings.FANKUI_OPEN311_PUBLIC_REPLIES = True
    post_request(en, key, lamps, first_name="John", last_name="Smith", address_string="12 Elm Street")
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(
        case, handler, "Dear John Smith, 12 Elm Street: 王建军所长已安排维修，联系电话13912345678，三日内修复。"
    )

    [shown] = parsed(en.get(f"/open311/v2/requests/{case.pk}.json"))
    root = parsed(en.get(f"/open311/v2/requests/{case.pk}.xml"))
    updates = parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}"))

    assert shown["status"] == "closed"
    assert "三日内修复" in shown["status_notes"]
    for private in ("王建军", "13912345678", "John Smith", "12 Elm Street"):
        assert private not in shown["status_notes"] and private not in str(updates)
    assert root.find("request").findtext("status_notes") == shown["status_notes"]


def test_replies_are_not_public_unless_the_centre_chooses(
    en: Client, key: str, lamps: Category, dispatcher: User, dept: Department, handler: User
) -> None:
    post_request(en, key, lamps)
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修，三日内修复。")

    [shown] = parsed(en.get(f"/open311/v2/requests/{case.pk}.json"))

    assert (shown["status"], shown["status_notes"]) == ("closed", "Replied")


def test_dates_outside_the_calendar_are_a_400(en: Client, key: str) -> None:
    for query in ("start_date=9999-12-31T23:59:59Z", "end_date=0001-01-01T00:00:00Z"):
        for url in (
            f"/open311/v2/requests.json?{query}",
            f"/open311/v2/servicerequestupdates.json?api_key={key}&{query}",
        ):
            response = en.get(url)
            assert response.status_code == 400, url
            assert "outside the calendar" in str(parsed(response))


def test_a_report_is_never_shown(en: Client, key: str, lamps: Category) -> None:
    [answer] = parsed(post_request(en, key, lamps, **{"attribute[kind]": Kind.REPORT}))

    assert en.get(f"/open311/v2/requests/{answer['service_request_id']}.json").status_code == 404
    assert parsed(en.get("/open311/v2/requests.json")) == []


def test_a_report_reclassified_stays_hidden(en: Client, key: str, lamps: Category, dispatcher: User) -> None:
    [answer] = parsed(post_request(en, key, lamps, **{"attribute[kind]": Kind.REPORT}))
    from fankui.cases.services.classification import reclassify

    reclassify(Case.objects.get(), kind=Kind.COMPLAINT, user=dispatcher)

    assert en.get(f"/open311/v2/requests/{answer['service_request_id']}.json").status_code == 404


def test_the_list_filters_by_ids_code_status_and_window(
    en: Client, key: str, lamps: Category, dispatcher: User, _frozen_time: time_machine.Coordinates
) -> None:
    noise = factories.category("噪音扰民")
    old = factories.case()
    _frozen_time.shift(timedelta(days=100))
    lamp = factories.case(category=lamps.pk)
    loud = factories.case(category=noise.pk)
    moves.reject(loud, dispatcher, "不属于受理范围")

    def ids(query: str) -> list[str]:
        return [r["service_request_id"] for r in parsed(en.get(f"/open311/v2/requests.json{query}"))]

    assert ids("") == [str(loud.pk), str(lamp.pk)]
    assert ids(f"?service_code={lamps.pk}") == [str(lamp.pk)]
    assert ids("?status=closed") == [str(loud.pk)]
    assert ids("?status=open,closed") == [str(loud.pk), str(lamp.pk)]
    assert ids(f"?service_request_id={old.pk},{lamp.pk},999999") == [str(lamp.pk), str(old.pk)]
    assert ids("?start_date=2026-11-15T00:00:00Z&end_date=2026-11-17T00:00:00%2B08:00") == [str(old.pk)]
    assert ids("?end_date=2026-11-17") == [str(old.pk)]


def test_the_list_answers_at_most_a_thousand(en: Client, settings: object, db: None) -> None:
    import fankui.open311.queries as queries

    factories.case()
    factories.case()
    original = queries.MAX_RESULTS
    queries.MAX_RESULTS = 1
    try:
        assert len(parsed(en.get("/open311/v2/requests.json"))) == 1
    finally:
        queries.MAX_RESULTS = original
    assert original == 1000


def test_the_list_in_xml_is_well_formed(en: Client, key: str, lamps: Category) -> None:
    post_request(en, key, lamps, description="<script>alert(1)</script> & 路灯")

    root = parsed(en.get("/open311/v2/requests.xml"))

    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert request.findtext("status") == "open"
    assert request.findtext("requested_datetime") == "2026-11-16T10:00:00+08:00"


def test_replies_stay_private_when_the_centre_says_so(
    en: Client, key: str, lamps: Category, dispatcher: User, dept: Department, handler: User, settings: Any
) -> None:
    settings.FANKUI_OPEN311_PUBLIC_REPLIES = False
    post_request(en, key, lamps)
    case = Case.objects.get()
    moves.accept(case, dispatcher)
    moves.dispatch(case, dispatcher, dept)
    moves.start(case, handler)
    moves.reply(case, handler, "已安排维修，三日内修复。")

    [shown] = parsed(en.get(f"/open311/v2/requests/{case.pk}.json"))
    updates = parsed(en.get(f"/open311/v2/servicerequestupdates.json?api_key={key}"))

    assert (shown["status"], shown["status_notes"]) == ("closed", "Replied")
    assert updates[-1]["description"] == "Replied"
    assert "三日内修复" not in str(updates)
