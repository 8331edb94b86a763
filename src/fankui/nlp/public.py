"""Text that may be shown to the public (the board, its feed and widget): personal data masked, and people's names.

Staff approve what reaches a public page (a topic's label, an action), but a name must never reach one, approved or
not: three reports naming a police-station head would otherwise put his name on the board. ``public_text`` masks
everything ``masking.mask`` masks (phones, ID numbers, cards, e-mail, plates) and then the names of people, written
the way Chinese courts publish judgements (最高人民法院《关于人民法院在互联网公布裁判文书的规定》): the surname is
kept and the given name becomes 某 ("王建军 所长" → "王某 所长"), so the text still reads.

A name is found two ways:
- a surname followed by one or two characters and a title or form of address (王建军所长, 李四局长, 张伟老师);
- a word jieba tags as a person's name (``nr``) that starts with a common surname and is not a place: jieba also
  tags 石家庄, 王府井 or 向阳(小区) as ``nr``, so a word ending like a place, or followed by one, is left alone.
A surname with only a title (王所长, 李经理) is how people address someone they do not name, and stays.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from .masking import mask

# The commonest single-character surnames (together about 90% of people) and the common two-character ones.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟"
    "谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆"
    "蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗"
    "瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "司徒",
    "夏侯",
    "公孙",
    "尉迟",
    "长孙",
)
TITLES = (
    "所长|局长|副局长|科长|处长|厅长|部长|主任|书记|支书|镇长|乡长|村长|县长|市长|区长|队长|站长|院长|校长|组长|社长|"
    "行长|会长|馆长|庭长|检察长|经理|总经理|董事长|主管|总监|老板|老师|教授|医生|大夫|护士|警官|民警|辅警|法官|律师|"
    "会计|秘书|干部|委员|同志|先生|女士|小姐|师傅|阿姨|大爷|大妈"
)
_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + "".join(sorted(SURNAMES)) + "])"
# A surname, one or two characters of given name, then (after at most one space) a title.
NAME_WITH_TITLE = re.compile(rf"({_SURNAME})([\u4e00-\u9fff]{{1,2}}?)(?=\s?(?:{TITLES}))")
# How a place ends: a word tagged as a name that ends so, or is followed by one, is a place (石家庄, 向阳小区).
PLACE_ENDS = "区县市镇乡村庄屯路街道巷弄桥井山河湖江海岛湾港站场园苑城寺庙楼院府里坊营堡寨关口门"
PLACE_WORDS = re.compile(rf"\s?(?:小区|花园|新城|家园|公寓|大厦|广场|商场|市场|社区|[{PLACE_ENDS}])")
_TITLE_ONLY = re.compile(rf"(?:{TITLES})$")

_lock = threading.Lock()


def _surname_of(word: str) -> str:
    if word[:2] in COMPOUND_SURNAMES:
        return word[:2]
    return word[:1] if word[:1] in SURNAMES else ""


def _tagged_names(text: str) -> list[tuple[int, int, str]]:
    """Spans of words jieba tags as people's names (``nr``), with their surnames; places left out."""
    import jieba.posseg

    spans: list[tuple[int, int, str]] = []
    position = 0
    with _lock:
        pairs = list(jieba.posseg.cut(text))
    for pair in pairs:
        word, flag = pair.word, pair.flag
        start, position = position, position + len(word)
        if flag != "nr" or not 2 <= len(word) <= 4:
            continue
        surname = _surname_of(word)
        if not surname or len(word) == len(surname) or _TITLE_ONLY.search(word[len(surname) :]):
            continue
        if word[-1] in PLACE_ENDS or PLACE_WORDS.match(text, position):
            continue
        spans.append((start, position, surname))
    return spans


def mask_names(text: str) -> str:
    """People's names in ``text`` as surname + 某."""
    if not text:
        return text
    spans = [(m.start(), m.end(), m.group(1)) for m in NAME_WITH_TITLE.finditer(text)]
    taken = [(s, e) for s, e, _ in spans]
    for start, end, surname in _tagged_names(text):
        if all(end <= s or start >= e for s, e in taken):
            spans.append((start, end, surname))
    parts: list[str] = []
    position = 0
    for start, end, surname in sorted(spans):
        parts += [text[position:start], surname + "某"]
        position = end
    parts.append(text[position:])
    return "".join(parts)


@lru_cache(maxsize=4096)
def public_text(text: str) -> str:
    """``text`` as it may appear on a public page: personal data and people's names masked."""
    if not text:
        return text or ""
    return mask_names(mask(text).text)
