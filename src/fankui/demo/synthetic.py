"""A small synthetic demo set, used when the real data folder is absent (or with ``--force-small``).

Every text here is made up from templates: places are invented ("A3区", "桂花园小区"), so nothing resembles a
real person's message.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from .sources import Message

# The seven first-level categories with a few second- and third-level names each.
TAXONOMY: tuple[tuple[str, ...], ...] = (
    ("城乡建设", "城市建设和市政管理", "小区管理"),
    ("城乡建设", "城市建设和市政管理", "城市公共设施"),
    ("城乡建设", "城乡规划", "违章建筑"),
    ("城乡建设", "住房保障与房地产", "物业服务"),
    ("城乡建设", "住房保障与房地产", "住房公积金"),
    ("环境保护", "环境污染", "噪音污染"),
    ("环境保护", "环境污染", "大气污染"),
    ("环境保护", "环境污染", "水污染"),
    ("交通运输", "交通运输", "设施维护"),
    ("交通运输", "出租车管理", "网约车问题"),
    ("交通运输", "客货运输", "旅客运输"),
    ("教育文体", "考试招生", "招生录取"),
    ("教育文体", "教育收费", "乱收费"),
    ("教育文体", "教育行政管理", "校外机构管理"),
    ("劳动和社会保障", "劳动关系", "农民工权益"),
    ("劳动和社会保障", "城镇职工社会保险", "职工养老保险"),
    ("劳动和社会保障", "退休政策及待遇", "退休金发放"),
    ("商贸旅游", "市场监管", "物价监督"),
    ("商贸旅游", "旅游管理", "景区管理"),
    ("卫生计生", "医政监管", "医疗收费"),
    ("卫生计生", "食品药品监管", "食品安全"),
    ("卫生计生", "公共卫生", "疾病预防控制"),
)

DISTRICTS = ("A1区", "A2区", "A3区", "A4区", "A5区", "A6区", "A7区")
ESTATES = ("桂花园小区", "锦绣家园", "滨江新城", "翠湖苑", "东方明珠小区", "金色华庭", "梅溪湖畔", "青竹园")
ROADS = ("人民路", "解放东路", "劳动西路", "芙蓉中路", "湘江北路", "韶山南路", "岳麓大道", "雨花路")
SCHOOLS = ("第一实验小学", "育才中学", "新城幼儿园", "明德中学", "博才小学")
COMPANIES = ("宏达建筑公司", "鑫源物流公司", "顺发电子厂", "恒通劳务公司", "美佳商贸公司")
HOSPITALS = ("市第三人民医院", "区妇幼保健院", "仁和医院", "街道社区卫生服务中心")

# (first-level category, title, body) with {district} {estate} {road} {school} {company} {hospital} {n}.
TEMPLATES: tuple[tuple[str, str, str], ...] = (
    (
        "城乡建设",
        "{district}{estate}物业乱收停车费",
        "{district}{estate}物业未经业主大会同意，从本月起将地面停车费由每月150元上调到{n}00元，"
        "业主多次找物业沟通无果。请相关部门核查收费依据。",
    ),
    (
        "城乡建设",
        "{road}路灯损坏多日无人维修",
        "{district}{road}与{estate}交界处有三盏路灯已经坏了{n}个多星期，晚上一片漆黑，老人小孩出行很不安全，"
        "请尽快安排维修。",
    ),
    (
        "城乡建设",
        "{estate}楼顶违章搭建",
        "{district}{estate}{n}栋顶楼住户在楼顶私自搭建彩钢房，占用公共区域，存在安全隐患，"
        "向物业反映后没有处理，请城管部门依法查处。",
    ),
    (
        "城乡建设",
        "请问住房公积金提取需要哪些材料",
        "本人在{district}购买了首套商品房，想提取住房公积金用于还贷，请问需要准备哪些材料，可以在网上办理吗？",
    ),
    (
        "城乡建设",
        "{estate}电梯频繁故障",
        "{district}{estate}{n}栋电梯近一个月坏了好几次，上周还困了人。物业说维修资金不够，请相关部门督促物业尽快维修。",
    ),
    (
        "环境保护",
        "{road}附近工地夜间施工噪音扰民",
        "{district}{road}附近工地每天晚上施工到凌晨{n}点，噪音非常大，周边居民无法休息，请环保部门管一管。",
    ),
    (
        "环境保护",
        "{company}排放刺鼻废气",
        "{district}{company}每天傍晚排放刺鼻气味的废气，附近{estate}的居民门窗都不敢开，怀疑没有环保处理设施，请查处。",
    ),
    (
        "环境保护",
        "{estate}旁边河道发黑发臭",
        "{district}{estate}旁边的小河最近水体发黑，天气一热就很臭，怀疑有人偷排污水，请尽快调查治理。",
    ),
    (
        "环境保护",
        "建议加强{road}餐馆油烟治理",
        "{district}{road}一带餐馆很多，油烟直排，楼上居民深受其害。建议统一安装油烟净化设备并定期检查。",
    ),
    (
        "交通运输",
        "{n}路公交车经常不按时发车",
        "{district}的{n}路公交车早高峰经常二三十分钟才来一辆，站台上挤满了人，上班经常迟到，请增加班次。",
    ),
    (
        "交通运输",
        "网约车司机绕路多收费",
        "本人从{district}{road}乘坐网约车去火车站，司机故意绕路，多收了{n}0多元，投诉平台后一直没有处理结果。",
    ),
    (
        "交通运输",
        "{road}路面坑洼严重",
        "{district}{road}路段路面坑洼很多，下雨天积水，电动车经过容易摔倒，请尽快修补。",
    ),
    (
        "交通运输",
        "建议在{estate}门口增设公交站",
        "{district}{estate}入住了上千户居民，最近的公交站要走{n}公里，建议在小区门口增设公交站点。",
    ),
    (
        "教育文体",
        "咨询{district}小学入学政策",
        "孩子今年满六岁，户口在{district}，房子在{estate}，请问应该对口哪所小学？非户籍的入学需要哪些材料？",
    ),
    (
        "教育文体",
        "{school}违规收取资料费",
        "{district}{school}要求每个学生交{n}00元资料费，没有收据，家长们意见很大，请教育部门核查。",
    ),
    (
        "教育文体",
        "举报校外培训机构违规补课",
        "{district}{road}有一家培训机构在寒假期间组织在校学生补课，收费很高，还租用居民楼，消防不达标。",
    ),
    (
        "教育文体",
        "建议{district}增加公办幼儿园学位",
        "{district}新建小区很多，公办幼儿园学位紧张，很多家庭只能选择收费高的民办园，建议增加公办学位。",
    ),
    (
        "劳动和社会保障",
        "{company}拖欠农民工工资",
        "我们在{district}{company}的工地干了{n}个月，老板一直拖欠工资，二十多个工友的工资都没发，请帮助讨薪。",
    ),
    (
        "劳动和社会保障",
        "请问养老保险断缴后如何补缴",
        "本人之前在{district}一家公司上班，离职后养老保险断缴了{n}年，请问现在以灵活就业人员身份如何补缴？",
    ),
    (
        "劳动和社会保障",
        "{company}不签劳动合同",
        "本人在{district}{company}工作了{n}个月，公司一直不签劳动合同，也不缴社保，请劳动监察部门处理。",
    ),
    (
        "劳动和社会保障",
        "退休金迟迟没有到账",
        "本人上个月在{district}办理了退休手续，到现在退休金还没有发放，打电话询问也没有明确答复。",
    ),
    (
        "商贸旅游",
        "{road}超市销售过期食品",
        "在{district}{road}一家超市买到已过期{n}天的牛奶，找商家理论对方态度恶劣，拒绝退款。",
    ),
    (
        "商贸旅游",
        "景区停车场乱收费",
        "国庆期间去{district}景区游玩，停车场收费{n}0元一次，没有公示收费标准，也不给发票。",
    ),
    (
        "商贸旅游",
        "表扬{district}市场监管所工作人员",
        "上周我在{road}商场购物遇到纠纷，市场监管所工作人员很快到场调解，帮我拿回了退款，特此表扬。",
    ),
    (
        "卫生计生",
        "{hospital}收费不透明",
        "家人在{hospital}住院{n}天，出院结算时发现很多收费项目没有明细，询问也解释不清，请卫健部门核查。",
    ),
    (
        "卫生计生",
        "{road}夜市食品卫生堪忧",
        "{district}{road}夜市很多摊点没有健康证，食材露天摆放，苍蝇很多，请加强食品安全检查。",
    ),
    (
        "卫生计生",
        "咨询儿童疫苗接种地点",
        "孩子需要接种第二针疫苗，请问{district}哪些社区卫生服务中心可以接种？需要提前预约吗？",
    ),
    (
        "卫生计生",
        "求助：老人看病挂号难",
        "家里老人不会用手机，去{hospital}看病挂不上号，现场也没有人工窗口，希望医院保留人工挂号服务。",
    ),
)

REPLIES: tuple[str, ...] = (
    "您好！您反映的“{title}”问题已收悉。经我单位工作人员现场核查，情况基本属实，已责成相关责任单位立即整改，"
    "目前问题已处理完毕。感谢您对我们工作的关心和支持！",
    "您好！关于您反映的“{title}”，我单位高度重视，已安排专人调查核实。经了解，相关单位已制定整改方案，"
    "预计{n}个工作日内完成整改，我们将持续跟进。如有疑问，请拨打12345咨询。",
    "网友您好！针对您反映的“{title}”，经核实，有关情况已按政策规定处理，具体办理流程已在政务服务网公布，"
    "您也可以携带相关材料到区政务服务中心窗口办理。感谢您的来信。",
)


@dataclass
class SyntheticSet:
    taxonomy: tuple[tuple[str, ...], ...]
    answered: list[Message]
    unanswered: list[Message]


def _fill(rng: random.Random, text: str, title: str = "") -> str:
    return text.format(
        district=rng.choice(DISTRICTS),
        estate=rng.choice(ESTATES),
        road=rng.choice(ROADS),
        school=rng.choice(SCHOOLS),
        company=rng.choice(COMPANIES),
        hospital=rng.choice(HOSPITALS),
        n=rng.randint(2, 9),
        title=title,
    )


def _message(rng: random.Random, source: str, number: int) -> Message:
    _, title, body = rng.choice(TEMPLATES)
    # One draw of the places for both texts, so the title and the body name the same estate and road.
    seed = rng.random()
    return Message(
        source=source,
        source_id=str(number),
        title=_fill(random.Random(seed), title),
        body=_fill(random.Random(seed), body),
    )


def build(rng: random.Random, now: datetime, answered: int = 240, unanswered: int = 160) -> SyntheticSet:
    """Answered messages over the past year (each with a reply a few days later), and unanswered ones."""
    closed = []
    for number in range(1, answered + 1):
        message = _message(rng, "synthetic", number)
        # Old enough that the whole history (reply, rating window) is over before the open cases start.
        message.received_at = now - timedelta(days=rng.uniform(45, 400), minutes=rng.uniform(0, 600))
        message.replied_at = message.received_at + timedelta(days=rng.uniform(0.5, 12))
        message.reply = _fill(rng, rng.choice(REPLIES), title=message.title)
        closed.append(message)
    open_ = [_message(rng, "synthetic-open", number) for number in range(1, unanswered + 1)]
    return SyntheticSet(taxonomy=TAXONOMY, answered=closed, unanswered=open_)
