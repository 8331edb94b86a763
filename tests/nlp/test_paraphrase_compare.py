"""paraphrase.compare: the same problem at the same place in other words, judged on place, numbers and words."""

from __future__ import annotations

from fankui.nlp import paraphrase, places


def report(title: str, body: str = "") -> paraphrase.Report:
    feats = places.features(body, title)
    return paraphrase.report(title, body, feats.place, feats.words)


def test_a_retelling_at_the_same_place_is_the_same_problem_and_says_why() -> None:
    verdict = paraphrase.compare(
        report("丽发新城小区旁建搅拌站，噪音灰尘严重"), report("丽发新城附近的搅拌站日夜轰鸣，灰尘满天飞")
    )

    assert verdict is not None
    assert verdict.place == "丽发新城"
    assert "搅拌站" in verdict.words


def test_another_problem_at_the_same_place_is_not() -> None:
    assert paraphrase.compare(report("丽发新城小区旁建搅拌站，噪音扰民"), report("丽发新城物业强行给业主断水")) is None


def test_the_same_words_at_two_places_are_two_problems() -> None:
    assert paraphrase.compare(report("润芳园小区临街门面油烟扰民"), report("魅力之城小区临街门面油烟扰民")) is None


def test_a_text_without_a_place_repeats_one_with_a_place_only_if_it_names_that_place() -> None:
    # (or if its words are nearly the same: ``ONE_PLACE``)
    with_place = report("丽发新城小区旁建搅拌站，噪音扰民", "丽发新城小区旁边建了搅拌站，噪音很大。")
    mentions_it = report("投诉小区附近搅拌站噪音扰民", "我们是" + "业主，" * 60 + "丽发新城旁边的搅拌站噪音很大。")
    names_nothing = report("投诉小区附近搅拌站", "小区旁边有个搅拌站，每天吵得睡不着觉。")

    assert mentions_it.place == "" and names_nothing.place == ""
    assert paraphrase.compare(mentions_it, with_place) is not None
    assert paraphrase.compare(names_nothing, with_place) is None


def test_different_years_house_numbers_or_buildings_in_the_titles_are_different_cases() -> None:
    assert paraphrase.numbers_conflict(report("2017年出租车燃油补贴未发放"), report("2018年出租车燃油补贴未发放"))
    assert paraphrase.numbers_conflict(report("3栋麻将馆扰民"), report("8栋麻将馆扰民"))
    assert not paraphrase.numbers_conflict(report("3栋麻将馆扰民"), report("小区麻将馆扰民"))


def test_rare_words_weigh_more_than_common_ones() -> None:
    assert places.word_weight("搅拌站") > 1.5 * places.word_weight("问题")
