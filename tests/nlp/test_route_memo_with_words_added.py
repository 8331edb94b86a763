"""The fast segmentation's memo stays right when words are added, also while another thread is cutting."""

from __future__ import annotations

from typing import Any

import jieba

from fankui.nlp.route import Route
from fankui.nlp.text import add_domain_words, word_gram_tokens


def _route() -> Route:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return Route(tokenizer)


def test_an_added_word_is_cut_whole_afterwards() -> None:
    route = _route()
    assert route.cut("绿地海外滩二期噪音") != ["绿地海外滩", "二期", "噪音"]
    route.add_word("绿地海外滩", 2000)
    assert route.cut("绿地海外滩二期噪音") == ["绿地海外滩", "二期", "噪音"]


def test_a_cut_racing_with_an_added_word_does_not_remember_what_it_read_before() -> None:
    route = _route()
    route.add_word("绿地海外滩小区", 2000)  # "绿地海外滩" is in the dictionary now, as a prefix only
    word = "绿地海外滩"

    class AddsTheWordMidCut(dict[str, Any]):
        """The dictionary as another thread changes it: right after the cut read the word's entry."""

        fired = False

        def get(self, key: str, default: Any = None) -> Any:
            value = dict.get(self, key, default)
            if key == word and not AddsTheWordMidCut.fired:
                AddsTheWordMidCut.fired = True
                route.add_word(word, 2000)
            return value

    route.tokenizer.FREQ = AddsTheWordMidCut(route.tokenizer.FREQ)
    route.cut("绿地海外滩二期噪音")  # cut while the word was being added: either answer is fair
    assert AddsTheWordMidCut.fired
    assert route.cut("绿地海外滩二期噪音") == ["绿地海外滩", "二期", "噪音"]


def test_staff_domain_words_reach_the_word_member_of_stacked_models() -> None:
    assert "蓝鲸湾搅拌站" not in word_gram_tokens("蓝鲸湾搅拌站又在夜间施工")
    add_domain_words(["蓝鲸湾搅拌站"])
    assert word_gram_tokens("蓝鲸湾搅拌站又在夜间施工")[0] == "蓝鲸湾搅拌站"
    assert word_gram_tokens(None) == []  # type: ignore[arg-type]
