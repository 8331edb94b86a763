"""Urgency rules on emergencies as people report them (a stroke, a gas leak, a fire, people trapped, violence, a
flood, a collapse, a live wire) and on texts that only name a danger: past, possible, a complaint about it."""

from __future__ import annotations

import pytest

from fankui.nlp import rules

EMERGENCIES = [
    ("我母亲突发脑梗独自在家", "medical"),
    ("我父亲突然晕倒在家里叫不醒，我在外地赶不回去", "medical"),
    ("楼道里一股很浓的煤气味，好像是对门燃气泄漏了，敲门没人应", "gas"),
    ("小区3栋着火了，浓烟从五楼窗户冒出来，楼上还有人", "fire"),
    ("电梯突然停在两层之间，我和孩子被困在里面已经半个小时了", "trapped"),
    ("隔壁邻居男的正在打他老婆，一直在喊救命", "violence"),
    ("暴雨把地下车库淹了，有人还在车里没出来，水已经到胸口", "flood"),
    ("工地脚手架倒塌了，下面好像压着两个工人", "danger_to_life"),
    ("路边一根电线断了掉在地上，还在冒火花，小学生马上要放学经过这里", "electric"),
    ("我朋友刚才发消息说不想活了，要从楼顶跳下去", "self_harm"),
]

NOT_EMERGENCIES = [
    "燃气费太贵了，一个月两百多",
    "去年我们小区发生过一次火灾，至今消防设施还没有整改",
    "万一发生火灾，老旧小区的居民根本逃不出来，请尽快改造消防设施",
    "电梯经常出故障，上个月有人被困了半个小时，物业一直不修",
    "2018年5月我被保安打伤，派出所至今没有处理结果",
    "我们的救命钱被P2P平台骗走了，请政府帮我们追回",
    "广场舞音乐太大声，每天晚上被打扰到十点",
    "我母亲去年突发脑梗住院，医保报销比例太低",
    "房子距离联络线只有20米，车流声音就像一个巨大的爆炸场",
    "工厂的烟囱天天冒黑烟，污染太严重了",
]


@pytest.mark.parametrize(("text", "reason"), EMERGENCIES)
def test_a_danger_to_someone_now_is_an_emergency_with_its_reason(text: str, reason: str) -> None:
    result = rules.urgency(text)

    assert result.level == "emergency"
    assert reason in result.reasons


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_a_danger_past_possible_or_only_named_is_no_emergency(text: str) -> None:
    assert rules.urgency(text).level != "emergency"


def test_a_blocked_fire_lane_is_urgent_not_an_emergency() -> None:
    result = rules.urgency("小区消防通道被私家车占用，消防车开不进来")

    assert result.level == "urgent"
    assert "hazard" in result.reasons


def test_a_long_letter_names_an_emergency_only_where_it_says_it_is_happening_now() -> None:
    story = "尊敬的领导：" + "我们小区的物业管理非常混乱，" * 40
    assert rules.urgency(story + "有业主与保安发生冲突被打伤。").level != "emergency"
    assert rules.urgency("有人正在小区门口持刀砍人，" + story).level == "emergency"
