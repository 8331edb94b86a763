from __future__ import annotations

import itertools
import math

from fankui.core import codes


def test_a_new_code_has_sixty_random_bits_and_a_valid_check_symbol() -> None:
    assert codes.RANDOM_SYMBOLS * math.log2(len(codes.ALPHABET)) >= 60
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == codes.LENGTH
        assert codes.is_valid(code)


def test_the_alphabet_has_no_look_alikes() -> None:
    assert not set("01OI") & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == 32


def test_every_single_symbol_typo_is_caught() -> None:
    code = codes.new_code()
    for position, symbol in itertools.product(range(codes.LENGTH), codes.ALPHABET):
        typo = code[:position] + symbol + code[position + 1 :]
        assert codes.is_valid(typo) == (typo == code)


def test_swapping_two_neighbours_is_caught_almost_always() -> None:
    caught = total = 0
    for _ in range(300):
        code = codes.new_code()
        for i in range(codes.LENGTH - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            total += 1
            caught += not codes.is_valid(swapped)
    assert caught / total > 0.95


def test_input_is_normalized_before_checking() -> None:
    code = codes.new_code()
    typed = f" {codes.display(code).lower()} "
    assert codes.normalize(typed) == code
    assert codes.display(code).count("-") == 2
