"""What a text is about: its places (estates, roads, villages, schools) and its issue words.

A hot topic is "the same problem at the same place": dozens of residents of one estate complaining about a concrete
plant next door, buyers of one development refusing a forced parking-space purchase. So every text is read for
(1) its places: estates, roads, villages, schools (X小区, X路, X村, X新城, ...), found by patterns on the text with the
administrative prefixes ("A市A2区") taken off, and (2) its issue words: jieba words without stop words and places.
``cluster`` groups many texts by them; the topics app places one case at a time.

Words: ``data/topic_words.txt`` (problems and objects: 搅拌站, 噪音扰民), the product's shipped domain dictionary
(``data/domain_words.txt``) and the words a caller adds (``add_words``: the topics app adds the domain words staff add
in the admin).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import jieba

from .patterns import first_characters
from .text import DATA_DIR, fold_width, shipped_domain_words

MODEL_VERSION = "topics-2026.11"

# Estates, roads, villages, institutions: the name in front of one of these is a place.
PLACE_SUFFIXES = (
    "小区|新城|花园|家园|公寓|大厦|广场|社区|新村|山庄|公馆|华府|名苑|雅苑|花苑|庭院|府邸|城邦|国际|"
    "苑|府|湾|城|园|村|镇|乡|街道|大道|路|街|巷|中学|小学|学校|学院|大学|幼儿园|医院|公园|市场|商场"
)
# Where people live or gather names a topic better than the road or district around it.
PLACE_RANKS = (
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
_tokenizer: jieba.Tokenizer | None = None
_stopwords: frozenset[str] = frozenset()
_CJK = re.compile(r"[\u4e00-\u9fff]")


def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of our own, so that place names learnt from a corpus do not change how other parts of the
    product cut words; with this module's words (problems, objects) and the shipped domain dictionary. Once per
    process; ``add_words`` teaches it the words staff add in the admin."""
    global _tokenizer, _stopwords, _base_total
    with _lock:
        if _tokenizer is None:
            loaded = jieba.Tokenizer()
            loaded.load_userdict(str(DATA_DIR / "topic_words.txt"))
            for word in shipped_domain_words():
                loaded.add_word(word, 2000)
            _stopwords = frozenset((DATA_DIR / "stopwords.txt").read_text(encoding="utf-8").split())
            _base_total = loaded.total
            _weights.clear()
            _tokenizer = loaded
        return _tokenizer


_learnt: set[str] = set()


def add_words(names: Iterable[str]) -> None:
    """Keep these words whole: staff's domain words, and place names learnt from a corpus (so "绿地海外滩二期"
    yields the place "绿地海外滩" like "绿地海外滩小区" does)."""
    words = tokenizer()
    with _lock:
        for name in names:
            name = name.strip()
            if len(name) >= 2 and name not in _learnt:
                words.add_word(name, 2000)
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
        frequency = (tokenizer().FREQ or {}).get(word, 0)
        if len(_weights) > _MEMO_LIMIT:
            _weights.clear()
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


def find_places(cleaned: str) -> list[str]:
    """Place names in order of first mention in a text cleaned of administrative prefixes (``text_parts``:
    "A市A2区丽发新城" -> "丽发新城")."""
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


def _tokens(cleaned: str) -> list[str]:
    """Issue words: jieba words (precise mode without HMM, the guesser of unknown words: slower, and it changes with
    versions) with two Chinese characters or more, stop words left out."""
    words = tokenizer().lcut(cleaned, HMM=False)
    return [word for word in words if len(_CJK.findall(word)) >= 2 and word not in _stopwords]


# Beyond this many entries ``word_weight``'s memo is emptied rather than grown without end in a long-running worker.
_MEMO_LIMIT = 400_000


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
        for rank in (*PLACE_RANKS, None):
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


def text_parts(text: str, title: str) -> tuple[str, str]:
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
    clean_title, clean_body = text_parts(text, title)
    return (find_places(clean_title) if title else []), find_places(clean_body)


def features_both(
    text: str,
    title: str = "",
    known: frozenset[str] | set[str] = frozenset(),
    found_places: tuple[list[str], list[str]] | None = None,
) -> tuple[Features, Features]:
    """``features`` with ``known`` and without it, segmenting the text once (the pipeline needs both: the first to
    place a case, the second for its topic's keywords)."""
    clean_title, clean_body = text_parts(text, title)
    title_places, body_places = found_places or (find_places(clean_title) if title else [], find_places(clean_body))
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
