"""Times in the files that `fankui hot` and `fankui dedupe` read keep their hour and minute in every written form."""

from __future__ import annotations

from datetime import datetime

import pytest

from fankui.nlp.csvio import parse_time


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019/4/25 9:32:09", datetime(2019, 4, 25, 9, 32, 9)),
        ("2019-07-11 00:00:00", datetime(2019, 7, 11)),
        ("2019-07-11T08:05", datetime(2019, 7, 11, 8, 5)),
        ("2019年9月5日 14:30", datetime(2019, 9, 5, 14, 30)),
        ("2019年9月5日", datetime(2019, 9, 5)),
        ("2019/09/05", datetime(2019, 9, 5)),
        ("2019/2/30 10:00", None),
        ("yesterday", None),
    ],
)
def test_a_time_is_read_with_its_hour(value: str, expected: datetime | None) -> None:
    assert parse_time(value) == expected
