"""A tiny data folder in the shape of shared/data, written by the tests themselves (no real data in the repo)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

TAXONOMY = [
    ("城乡建设", "城市建设和市政管理", "小区管理"),
    ("城乡建设", "住房保障与房地产", "物业服务"),
    ("环境保护", "环境污染", "噪音污染"),
    ("交通运输", "出租车管理", "网约车问题"),
    ("教育文体", "考试招生", "招生录取"),
    ("劳动和社会保障", "劳动关系", "农民工权益"),
    ("商贸旅游", "市场监管", "物价监督"),
    ("卫生计生", "医政监管", "医疗收费"),
    ("政法", "治安管理", "其他"),
]
TOPICS = [
    ("小区物业乱收停车费", "物业未经业主同意上调停车费，请核查。"),
    ("工地夜间施工噪音扰民", "工地每天施工到凌晨，噪音污染严重，居民无法休息。"),
    ("网约车司机绕路", "网约车司机故意绕路多收费，请出租车管理部门处理。"),
    ("请问小学入学需要什么材料", "孩子今年上小学，请问招生录取需要哪些材料？"),
    ("公司拖欠农民工工资", "工地老板拖欠农民工工资三个月，请帮助讨薪。"),
    ("超市商品价格欺诈", "超市标价与结算价格不一致，请市场监管部门查处。"),
    ("医院收费不透明", "住院收费没有明细，请核查医疗收费。"),
]
ANSWERED = 21
UNANSWERED = 40


def write_csv(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(folder / "gov_category_taxonomy.csv", ["level1", "level2", "level3"], list(TAXONOMY))
    answered = []
    for n in range(ANSWERED):
        title, body = TOPICS[n % len(TOPICS)]
        received = f"2019/8/{n + 1} 11:34:04" if n % 2 else f"2019-08-{n + 1:02d} 09:00:00"
        replied = f"2019/8/{n + 3} 16:20:00"
        answered.append((n + 1, f"U{n:04d}", f"{title}{n}", received, body, f"测试答复{n}：已处理。", replied))
    # A reply dated before its message: the loader must repair it, not replay a history that runs backwards.
    answered[0] = (1, "U0000", "物业乱收费0", "2019/8/10 10:00", "物业乱收费。", "测试答复0", "2019/8/9 10:00:00")
    write_csv(
        folder / "gov_messages_replies.csv", ["id", "user", "title", "time", "body", "reply", "reply_time"], answered
    )
    unanswered = [
        (n + 1, f"V{n:04d}", f"{TOPICS[n % len(TOPICS)][0]}（{n}）", "2019/12/30 17:06:14", TOPICS[n % len(TOPICS)][1])
        for n in range(UNANSWERED)
    ]
    write_csv(folder / "gov_messages_unlabeled.csv", ["id", "user", "title", "time", "body"], unanswered)
    return folder
