"""The fast segmentation (`route.Route`) gives exactly the words jieba's precise mode (no HMM) gives."""

from __future__ import annotations

import csv
from pathlib import Path

import jieba

from fankui.nlp import places
from fankui.nlp.text import WORD_GRAM_CHARS, normalize, word_gram_tokens

FIXTURES = Path(__file__).parent / "fixtures"


def jieba_words(cleaned: str) -> list[str]:
    tokenizer = places.segmenter().tokenizer
    return [
        word
        for word in (w.strip() for w in tokenizer.lcut(cleaned, HMM=False))
        if len(word) >= 2 and word not in places._stopwords and len(places._CJK.findall(word)) >= 2
    ]


def sample_texts() -> list[str]:
    texts = [
        "投诉丽发新城附近建搅拌站噪音扰民，A市A2区丽发新城小区旁边新建了搅拌站。",
        "绿地海外滩二期ABC123栋3单元，WiFi信号差；物业费2026年上涨50%！",
        "魅力之城小区底层商铺油烟直排 夜宵摊烧烤到凌晨\r\n请相关部门处理",
    ]
    for name in ("kind_sample.csv", "urgency_sample.csv"):
        with (FIXTURES / name).open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                texts.extend(row)
    return texts


def test_it_segments_every_sample_text_as_jieba_does() -> None:
    places.learn_places(["绿地海外滩", "丽发新城"])
    for text in sample_texts():
        cleaned = places._clean(text)
        assert places._tokens(cleaned) == jieba_words(cleaned), text


def test_the_stacked_models_word_member_cuts_chinese_words_as_jieba_does() -> None:
    reviews = ["很好吃，送餐快！", "不好用。。。差评", "iPhone很不错，3天就到了", "酒店前台服务态度好", "好"]
    for text in [*sample_texts(), *reviews]:
        cut = word_gram_tokens(text)
        expected = jieba.lcut(normalize(text[:WORD_GRAM_CHARS]), HMM=False)
        assert [w for w in cut if places._CJK.search(w)] == [w for w in expected if places._CJK.search(w)], text
        assert all(len(w) >= 2 or places._CJK.search(w) for w in cut), text
    assert word_gram_tokens("好") == ["好"]
