"""Hot topics (热点): what a text is about, as a place and an issue, and grouping many texts into topics.

A hot topic is "the same problem at the same place": dozens of residents of one estate complaining about a concrete
plant next door, buyers of one development refusing a forced parking-space purchase. So every text is read for
(1) its places: estates, roads, villages, schools (X小区, X路, X村, X新城, ...), found by patterns on the text with the
administrative prefixes ("A市A2区") taken off, and (2) its issue words: jieba words without stop words and places.

Batch clustering (``cluster``) first blocks texts by their main place (texts without one by their strongest issue
word), then joins texts inside a block by average-linkage agglomerative clustering on TF-IDF cosine of the issue
words. Blocking keeps the work near-linear (100,000 texts in seconds to tens of seconds) and is what "same place"
means; the linkage threshold is what "same issue" means.

Words: this module's ``topic_data/words.txt`` (problems and objects: 搅拌站, 噪音扰民), the product's shipped domain
dictionary (``builtin/domain_words.txt``) and the domain words staff add in the admin (``DomainWord``, loaded by the
callers that have a database through ``add_words``).
"""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from .patterns import first_characters
from .route import Route
from .text import fold_width

MODEL_VERSION = "topics-2026.11"
DATA = Path(__file__).with_name("topic_data")

# Estates, roads, villages, institutions: the name in front of one of these is a place.
PLACE_SUFFIXES = (
    "小区|新城|花园|家园|公寓|大厦|广场|社区|新村|山庄|公馆|华府|名苑|雅苑|花苑|庭院|府邸|城邦|国际|"
    "苑|府|湾|城|园|村|镇|乡|街道|大道|路|街|巷|中学|小学|学校|学院|大学|幼儿园|医院|公园|市场|商场"
)
# Where people live or gather names a topic better than the road or district around it.
_RANK = (
    re.compile(
        r"(小区|新城|花园|家园|公寓|大厦|广场|新村|山庄|公馆|华府|名苑|雅苑|花苑|庭院|府邸|城邦|国际|苑|府|湾|城|园)$"
    ),
    re.compile(r"(村|中学|小学|学校|学院|大学|幼儿园|医院|公园|市场|商场)$"),
    re.compile(r"(大道|路|街|巷)$"),
)
# What comes before a place name but is not part of it: verbs of complaint, prepositions, district prefixes.
_BREAK_WORDS = (
    "投诉|反映|关于|咨询|建议|请问|希望|要求|恳请|举报|位于|地处|座落|坐落|附近|旁边|周边|对面|门口|楼下|"
    "隔壁|里面|我们|我家|业主|居民|购买|购房|入住|住在|请|在|的|和|与|及|对|是|了|到|从|向|把|被|给|于|由|将|有|为"
)


# Each pattern starts with a look-ahead at the characters its alternatives can start with: it matches exactly what
# the alternation alone matches, but the engine tries the alternatives only where one can begin (the same splits and
# places, in 0.6 and 0.5 of the time on the government messages).
_BREAK_FIRST = first_characters(_BREAK_WORDS)
_SUFFIX_FIRST = first_characters(PLACE_SUFFIXES)
assert _BREAK_FIRST and _SUFFIX_FIRST  # alternations of plain words: their first characters are always known
_BREAKERS = re.compile(
    rf"(?=[^\u4e00-\u9fff0-9]|[{_BREAK_FIRST}])"
    rf"(?:[A-Za-z]\d*[市区县省]|[^\u4e00-\u9fffA-Za-z0-9]|{_BREAK_WORDS})"
)
_PLACE = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9]{{1,8}}?(?=[{_SUFFIX_FIRST}])(?:{PLACE_SUFFIXES}))")
# Generic words that end like a place but name none ("小区" alone, "城市", "农村").
_NOT_PLACES = {
    "城市", "农村", "乡村", "县城", "省城", "市区", "小区", "社区", "街道", "道路", "马路", "公路", "铁路", "线路",
    "进城", "全城", "满城", "新城", "老城", "同城", "城乡", "乡镇", "村镇", "城镇", "网站", "车站", "高铁", "地铁站",
    "公交站", "加油站", "搅拌站", "垃圾站", "中转站", "学校", "医院", "公园", "市场", "商场", "广场", "大学", "小学",
    "中学", "幼儿园", "学院", "一条路", "思路", "出路", "走路", "过路", "修路", "派出所",
}  # fmt: skip
_ADMIN = re.compile(r"[A-Za-z]\d*[市区县省]")
_SUB_PART = re.compile(r"(一|二|三|四|五|六|七|八|九|十|\d+)期$|小区$|项目$")

_lock = threading.Lock()
_route: Route | None = None
_stopwords: frozenset[str] = frozenset()
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _jieba() -> Route:
    """A jieba tokenizer of our own, so that place names learnt from a corpus do not change how other parts of the
    product cut words; with this module's words (problems, objects) and the shipped domain dictionary. Once per
    process; ``add_words`` teaches it the words staff add in the admin."""
    global _route, _stopwords
    with _lock:
        if _route is None:
            import jieba

            from .text import shipped_domain_words

            jieba.setLogLevel(60)
            tokenizer = jieba.Tokenizer()
            tokenizer.load_userdict(str(DATA / "words.txt"))
            for word in shipped_domain_words():
                tokenizer.add_word(word, 2000)
            _stopwords = frozenset((DATA / "stopwords.txt").read_text(encoding="utf-8").split())
            _keep_word.clear()
            _route = Route(tokenizer)
            global _base_total
            _base_total = tokenizer.total
            _weights.clear()
        return _route


_learnt: set[str] = set()


def add_words(names: Iterable[str]) -> None:
    """Keep these words whole: staff's domain words, and place names learnt from a corpus (so "绿地海外滩二期"
    yields the place "绿地海外滩" like "绿地海外滩小区" does)."""
    route = _jieba()
    with _lock:
        for name in names:
            name = name.strip()
            if len(name) >= 2 and name not in _learnt:
                route.add_word(name, 2000)
                _learnt.add(name)
                _weights.pop(name, None)


# The dictionary's total when it was loaded: weights must not drift as a worker learns place names.
_base_total = 0
_weights: dict[str, float] = {}


def known_weights() -> dict[str, float]:
    """The weights ``word_weight`` remembers (read directly by callers that weigh many words)."""
    return _weights


def word_weight(word: str) -> float:
    """How telling a word is: the logarithm of the dictionary's total over the word's frequency in it (jieba's
    dictionary with this module's and the domain words): "搅拌站" weighs about twice what "问题" does, and a word the
    dictionary does not know weighs most. Remembered per word (forgotten when the word is added)."""
    found = _weights.get(word)
    if found is None:
        route = _jieba()
        if len(_weights) > _MEMO_LIMIT:
            _weights.clear()
        frequency = (route.tokenizer.FREQ or {}).get(word, 0)
        found = _weights[word] = math.log(_base_total / (frequency + 1))
    return found


def learn_places(names: Iterable[str]) -> None:
    # The pipeline passes every active topic's place each batch: those learnt already are set aside in one step.
    add_words(name for name in set(names) - _learnt if len(name) >= 3)


@lru_cache(maxsize=4096)
def _clean(text: str) -> str:
    """Full-width forms folded; "A市A2区" prefixes (real or anonymised district names) become spaces. Cached: the
    pipeline reads a case's places first and then its words, from the same text."""
    # NFKC of the text with its full-width ASCII folded first is NFKC of the text (those forms decompose to exactly
    # that ASCII), and nearly every Chinese message is NFKC once its full-width punctuation is folded, which the
    # quick check sees at a fraction of NFKC's cost.
    folded = fold_width(text)
    if not unicodedata.is_normalized("NFKC", folded):
        folded = unicodedata.normalize("NFKC", folded)
    return _ADMIN.sub(" ", folded)


# "该小区", "同小区": a pointer back, not a name.
_POINTERS = ("该", "此", "本", "同", "各", "其", "个", "等", "大", "小", "新", "老")


def places(text: str) -> list[str]:
    """Place names in order of first mention, without administrative prefixes ("A市A2区丽发新城" -> "丽发新城")."""
    return _places(_clean(text))


# A longer estate suffix right after a match belongs to the name: "星城" + "国际", "丽发新城" + "小区".
_EXTENSION = re.compile(r"小区|花园|家园|公寓|大厦|广场|国际|城邦|新村|山庄|公馆|华府|名苑|雅苑|花苑|庭院|府邸")
_ROADS = ("路", "街", "大道", "巷")
_HOUSE_NUMBER = re.compile(r"\d{1,5}号(?![楼线院])")
# Words inside a "name" that show it is a piece of a sentence ending in a suffix character, not a name
# ("比其他城", "并且学校", "又一个", "严重影响城", "老板跑路", "年5月10日确定城").
_NOT_IN_NAMES = re.compile(
    r"其他|一个|这个|那个|并且|而且|已经|影响|严重|没有|不能|可以|还是|就是|但是|因为|所以|如果|虽然|"
    r"跑路|让路|带路|上路|\d+[年月日]"
)
# Common words that, before 小区, say what kind of estate it is, not which one ("老旧小区", "拆迁小区").
_GENERIC_ESTATE = {
    "老旧", "拆迁", "安置", "回迁", "还建", "保障", "涉事", "相邻", "隔壁", "周边", "附近", "高档", "城中", "市内",
    "新建", "商住", "单位", "职工", "老式", "整个", "所在", "其他", "很多", "多个", "各个", "部分", "这个", "那个",
    "我们", "你们", "他们", "居民", "住宅", "商品", "农村", "城市", "普通", "大型", "高层",
}  # fmt: skip


def _places(cleaned: str) -> list[str]:
    found: list[str] = []
    for chunk in _BREAKERS.split(cleaned):
        if len(chunk) < 3:
            continue
        at = 0
        while match := _PLACE.search(chunk, at):
            name = match.group(1)
            if name.endswith(_ROADS):
                # An address: "幸福路12号" (and "幸福路12号小区") names one building, not the whole road.
                number = _HOUSE_NUMBER.match(chunk, match.end())
                if number:
                    name += number.group()
            extension = _EXTENSION.match(chunk, match.start() + len(name))
            if extension:
                name += extension.group()
            at = match.start() + len(name)
            if (
                name in _NOT_PLACES
                or len(name) < 3
                or len(name) > 10
                or name.isdigit()
                or name.endswith(("政府", "中心城", "省城", "线路", "铁路", "公路", "马路", "道路", "高速路"))
                or len(_CJK.findall(name)) < 2
                or "小区" in name[:-2]
                or (len(name) == 3 and name.startswith(_POINTERS))
                or (len(name) == 4 and name.endswith("小区") and name[:2] in _GENERIC_ESTATE)
                or _NOT_IN_NAMES.search(name)
                or name[0].isdigit()
            ):
                continue
            if name not in found:
                found.append(name)
    return found


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """The comparable form of a place: "丽发新城二期小区" -> "丽发新城" (remembered: a batch asks it of the same
    names many times)."""
    previous = None
    while previous != name:
        previous = name
        name = _SUB_PART.sub("", name)
        if len(name) < 3:
            # "杏林小区", "金路小区": a two-character name is kept with its suffix, which makes it one.
            return previous
    return name


def tokens(text: str) -> list[str]:
    """jieba words of two or more characters with a Chinese character in them, stop words left out."""
    return _tokens(_clean(text))


def _tokens(cleaned: str) -> list[str]:
    keep = _keep_word
    out: list[str] = []
    for word in _jieba().cut(cleaned):
        kept = keep.get(word)
        if kept is None:
            if len(keep) > _MEMO_LIMIT:
                keep.clear()
            kept = keep[word] = word not in _stopwords and len(_CJK.findall(word)) >= 2
        if kept:
            out.append(word)
    return out


# Whether a word is an issue word (not a stop word, two Chinese characters or more): asked of the same few
# thousand words again and again. Cleared when the stop words are (re)loaded.
_keep_word: dict[str, bool] = {}
# Beyond this many entries a memo is emptied rather than grown without end in a long-running worker.
_MEMO_LIMIT = 400_000


def words(text: str) -> list[str]:
    """Issue words of a text (no places): see ``features``."""
    return features(text).words


@dataclass
class Features:
    places: list[str]
    words: list[str]
    # How many of ``places`` come from the title (they come first).
    in_title: int = 0
    # Filled by ``cluster``: the place this text is grouped by, after names were compared across the corpus.
    main: str = ""

    @cached_property
    def place(self) -> str:
        """The main place: see ``main_place`` (remembered: the pipeline asks for it several times per case)."""
        return main_place(self.places, self.in_title)


def main_place(
    names: Sequence[str],
    in_title: int = 0,
    usable: Callable[[str], bool] | None = None,
    canonical: dict[str, str] | None = None,
) -> str:
    """The place a text is about: the title's before the body's; within each, an estate before a village or an
    institution, before a road; a name without a telling suffix after those."""
    for group in (names[:in_title], names):
        for rank in (*_RANK, None):
            for name in group:
                key = place_key(name)
                key = canonical.get(key, key) if canonical else key
                if len(key) < 3 or not (rank is None or rank.search(name) or rank.search(key)):
                    continue
                if usable is None or usable(key):
                    return key
    return ""


# Titles say what a message is about; bodies wander. Only the start of a body is read.
BODY_CHARS = 150


def _parts(text: str, title: str) -> tuple[str, str]:
    """The cleaned title and the cleaned part of the body that is read."""
    return _clean(title) if title else "", _clean(text[:BODY_CHARS] if title else text[: BODY_CHARS + 60])


def features(
    text: str,
    title: str = "",
    known: frozenset[str] | set[str] = frozenset(),
    found_places: tuple[list[str], list[str]] | None = None,
) -> Features:
    """Places and issue words of a text; a title's words count twice (it says what the text is about).

    ``known`` are place names already seen (learnt with ``learn_places``): a word that is one counts as a place even
    without a suffix ("绿地海外滩" in "绿地海外滩二期"). ``found_places``: the title's and the body's pattern places
    when the caller has them already.
    """
    return features_both(text, title, known, found_places)[0]


def pattern_places(text: str, title: str = "") -> tuple[list[str], list[str]]:
    """The title's and the read part of the body's places found by patterns (what ``features`` starts from)."""
    clean_title, clean_body = _parts(text, title)
    return (_places(clean_title) if title else []), _places(clean_body)


def features_both(
    text: str,
    title: str = "",
    known: frozenset[str] | set[str] = frozenset(),
    found_places: tuple[list[str], list[str]] | None = None,
) -> tuple[Features, Features]:
    """``features`` with ``known`` and without it, segmenting the text once (the pipeline needs both: the first to
    place a case, the second for its topic's keywords)."""
    clean_title, clean_body = _parts(text, title)
    title_places, body_places = found_places or (_places(clean_title) if title else [], _places(clean_body))
    title_tokens = _tokens(clean_title) if title else []
    body_tokens = _tokens(clean_body)
    with_known = _assemble(title_places, body_places, title_tokens, body_tokens, known)
    if not known:
        return with_known, with_known
    return with_known, _assemble(title_places, body_places, title_tokens, body_tokens, frozenset())


def _assemble(
    title_places: list[str],
    body_places: list[str],
    title_tokens: list[str],
    body_tokens: list[str],
    known: frozenset[str] | set[str],
) -> Features:
    found: list[str] = []
    for name in [*title_places, *(t for t in title_tokens if t in known)]:
        if name not in found:
            found.append(name)
    in_title = len(found)
    for name in [*body_places, *(t for t in body_tokens if t in known)]:
        if name not in found:
            found.append(name)
    # A word that is a place or part of one is not an issue word. Words never hold "\x00", so one substring test
    # of the joined names asks "is it inside any of them".
    parts = "\x00".join({*found, *(place_key(p) for p in found)})

    def issue(chunk: list[str]) -> list[str]:
        return [w for w in chunk if w not in parts] if parts else list(chunk)

    title_words = issue(title_tokens)
    return Features(places=found, words=title_words + title_words + issue(body_tokens), in_title=in_title)


# What a title starts or ends with that says nothing about the problem: administrative prefixes ("A市A2区",
# "西地省"), the writer's verbs ("投诉", "关于", "强烈要求") and their tails ("的问题", "的相关咨询", "！").
_TITLE_ADMIN = re.compile(r"^(?:[\u4e00-\u9fff]{2}省)")
_TITLE_DISTRICT = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ][\d０-９]*[市区县省]")
_TITLE_LEAD = re.compile(
    r"^(?:投诉|举报|检举|反映|反应|关于|咨询|询问|请问|恳请|恳求|请求|强烈要求|要求|希望|建议|紧急求助|求助|再次|"
    r"第[一二三四五六七八九十\d]+次|实名|我要|请|问|对)"
)
_TITLE_TAIL = re.compile(
    r"(?:(?:的|相关|的相关)(?:问题|情况|投诉|建议|反映|请求|疑问|咨询|维权)|一事|事宜|咨询|投诉|反映)*[!！?？。.，,、；;:：\s]*$"
)
_TITLE_NOISE = re.compile(r"\[[^\]]{1,8}\]|[“”\"'‘’《》【】()（）]")
_TITLE_CLAUSE = re.compile(r"[，,；;！!？?]")
# An address before the place a title is about ("暮云街道丽发新城", "劳动东路魅力之城"): the place leads the label.
_BEFORE_PLACE = re.compile(r"(?:街道|社区|镇|乡|村|路|街|大道|开发区|经开区|高新区|新区)$")
# A label is a line in a list, an action's title and a line of a message: about a dozen characters reads best.
LABEL_CHARS = 18


def clean_title(title: str, place: str = "") -> str:
    """A title as a label: without administrative names, the writer's verbs, quotes, masks and the end's
    punctuation, starting at its place when an address comes before it, and cut after its first clause when that
    says enough. "投诉A2区丽发新城附近建搅拌站噪音扰民！" becomes "丽发新城附近建搅拌站噪音扰民"."""
    text = _TITLE_DISTRICT.sub("", _TITLE_NOISE.sub("", title)).strip()
    previous = None
    while previous != text:
        previous = text
        text = _TITLE_LEAD.sub("", _TITLE_ADMIN.sub("", text)).strip()
    text = _TITLE_TAIL.sub("", text)
    at = text.find(place) if place else -1
    if at > 0 and _BEFORE_PLACE.search(text[:at]):
        text = text[at:]
    clause = _TITLE_CLAUSE.split(text, maxsplit=1)[0]
    if clause != text and len(clause) >= 6 and (not place or place in clause):
        text = clause
    return text[: LABEL_CHARS * 2]


def headline(titles: Sequence[str], place: str, keywords: Sequence[str]) -> str:
    """A label a person would write: the place and the problem as a short phrase ("丽发新城附近建搅拌站噪音扰民"),
    taken from the topic's own titles. Each title scores the keywords it names (the k-th counting 1/k: the first
    keywords are what the topic is about), one more for naming the topic's place and a tenth less for each character
    beyond ``LABEL_CHARS``; the best wins (the newest on a tie). The place is put in front of a short title that
    lacks it. Without a usable title: the place and the keywords (``label_for``)."""
    words = [k for k in keywords[:8] if not (place and (k in place or place in k))]
    best: tuple[float, int, str] | None = None
    for order, raw in enumerate(titles):
        title = clean_title(raw, place)
        if len(title) < 4:
            continue
        score = sum(1 / (rank + 1) for rank, word in enumerate(words) if word in title)
        if place and place in title:
            score += 1
        score -= max(0, len(title) - LABEL_CHARS) / 10
        if best is None or (score, -order) > (best[0], -best[1]):
            best = (score, order, title)
    if best is None:
        return label_for(place, keywords)
    title = best[2]
    if place and place not in title and len(title) <= LABEL_CHARS - len(place):
        title = place + title
    return title[:200]


def title_of(title: str, body: str) -> str:
    """What a text's label may be made from: its title, or without one the first clause of its body."""
    if title.strip():
        return title
    return _TITLE_CLAUSE.split(body.strip()[:60], maxsplit=1)[0]


# How many titles of a topic its label is chosen from.
LABEL_TITLES = 50


def label_for(place: str, top_words: Sequence[str]) -> str:
    """Place + object + problem, e.g. "丽发新城 搅拌站 噪音扰民" (when a topic has no title to take its label from)."""
    parts = [place] if place else []
    for word in top_words:
        if len(parts) >= 3:
            break
        if place and (word in place or place in word):
            continue
        if any(word in p or p in word for p in parts):
            continue
        parts.append(word)
    return " ".join(parts)


@dataclass
class Cluster:
    rows: list[int]
    place: str
    keywords: list[str]
    label: str
    size: int = 0
    support: int = 0
    recent: int = 0
    previous: int = 0
    growth: float = 1.0
    heat: float = 0.0
    last_seen: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)


def heat_score(size: int, support: int, growth: float, age_days: float) -> float:
    """Size dominates; public support, growth and recency add to it (logarithms: 10x the likes is not 10x heat).

    A topic of 30 cases outranks a single case with 2,000 likes; among topics of similar size, a growing, recent and
    supported one comes first.
    """
    recency = 0.5 ** (max(age_days, 0.0) / 30.0)
    return round(
        10 * math.log1p(size) + 3 * math.log1p(support) + 5 * max(math.log(max(growth, 1e-9)), 0.0) + 5 * recency,
        3,
    )


def growth_ratio(recent: int, previous: int) -> float:
    """Cases in the recent window over the window before, smoothed: > 1 growing, < 1 fading."""
    return round((recent + 1) / (previous + 1), 3)


# Cosine distance under which two texts of one place (or one leading word) talk about the same issue.
DISTANCE = 0.94
# Texts without a place need more in common: they share no place to tie them.
DISTANCE_NO_PLACE = 0.8
MAX_BLOCK = 2500


def cluster(
    texts: Sequence[str],
    titles: Sequence[str] | None = None,
    *,
    times: Sequence[datetime | None] | None = None,
    likes: Sequence[int] | None = None,
    window_days: int = 7,
    min_size: int = 2,
    progress: bool = False,
    workers: int = 1,
    timings: dict[str, float] | None = None,
) -> list[Cluster]:
    """Group texts into topics, hottest first. ``titles`` (optional) are read as the most telling part.

    ``workers`` > 1 cuts words in that many forked processes (jieba is most of the time); only for command-line
    tools and benchmarks, never inside a web or worker process that holds database connections."""
    from .csvio import progress as bar

    clock = time.perf_counter()
    stages = timings if timings is not None else {}

    def lap(name: str) -> None:
        nonlocal clock
        stages[name] = round(time.perf_counter() - clock, 2)
        clock = time.perf_counter()

    n = len(texts)
    # First pass (patterns only, cheap): names that two texts or more give a place become words of their own.
    found: list[tuple[list[str], list[str]]] = []
    seen: Counter[str] = Counter()
    for i in range(n):
        clean_title, clean_body = _parts(texts[i], titles[i] if titles else "")
        pair = (_places(clean_title) if clean_title else [], _places(clean_body))
        found.append(pair)
        seen.update({place_key(p) for p in (*pair[0], *pair[1])})
    learn_places(name for name, count in seen.items() if count >= 2)
    known = {name for name, count in seen.items() if count >= 2}
    lap("places_s")
    feats = _all_features(texts, titles, known, found, workers=workers, progress=progress)
    lap("words_s")
    canonical, mentions = _canonical_places(feats)
    for f in feats:
        f.main = main_place(f.places, f.in_title, usable=lambda key: mentions[key] >= 2, canonical=canonical)
    docs = [" ".join(f.words) for f in feats]
    vectorizer = TfidfVectorizer(analyzer=str.split, min_df=1, sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # nothing but stop words in every text
        matrix = csr_matrix((n, 1), dtype=np.float32)
    vocabulary = np.array(vectorizer.get_feature_names_out()) if matrix.shape[1] > 1 else np.array([])
    idf = vectorizer.idf_ if len(vocabulary) else np.zeros(0)
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])

    blocks: dict[str, list[int]] = {}
    unplaced: list[int] = []
    for i, f in enumerate(feats):
        if f.main:
            blocks.setdefault(f.main, []).append(i)
        else:
            unplaced.append(i)

    lap("vectors_s")
    clusters: list[Cluster] = []

    def add(groups: Iterable[list[int]], place: str, vectors: csr_matrix) -> None:
        for group in groups:
            if len(group) >= min_size:
                top = _top_words(vectors, group, vocabulary, idf)
                heads = [title_of(titles[i] if titles else "", texts[i]) for i in group[:LABEL_TITLES]]
                clusters.append(Cluster(rows=group, place=place, keywords=top, label=headline(heads, place, top)))

    for place, rows in bar(list(blocks.items()), description="clustering by place", enabled=progress):
        if len(rows) >= min_size:
            add(_split_block(matrix, rows, DISTANCE), place, matrix)
    # Texts without a place are compared on the words that tie a few texts together (used by 3 texts or more, and
    # by at most 1% of them): "58车贷", "高压线", not "希望" or a word only one writer used.
    specific = _keep_columns(matrix, (df >= 3) & (df <= max(50, 0.01 * n)))
    for rows in bar(_linked(specific, unplaced), description="clustering the rest", enabled=progress):
        if len(rows) >= min_size:
            add(_split_block(specific, rows, DISTANCE_NO_PLACE), "", matrix)
    lap("grouping_s")
    _score(clusters, times=times, likes=likes, window_days=window_days)
    clusters.sort(key=lambda c: (-c.heat, -c.size, c.rows[0]))
    return clusters


def _keep_columns(matrix: csr_matrix, keep: np.ndarray) -> csr_matrix:
    """The matrix with other columns zeroed and rows L2-normalised again (cosine on the kept words only)."""
    from sklearn.preprocessing import normalize

    kept = matrix @ csr_matrix((keep.astype(np.float32), (np.arange(len(keep)), np.arange(len(keep)))))
    return normalize(kept.tocsr(), copy=False)


# Cosine on specific words from which two unplaced texts may be about the same thing (checked again by linkage).
LINK = 0.3


def _linked(vectors: csr_matrix, rows: list[int], chunk: int = 2000) -> list[list[int]]:
    """Connected groups of texts with a cosine of at least ``LINK`` to another member: candidate topics."""
    from scipy.sparse.csgraph import connected_components

    if not rows:
        return []
    sub = vectors[rows]
    transposed = sub.T.tocsr()
    pairs_a: list[np.ndarray] = []
    pairs_b: list[np.ndarray] = []
    for start in range(0, len(rows), chunk):
        block = (sub[start : start + chunk] @ transposed).tocoo()
        keep = (block.data >= LINK) & (block.row + start != block.col)
        pairs_a.append(block.row[keep] + start)
        pairs_b.append(block.col[keep])
    a = np.concatenate(pairs_a)
    b = np.concatenate(pairs_b)
    graph = csr_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(len(rows), len(rows)))
    _, labels = connected_components(graph, directed=False)
    grouped: dict[int, list[int]] = {}
    for row, label in zip(rows, labels.tolist(), strict=True):
        grouped.setdefault(label, []).append(row)
    return [g for g in grouped.values() if len(g) > 1]


_CHUNK = 2000
_Shared = tuple[Sequence[str], Sequence[str] | None, set[str], list[tuple[list[str], list[str]]]]
_shared: _Shared | None = None


def _features_of(bounds: tuple[int, int]) -> list[Features]:
    assert _shared is not None
    texts, titles, known, found = _shared
    return [features(texts[i], titles[i] if titles else "", known, found[i]) for i in range(*bounds)]


def _all_features(
    texts: Sequence[str],
    titles: Sequence[str] | None,
    known: set[str],
    found: list[tuple[list[str], list[str]]],
    *,
    workers: int,
    progress: bool,
) -> list[Features]:
    from .csvio import progress as bar

    global _shared
    n = len(texts)
    chunks = [(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK)]
    _shared = (texts, titles, known, found)
    try:
        if workers <= 1 or n < 4 * _CHUNK:
            parts = [
                _features_of(c) for c in bar(chunks, total=len(chunks), description="reading texts", enabled=progress)
            ]
        else:
            import multiprocessing

            # Forked children share the texts and the tokenizer (with the places just learnt) without pickling them.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = list(
                    bar(
                        pool.imap(_features_of, chunks),
                        total=len(chunks),
                        description="reading texts",
                        enabled=progress,
                    )
                )
    finally:
        _shared = None
    return [f for part in parts for f in part]


def _rank(name: str) -> int:
    return next((i for i, rank in enumerate(_RANK) if rank.search(name)), len(_RANK))


def _canonical_places(feats: Sequence[Features]) -> tuple[dict[str, str], Counter[str]]:
    """Map each place to the name most texts use for it, and count the texts that mention each resulting name.

    A longer form maps to a shorter one that others use ("万科魅力之城" -> "魅力之城"); a name that nearly always
    appears together with a more common, at least as estate-like one is taken as a part or alias of it ("滨河苑" ->
    "伊景园"; a road that is only ever named with the estate on it).
    """
    per_text = [{place_key(p) for p in f.places} for f in feats]
    counts: Counter[str] = Counter()
    for keys in per_text:
        counts.update(keys)
    common = {name for name, count in counts.items() if count >= 2 and len(name) >= 3}
    mapping: dict[str, str] = {}
    for name in sorted(counts, key=len):
        for length in range(3, len(name)):
            shorter = name[-length:]
            if shorter in common:
                mapping[name] = mapping.get(shorter, shorter)
                break
    mentions: Counter[str] = Counter()
    together: Counter[tuple[str, str]] = Counter()
    for keys in per_text:
        mapped = {mapping.get(k, k) for k in keys}
        mentions.update(mapped)
        together.update((a, b) for a in mapped for b in mapped if a != b)
    for (a, b), both in together.most_common():
        if both < 2 or a in mapping or b in mapping:
            continue
        if both >= 0.8 * mentions[a] and mentions[b] > mentions[a] and _rank(b) <= _rank(a):
            mapping[a] = b
    final = {name: _follow(mapping, name) for name in mapping}
    merged: Counter[str] = Counter()
    for keys in per_text:
        merged.update({final.get(k, k) for k in keys})
    return final, merged


def _follow(mapping: dict[str, str], name: str) -> str:
    seen = {name}
    while name in mapping and mapping[name] not in seen:
        name = mapping[name]
        seen.add(name)
    return name


def _split_block(matrix: csr_matrix, rows: list[int], threshold: float) -> list[list[int]]:
    if len(rows) == 1:
        return [rows]
    if len(rows) > MAX_BLOCK:
        # Too many for a distance matrix: first split by each text's heaviest word, so that texts about one thing
        # stay together; a part still too large (one word shared by thousands) is cut into chunks, and a topic larger
        # than a chunk then comes out as several clusters with the same label.
        heaviest = np.asarray(matrix[rows].argmax(axis=1)).ravel()
        parts: dict[int, list[int]] = {}
        for row, word in zip(rows, heaviest.tolist(), strict=True):
            parts.setdefault(word, []).append(row)
        if len(parts) == 1:
            return [
                g
                for start in range(0, len(rows), MAX_BLOCK)
                for g in _split_block(matrix, rows[start : start + MAX_BLOCK], threshold)
            ]
        small: list[int] = []
        groups: list[list[int]] = []
        for part in parts.values():
            if len(part) >= 50:
                groups.extend(_split_block(matrix, part, threshold))
            else:
                small.extend(part)
        # Texts whose heaviest word few others share are clustered together, as before.
        for start in range(0, len(small), MAX_BLOCK):
            groups.extend(_split_block(matrix, small[start : start + MAX_BLOCK], threshold))
        return groups
    sub = matrix[rows]
    similarity = (sub @ sub.T).toarray()
    np.clip(similarity, 0.0, 1.0, out=similarity)
    distance = 1.0 - similarity
    condensed = distance[np.triu_indices(len(rows), k=1)]
    labels = fcluster(linkage(condensed, method="average"), t=threshold, criterion="distance")
    grouped: dict[int, list[int]] = {}
    for row, label in zip(rows, labels.tolist(), strict=True):
        grouped.setdefault(label, []).append(row)
    return list(grouped.values())


def _top_words(matrix: csr_matrix, rows: list[int], vocabulary: np.ndarray, idf: np.ndarray, k: int = 8) -> list[str]:
    """The heaviest words of the cluster's TF-IDF centroid that at least a fifth of its texts use.

    Computed on the cluster's own non-zero entries only (a dense row of the whole vocabulary per cluster would
    cost more than the clustering)."""
    if not len(vocabulary):
        return []
    sub = matrix[rows]
    if not sub.nnz:
        return []
    columns, inverse = np.unique(sub.indices, return_inverse=True)
    weight = np.bincount(inverse, weights=sub.data)
    df = np.bincount(inverse)
    weight[df < max(1, math.ceil(len(rows) * 0.2))] = 0.0
    best = np.argsort(-weight, kind="stable")[:k]
    return [str(vocabulary[columns[j]]) for j in best if weight[j] > 0]


def _score(
    clusters: list[Cluster],
    *,
    times: Sequence[datetime | None] | None,
    likes: Sequence[int] | None,
    window_days: int,
) -> None:
    latest = max((t for t in times or () if t is not None), default=None)
    for c in clusters:
        c.size = len(c.rows)
        c.support = sum(max(likes[i], 0) for i in c.rows) if likes else 0
        seen = [times[i] for i in c.rows if times[i] is not None] if times else []
        age_days = 0.0
        if seen and latest is not None:
            c.last_seen = max(t for t in seen if t is not None)
            # The file's own latest time is "now": an old export is judged against its own end, not today.
            recent_from = latest - timedelta(days=window_days)
            previous_from = recent_from - timedelta(days=window_days)
            c.recent = sum(1 for t in seen if t is not None and t > recent_from)
            c.previous = sum(1 for t in seen if t is not None and previous_from < t <= recent_from)
            c.growth = growth_ratio(c.recent, c.previous)
            age_days = (latest - c.last_seen).total_seconds() / 86400
        c.heat = heat_score(c.size, c.support, c.growth, age_days)
