"""The knowledge of earlier official replies: closest question first, only closed cases that are not 举报, the text
as it is now."""

from __future__ import annotations

import pytest

from fankui.accounts.models import User
from fankui.cases.models import Case
from fankui.cases.services import moves
from fankui.desk import knowledge

RESIDENCE = "居住证办理需携带身份证、租房合同，到所在社区服务中心办理，当场受理，十五个工作日内领证。"
PARKING = "小区停车收费标准由业主大会决定，物业不得擅自提高收费，如有异议可向区发改局反映。"


def answered(dispatcher: User, question: str, answer: str, **kwargs: object) -> Case:
    from tests import factories

    case = factories.case(question, **kwargs)
    return moves.answer_at_once(case, dispatcher, answer)


@pytest.mark.django_db
def test_the_closest_question_brings_its_answer_first(dispatcher: User) -> None:
    residence = answered(dispatcher, "请问外地人怎么办理居住证，需要什么材料？", RESIDENCE, title="咨询居住证办理")
    answered(dispatcher, "我们小区物业乱收停车费，一个月涨到三百元", PARKING, title="小区停车费上涨")
    found = knowledge.search("来电咨询居住证怎么办理")
    assert found and found[0].case_id == residence.pk and found[0].body == RESIDENCE
    assert all(a.score >= knowledge.MIN_SCORE for a in found)
    assert knowledge.search("x") == []


@pytest.mark.django_db
def test_reports_and_open_cases_are_no_knowledge(dispatcher: User) -> None:
    answered(dispatcher, "举报某小区物业乱收停车费", PARKING, kind="report")
    from tests import factories

    factories.case("小区物业乱收停车费怎么办")  # open: no reply yet
    assert knowledge.search("小区物业乱收停车费") == []


@pytest.mark.django_db
def test_cases_closed_later_are_added_and_reopened_ones_drop_out(dispatcher: User, supervisor: User) -> None:
    for town in ("芙蓉区", "天心区", "岳麓区", "开福区"):
        answered(dispatcher, f"请问{town}外地人怎么办理居住证", RESIDENCE)
    first = knowledge.index()
    parking = answered(dispatcher, "小区物业乱收停车费", PARKING)
    assert [a.case_id for a in knowledge.search("物业乱收停车费")] == [parking.pk]
    # Added with the kept vocabulary, not fitted again (a fifth more rows); a third more and it is fitted anew.
    assert knowledge.index().vectorizer is first.vectorizer
    answered(dispatcher, "小区电梯坏了", "已通知物业维修。")
    assert knowledge.index().vectorizer is not first.vectorizer
    Case.objects.filter(pk=parking.pk).update(state="reopened")
    assert knowledge.search("物业乱收停车费") == []


@pytest.mark.django_db
def test_an_erased_reply_is_shown_as_it_is_now(dispatcher: User) -> None:
    case = answered(dispatcher, "请问外地人怎么办理居住证", RESIDENCE + "联系人王建国13812345678")
    assert "13812345678" not in knowledge.search("居住证办理")[0].body  # masked for the screen
    moves.mask_replies(case, lambda text: "（已删除）")
    assert knowledge.search("居住证办理")[0].body == "（已删除）"
