"""Demo heuristics for the kind and the first-level category of a message.

These are deliberately simple keyword rules so that the demo data looks plausible (a noise complaint lands at the
environment bureau, a school fee question at the education bureau). They are NOT the analysis model: the analysis
app classifies with models trained on the organisation's own data and records its confidence; nothing here is
evaluated or used outside the demo loader.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from fankui.core.vocab import Kind

# The seven first-level categories that have a department in the demo, with a few everyday words each that the
# taxonomy's own names (mostly administrative terms) do not contain; space-separated to keep the lists short.
EXTRA_KEYWORDS: dict[str, str] = {
    "城乡建设": "小区 物业 业主 开发商 房屋 楼盘 拆迁 违建 违章 路灯 供水 停水 停电 燃气 天然气 电梯"
    " 绿化 下水道 排水 施工 工地 公积金 房产证 不动产 安置 棚改 道路 城管 住房 商品房 交房 维修 市政",
    "环境保护": "污染 噪音 噪声 扰民 异味 臭味 排污 废气 粉尘 油烟"
    " 污水 垃圾焚烧 环保 环评 排放 河道 化工 黑烟 扬尘 渣土",
    # Traffic lights and road traffic too: without them a broken traffic light matched no category and went to the
    # first one listed, so the demo's history (and the routing model trained on it) sent such cases to housing.
    "交通运输": "公交 出租车 的士 网约车 地铁 高速 收费站 客运 货车 车站"
    " 驾驶 线路 站台 班车 交通 公路 快递 运输 停车场 车辆"
    " 红绿灯 信号灯 交通信号 斑马线 人行横道 过街天桥 标线 违停 乱停车 闯红灯 交警 拥堵 堵车 限行 超载",
    "教育文体": "学校 学生 老师 教师 幼儿园 小学 中学 高中 初中 大学 学位"
    " 入学 招生 补课 培训机构 学费 家长 课程 教育 体育 图书馆 班主任 学区",
    "劳动和社会保障": "社保 养老 医保 工资 欠薪 拖欠工资 农民工 劳动合同 辞退 加班"
    " 退休 失业 工伤 人社 就业 招聘 用人单位 五险一金 职称 公务员",
    "商贸旅游": "商家 商户 超市 商场 消费者 价格 涨价 假冒 质量 景区"
    " 旅游 导游 门票 传销 市场 销售 虚假宣传 退款 商品 酒店",
    "卫生计生": "医院 医生 护士 看病 就医 患者 病人 诊所 卫生院 药店 药品"
    " 疫苗 食品 餐馆 卫生 计生 生育 二胎 独生子女 医疗 疫情 住院",
}

_SPLIT = re.compile(r"[和与及、/，,（）()]")
_GENERIC = {"其他", "管理", "问题", "建设", "市场", "服务"}
DEFAULT_CATEGORY = "城乡建设"


class CategoryMatcher:
    """Scores each first-level category by the words of its level-2/level-3 names and EXTRA_KEYWORDS found in a
    message; a word in the title counts three times. Ties and misses go to the first category listed."""

    def __init__(self, taxonomy: Iterable[Sequence[str]], first_levels: Sequence[str]) -> None:
        self.first_levels = list(first_levels)
        terms: dict[str, set[str]] = {name: set(EXTRA_KEYWORDS.get(name, "").split()) for name in self.first_levels}
        for row in taxonomy:
            if not row or row[0] not in terms:
                continue
            for name in row[1:]:
                for part in _SPLIT.split(name or ""):
                    part = part.strip()
                    if len(part) >= 2 and part not in _GENERIC:
                        terms[row[0]].add(part)
        self.terms = {name: sorted(words) for name, words in terms.items()}

    def score(self, title: str, body: str) -> dict[str, int]:
        return {name: sum(3 * (word in title) + (word in body) for word in words) for name, words in self.terms.items()}

    def best(self, title: str, body: str) -> str:
        scores = self.score(title, body)
        top = max(scores.values(), default=0)
        if top == 0:
            return DEFAULT_CATEGORY if DEFAULT_CATEGORY in scores else self.first_levels[0]
        return next(name for name in self.first_levels if scores[name] == top)


# Checked in this order: the specific words first, the question words last (a "投诉……是否" title is a complaint).
KIND_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("举报",), Kind.REPORT),
    (("投诉",), Kind.COMPLAINT),
    (("表扬", "感谢", "点赞"), Kind.PRAISE),
    (("求助", "帮助", "帮帮"), Kind.HELP),
    (("建议", "提议"), Kind.SUGGESTION),
    (("咨询", "请问", "是否", "能否", "可否", "如何办理"), Kind.INQUIRY),
)


def kind_of(title: str) -> str:
    """The kind a demo submitter chose: the one their title names, or none (blank), as most people choose none;
    the analysis then classifies the case."""
    for words, kind in KIND_WORDS:
        if any(word in title for word in words):
            return kind
    return ""
