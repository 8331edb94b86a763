from __future__ import annotations

import random

import pytest

from fankui.nlp.masking import ID_CHECK, ID_WEIGHTS, id_number_is_valid, luhn_is_valid, mask, mask_case_text


def make_id(rng: random.Random) -> str:
    body = (
        f"{rng.choice(['110101', '310104', '440305', '430102', '510107'])}"
        f"{rng.randint(1950, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def make_card(rng: random.Random) -> str:
    body = rng.choice(["622202", "621700", "622848", "436742", "518710"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(rng.choice([9, 12]))
    )
    for check in "0123456789":
        if luhn_is_valid(body + check):
            return body + check
    raise AssertionError


def make_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


TEMPLATES = [
    "我的电话是{v}，请尽快联系我。",
    "联系人身份证号码：{v} 已提交",
    "退款请打到银行卡{v}，谢谢",
    "有事打{v}",
    "号码{v}。",
]

ORDINARY = [
    "订单号{order}，金额{amount}元，下单日期{date}，地址幸福路{house}号{room}室",
    "2026年11月16日买了{amount}元的东西，订单编号：{order}",
    "单号 {order} 至今未发货，小区{house}栋{room}房",
    "{date} 10:30 在建设路{house}号，交了{amount}元押金",
]


def test_every_valid_id_mobile_and_card_in_a_generated_corpus_is_masked() -> None:
    rng = random.Random(20261116)
    for _ in range(400):
        values = {"id_number": make_id(rng), "mobile": make_mobile(rng), "bank_card": make_card(rng)}
        for kind, value in values.items():
            text = rng.choice(TEMPLATES).format(v=value)
            masked = mask(text)
            assert value not in masked.text, text
            assert masked.found == {kind: 1}, (text, masked)


def test_no_ordinary_number_in_a_generated_corpus_is_masked() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        text = rng.choice(ORDINARY).format(
            order="".join(str(rng.randint(0, 9)) for _ in range(rng.choice([12, 16, 18, 19]))),
            amount=rng.choice([str(rng.randint(1, 99999)), f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}"]),
            date=rng.choice(
                [f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"2026{rng.randint(1, 12):02d}15"]
            ),
            house=rng.randint(1, 999),
            room=rng.randint(101, 3306),
        )
        assert mask(text).text == text


def test_an_id_number_with_a_wrong_check_digit_is_still_masked() -> None:
    # A mistyped ID number is still someone's ID number (issue 14, item 10).
    rng = random.Random(3)
    for _ in range(300):
        value = make_id(rng)
        wrong = value[:17] + ("1" if value[17] != "1" else "2")
        assert not id_number_is_valid(wrong)
        masked = mask(f"身份证 {wrong} 办不了")
        assert wrong not in masked.text
        assert masked.found == {"id_number": 1}


def test_an_old_fifteen_digit_id_number_is_masked() -> None:
    masked = mask("老身份证号110105491231002，请核对")
    assert "110105491231002" not in masked.text
    assert masked.found == {"id_number": 1}


@pytest.mark.parametrize(
    "card",
    ["6217002870012345678", "6222 0212 3456 7890 123", "6228480402564890018", "4367421234567890", "62148301234567891"],
)
def test_a_bank_card_of_16_to_19_digits_is_masked_even_with_a_wrong_check_digit(card: str) -> None:
    masked = mask(f"退款请打到{card}这张卡")
    assert card not in masked.text
    assert masked.found == {"bank_card": 1}


@pytest.mark.parametrize(
    "text",
    [
        "工单 2026-000123 还没回复",
        "跟踪码 7KQM-XH4P-2NV8R",
        "2026年11月16日 10:30 报修，20261116 又报一次",
        "快递单号 773456789012345678 没到",
        "订单号1234567890123456789",
        "编号 999912345678901234 的设备",
        "金额 1234567890123456 元",
    ],
)
def test_numbers_that_are_clearly_not_personal_stay_as_written(text: str) -> None:
    assert mask(text).text == text


@pytest.mark.parametrize(
    ("text", "kind", "gone"),
    [
        ("座机010-62751234转8", "landline", "62751234"),
        ("电话（0571）88886666", "landline", "88886666"),
        ("请回复 zhang.san@example.com", "email", "zhang.san@"),
        ("车牌京A12345违停", "plate", "京A12345"),
        ("新能源车粤BD12345占了车位", "plate", "粤BD12345"),
        ("手机 +86 138 1234 5678", "mobile", "1234 5678"),
        ("卡号6222 0212 3456 7890 128", "bank_card", "3456 7890"),
    ],
)
def test_it_masks_each_kind_of_personal_data(text: str, kind: str, gone: str) -> None:
    masked = mask(text)
    assert gone not in masked.text
    assert masked.found.get(kind) == 1, masked


def test_a_mask_keeps_a_few_characters_so_staff_can_tell_numbers_apart() -> None:
    assert mask("电话13812345678").text == "电话138****5678"


def test_names_from_the_contact_fields_are_masked_where_they_recur() -> None:
    title, body, found = mask_case_text("王建国反映路灯问题", "我是王建国，电话13812345678", names=["王建国"])
    assert "王建国" not in title + body
    assert title.startswith("王**")
    assert found == {"name": 2, "mobile": 1}


def test_text_without_personal_data_is_returned_unchanged() -> None:
    text = "幸福小区3栋2单元的路灯坏了半个月，2026年11月1日报修过，花了200元。"
    assert mask(text).text == text
    assert mask(text).found == {}
