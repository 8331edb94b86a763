"""Text preparation shared by every model: normalisation and jieba words with a domain dictionary staff can extend.

The domain dictionary is the shipped ``data/domain_words.txt`` (12345-hotline terms jieba splits badly, such as
噪音扰民 or 占道经营) plus the words the caller adds (``add_domain_words``: the analysis app adds the words staff add in
the admin and every keyword of a keyword rule before each batch, so a rule's keyword is never cut in two).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).resolve().parent / "data"
DOMAIN_WORDS_FILE = DATA_DIR / "domain_words.txt"

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_loaded_words: set[str] = set()
_initialised = False

_SPACES = re.compile(r"\s+")
# A token worth keeping: it has a letter, a digit or a CJK character (punctuation carries no topic).
_CONTENT = re.compile(r"[0-9A-Za-z\u4e00-\u9fff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# Full-width ASCII (！ to ～) and the ideographic space to their ordinary forms: what NFKC does to Chinese text
# that matters here, at a tenth of NFKC's cost.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_NARROW = {chr(wide): chr(narrow) for wide, narrow in _WIDTH.items()}
# The full-width characters Chinese messages are full of ("，" alone is 85% of them in the government messages).
_COMMON_WIDE = tuple((wide, _NARROW[wide]) for wide in "，？！：）（；\u3000")


def fold_width(text: str) -> str:
    """``text.translate(_WIDTH)``, six times as fast on Chinese text (6 against 33 µs for a government message):
    ``str.translate`` looks every character up in the table; here ``str.replace`` (in C) folds the common
    punctuation and a pattern whatever full-width character is left."""
    for wide, narrow in _COMMON_WIDE:
        if wide in text:
            text = text.replace(wide, narrow)
    if _WIDE.search(text):
        text = _WIDE.sub(lambda match: _NARROW[match.group()], text)
    return text


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation to their ordinary forms, lower case, spaces collapsed.

    Cached: in the pipeline every model and rule normalises the same few hundred texts of a batch."""
    return _SPACES.sub(" ", fold_width(text or "")).strip().lower()


def _initialise() -> None:
    global _initialised
    with _lock:
        if _initialised:
            return
        jieba.initialize()
        _add_words(shipped_domain_words())
        _initialised = True


def shipped_domain_words() -> list[str]:
    if not DOMAIN_WORDS_FILE.exists():
        return []
    return [
        line.split()[0]
        for line in DOMAIN_WORDS_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _add_words(words: Iterable[str]) -> None:
    for word in words:
        word = normalize(word)
        if len(word) >= 2 and word not in _loaded_words:
            jieba.add_word(word, 2000)
            _loaded_words.add(word)


def add_domain_words(words: Iterable[str]) -> None:
    """Teach the segmenter more words (from the admin's domain words and keyword rules)."""
    _initialise()
    with _lock:
        _add_words(words)


def words(text: str) -> list[str]:
    """The words of a text (jieba, precise mode without the HMM guesser: faster and stable across versions)."""
    if not _initialised:
        _initialise()
    return [token for token in jieba.lcut(normalize(text), HMM=False) if token.strip() and _CONTENT.search(token)]


def word_tokens(text: str) -> list[str]:
    """The tokenizer the models pickle (a module-level function, so saved models load anywhere)."""
    return words(text)


# The word member of a stacked model reads only the start of a text: cutting words is slow (pure Python), and the
# member is there for short texts, reviews and the like.
WORD_GRAM_CHARS = 120


def word_gram_tokens(text: str) -> list[str]:
    """The words the word member of a stacked model reads: the words of the text's first ``WORD_GRAM_CHARS``
    characters as jieba's precise mode cuts them, those with a Chinese character or in jieba's dictionary (12345):
    letters, digits and punctuation are left to the character n-grams. (Until December 2026 a faster copy of
    jieba's route gave these words: the same on 62,607 of the 62,608 texts of the shared files.)"""
    if not _initialised:
        _initialise()
    freq = jieba.dt.FREQ
    words = jieba.lcut(normalize((text or "")[:WORD_GRAM_CHARS]), HMM=False)
    return [word for word in words if _CJK.search(word) or (len(word) >= 2 and freq.get(word))]


def word_grams(doc: str | list[str]) -> list[str]:
    """Word 1- and 2-grams of a text, or of its ``word_gram_tokens`` already cut (training cuts each text once,
    not once a fold) (a module-level function, so saved models load anywhere)."""
    tokens = doc if isinstance(doc, list) else word_gram_tokens(doc)
    return [*tokens, *(f"{first} {second}" for first, second in pairwise(tokens))]
