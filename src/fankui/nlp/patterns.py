"""Regular expressions led by a look-ahead at the characters a match can start with.

``(?=[abc])(?:alternatives)`` matches exactly what the alternatives alone match, but the engine tries the
alternatives only where one of them can begin: for long alternations of Chinese words (places, cue words) the
rules, masking and topics spend half the time or less. This module reads just enough of a pattern to know those
characters, and says so when it cannot tell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def _scan(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each character of ``pattern`` outside escapes and character classes (skipped whole), with its position and
    the depth of groups after it."""
    depth, i = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = pattern.index("]", i + 2) + 1
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (``|`` outside groups and character classes)."""
    cuts = [i for i, ch, depth in _scan(pattern) if ch == "|" and depth == 0]
    return [pattern[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(pattern)], strict=True)]


def _group_end(pattern: str) -> int:
    """Where the group opening ``pattern`` ends (just after its closing parenthesis)."""
    return next(i + 1 for i, ch, depth in _scan(pattern) if ch == ")" and depth == 0)


def first_characters(pattern: str) -> str | None:
    """A character class body of every character a match of ``pattern`` can start with, or None when this simple
    reading of the pattern cannot tell (an alternative that may match nothing, a look-ahead, an escape it does not
    know)."""
    found: list[str] = []
    for alternative in alternatives(pattern):
        while alternative.startswith(("(?<!", "(?<=")):  # a look-behind consumes nothing
            alternative = alternative[_group_end(alternative) :]
        if alternative.startswith("(?:"):
            end = _group_end(alternative)
            first, rest = first_characters(alternative[3 : end - 1]), alternative[end:]
        elif alternative.startswith("[") and not alternative.startswith("[^"):
            end = alternative.index("]", 2) + 1
            first, rest = alternative[1 : end - 1], alternative[end:]
        elif alternative.startswith("\\d"):
            first, rest = "0-9", alternative[2:]
        elif alternative and alternative[0] not in "\\()[]|.^$?*+{":
            first, rest = re.escape(alternative[0]), alternative[1:]
        else:
            return None
        if first is None or rest.startswith(("?", "*", "{0")):
            return None
        found.append(first)
    return "".join(found)


def compile_led(pattern: str) -> re.Pattern[str]:
    """``re.compile(pattern)``, led by the look-ahead when some alternative starts with a group, a class or a
    look-behind. (When every alternative starts with a plain character the engine already skips ahead by itself,
    and the look-ahead would only slow it down.)"""
    first = first_characters(pattern)
    if first is None or all(len(a) > 0 and a[0] not in "\\([" for a in alternatives(pattern)):
        return re.compile(pattern)
    return re.compile(f"(?=[{first}])(?:{pattern})")
