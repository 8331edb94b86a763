"""Where the demo sends typical messages. Its dispatch history is what the routing model learns from, so a message
the demo's keyword matcher misroutes is misrouted by the trained model too: broken traffic lights went to the
housing bureau because no category knew the words and a miss went to the first category listed."""

from __future__ import annotations

import pytest

from fankui.demo import people
from fankui.demo.heuristics import CategoryMatcher

TAXONOMY = [
    ("城乡建设", "城市建设和市政管理", "市政设施"),
    ("环境保护", "环境污染", "水污染"),
    ("交通运输", "建设管理", "设施维护"),
    ("教育文体", "教育管理", "乱收费"),
    ("劳动和社会保障", "劳动关系", "工资福利"),
    ("商贸旅游", "市场监管", "食品安全"),
    ("卫生计生", "医政监管", "医疗收费"),
]
BUREAU_OF = {bureau.category: bureau.name for bureau in people.BUREAUS}


@pytest.mark.parametrize(
    ("title", "body", "bureau"),
    [
        ("路口红绿灯坏了", "幸福路口的红绿灯坏了好几天了，一直闪黄灯。", "市交通运输局"),
        ("信号灯不亮", "人民路口的信号灯不亮，早高峰堵成一片。", "市交通运输局"),
        ("斑马线标线磨没了", "学校门口的斑马线已经看不清了，请重新划线。", "市交通运输局"),
        ("小区物业乱收停车费", "物业未经业主同意上调停车费。", "市住房和城乡建设局"),
        ("小区路灯坏了", "小区门口的路灯坏了一个月，晚上很黑。", "市住房和城乡建设局"),
        ("工厂偷排污水", "工厂晚上偷排污水，河里的鱼都死了。", "市生态环境局"),
        ("学校强制补课收费", "学校强制学生暑假补课，每人收费两千。", "市教育局"),
        ("老板拖欠工资", "公司老板拖欠工资三个月不发。", "市人力资源和社会保障局"),
        ("医院收费不透明", "住院收费没有明细，请核查医疗收费。", "市卫生健康委员会"),
    ],
)
def test_a_typical_message_goes_to_the_bureau_that_handles_it(title: str, body: str, bureau: str) -> None:
    matcher = CategoryMatcher(TAXONOMY, [b.category for b in people.BUREAUS])

    assert BUREAU_OF[matcher.best(title, body)] == bureau
