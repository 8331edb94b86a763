"""Tracking codes (跟踪码): unguessable, short, easy to read aloud and to type on a phone.

Twelve random symbols from a 32-symbol alphabet (60 bits from ``secrets``) and one check symbol computed with
the Luhn mod N algorithm, which catches every single-symbol typo and almost every swap of neighbours before a
lookup is made. The alphabet has no 0/O and no 1/I, so nothing looks alike; input is upper-cased and stripped of
spaces and dashes. Shown grouped as ``XXXX-XXXX-XXXXX``.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RANDOM_SYMBOLS = 12
LENGTH = RANDOM_SYMBOLS + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_N = len(ALPHABET)


def check_symbol(payload: str) -> str:
    """Luhn mod N over ``payload`` (symbols already in ALPHABET)."""
    factor = 2
    total = 0
    for symbol in reversed(payload):
        addend = factor * _VALUE[symbol]
        total += addend // _N + addend % _N
        factor = 1 if factor == 2 else 2
    return ALPHABET[(_N - total % _N) % _N]


def new_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return payload + check_symbol(payload)


def normalize(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch not in " -_\t\n")


def is_valid(code: str) -> bool:
    """True when ``code`` (normalized) has the right length, alphabet and check symbol."""
    if len(code) != LENGTH or any(ch not in _VALUE for ch in code):
        return False
    return check_symbol(code[:-1]) == code[-1]


def display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
