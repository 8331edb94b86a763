from __future__ import annotations

import random
import re

import pytest

from fankui.nlp.masking import CARD_RE, ID_RE, PLATE_RE, PROVINCES

# The patterns as first written, look-behind first: the reordered ones must find exactly what these find.
WRITTEN = {
    "id": (
        ID_RE,
        r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])",
    ),
    "card": (CARD_RE, r"(?<![0-9])(?:\d{4}[ -]?){3,4}\d{1,7}(?![0-9])"),
    "plate": (
        PLATE_RE,
        rf"(?<![A-Za-z0-9])[{PROVINCES}][A-HJ-NP-Z][·• ]?(?=[A-HJ-NP-Z0-9]{{0,5}}[0-9])[A-HJ-NP-Z0-9]{{5,6}}"
        r"(?:挂|学|警|港|澳)?(?![A-Za-z0-9])",
    ),
}


def _strings() -> list[str]:
    rng = random.Random(11)
    pieces = ["110105194912310021", "6222021234567890123", "6222 0212 3456 7890", "京A12345", "粤B·D1234学", "7", "A"]
    pieces += ["号码", " ", "-", "，", "19", "x"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 6))) for _ in range(3000)]


@pytest.mark.parametrize("name", WRITTEN)
def test_a_reordered_pattern_finds_what_the_pattern_as_written_finds(name: str) -> None:
    pattern, written = WRITTEN[name]
    plain = re.compile(written)
    strings = _strings()
    found = [[m.span() for m in pattern.finditer(s)] for s in strings]
    assert found == [[m.span() for m in plain.finditer(s)] for s in strings]
    assert sum(map(len, found)) > 100
