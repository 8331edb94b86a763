"""``nlp.public.public_text``: what the public board may show. People's names never (surname + 某, as courts publish
judgements), personal data never, and the places and problems a topic is about stay readable."""

from __future__ import annotations

import pytest

from fankui.nlp.public import mask_names, public_text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("青山镇 王建军 所长 3 件诉求", "青山镇 王某 所长 3 件诉求"),
        ("张三反映李四局长收受贿赂", "张某反映李某局长收受贿赂"),
        ("欧阳明老师体罚学生", "欧阳某老师体罚学生"),
        ("举报刘伟，电话13812345678", "举报刘某，电话138****5678"),
    ],
)
def test_people_s_names_are_masked(text: str, shown: str) -> None:
    assert public_text(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "幸福小区路灯不亮",
        "高新区 马路 坑洼",
        "向阳小区 电梯 故障",
        "石家庄 高速 收费",
        "长安街 王府井 拥堵",
        "丽发新城 物业 王经理 不作为",  # a surname and a title name nobody
        "陈女士反映小区停车难",
        "金水区 文化路 马路 坑洼多",
        "江汉路 步行街 摆摊",
    ],
)
def test_places_problems_and_forms_of_address_stay(text: str) -> None:
    assert mask_names(text) == text


def test_empty_text_stays_empty() -> None:
    assert public_text("") == "" and mask_names("") == ""
