"""Personal data found and masked in what people write: phone numbers, ID numbers, bank cards, e-mail, plates, names.

Numbers are masked when they have the shape of what they look like, typos included (a mistyped ID number is still
someone's ID number): an ID number needs a province code and a valid birth date (18 digits, the check character
may be wrong; or the 15 digits of the old cards), a bank card 16 to 19 digits after a card-issuer prefix (15 and 17
digits also need the Luhn check digit), so amounts, dates, house numbers and order numbers stay readable. A number
written right after 订单号/单号/编号 (an order or reference number) is never masked.
Masks keep a few characters (138****5678) so staff can still tell two numbers apart, as Chinese service platforms do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Issuer prefixes of cards used in China: UnionPay 62 (and 60, 95 of older domestic debit cards), Visa 4,
# Mastercard 51-55 and 22-27, JCB 35, Amex 34/37. Anything else of card length is more likely a reference number.
CARD_PREFIXES = (
    "62",
    "60",
    "95",
    "4",
    "51",
    "52",
    "53",
    "54",
    "55",
    "35",
    "34",
    "37",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
)
# Bank cards are 16 to 19 digits (UnionPay): any of these after an issuer prefix is masked, even when the Luhn check
# digit is wrong (a card number with a typo still points at someone's account); an ID-shaped 18-digit number is an ID
# number first. 15 digits (Amex) is masked only with a valid check digit: it is also a common reference length.
CARD_LENGTHS = (15, 16, 17, 18, 19)
CARD_LENGTHS_WITHOUT_CHECK = (16, 17, 18, 19)

# The first two digits of an ID number: the province-level division (GB/T 2260), 71 Taiwan, 81/82 Hong Kong/Macao.
ID_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 91".split()  # noqa: SIM905
)

# A number right after one of these words is a reference, not personal data.
REFERENCE_WORDS = re.compile(
    r"(?:订单|单号|编号|流水号|交易号|运单|快递|发票|合同|工单|批次|型号|货号|条码|序列号|批号|SN|sn|No\.?|NO\.?)"
    r"[号码]?\s*[:：是为]?\s*$"
)

# No pattern starts with its look-behind ("no digit before"), which the engine would test at every character: an ID
# number, a card and a plate start with their first character, checked afterwards together with the one before it;
# a phone number starts with a look-ahead at the characters it can start with. Same matches, the engine skips ahead
# to where one can begin.
ID_RE = re.compile(
    r"[1-9](?<![0-9][1-9])\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])"
)
# The old 15-digit ID card: region, YYMMDD, sequence.
ID15_RE = re.compile(r"[1-9](?<![0-9][1-9])\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9])")
CARD_RE = re.compile(r"\d(?<![0-9]\d)\d{3}[ -]?(?:\d{4}[ -]?){2,3}\d{1,7}(?![0-9])")
MOBILE_RE = re.compile(r"(?=[+081])(?<![0-9])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9])")
LANDLINE_RE = re.compile(
    r"(?=[(（0])(?<![0-9])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[ -]|0(?:10|2\d)|0[3-9]\d{2})[2-9]\d{6,7}"
    r"(?:(?:转|-|ext\.?)\d{1,5})?(?![0-9])"
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PLATE_RE = re.compile(
    rf"[{PROVINCES}](?<![A-Za-z0-9][{PROVINCES}])[A-HJ-NP-Z][·• ]?"
    r"(?=[A-HJ-NP-Z0-9]{0,5}[0-9])[A-HJ-NP-Z0-9]{5,6}"
    r"(?:挂|学|警|港|澳)?(?![A-Za-z0-9])"
)

# Every number pattern needs a decimal digit; most messages have none and skip them all.
_DIGIT = re.compile(r"\d")


def id_number_is_valid(number: str) -> bool:
    """GB 11643-1999: 17 digits, a plausible birth date, and the ISO 7064 MOD 11-2 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == number[17].upper()


def luhn_is_valid(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    if len(digits) < 2:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_card_number(digits: str) -> bool:
    """A card number's length after an issuer prefix; the Luhn check only where the length is ambiguous."""
    if len(digits) not in CARD_LENGTHS or not digits.startswith(CARD_PREFIXES):
        return False
    return len(digits) in CARD_LENGTHS_WITHOUT_CHECK or luhn_is_valid(digits)


def _keep(value: str, head: int, tail: int) -> str:
    hidden = len(value) - head - tail
    if hidden <= 0:
        return "*" * len(value)
    return value[:head] + "*" * hidden + (value[-tail:] if tail else "")


@dataclass
class Masked:
    text: str
    # What was found, by type, e.g. {"mobile": 2}; never the values.
    found: dict[str, int] = field(default_factory=dict)


@dataclass
class _Finder:
    text: str
    spans: list[tuple[int, int, str, str]] = field(default_factory=list)

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _, _ in self.spans)

    def is_reference(self, start: int) -> bool:
        return bool(REFERENCE_WORDS.search(self.text[max(0, start - 12) : start]))

    def add(self, start: int, end: int, kind: str, replacement: str) -> None:
        if self.free(start, end):
            self.spans.append((start, end, kind, replacement))


def mask(text: str, names: Iterable[str] = ()) -> Masked:
    """The text with personal data masked, and counts of what was masked.

    ``names`` are the names the person gave in contact fields; they are masked where they recur in the text.
    """
    if not text:
        return Masked(text or "")
    finder = _Finder(text)
    for match in EMAIL_RE.finditer(text) if "@" in text else ():
        local, _, domain = match.group().partition("@")
        finder.add(match.start(), match.end(), "email", f"{local[:1]}***@{domain}")
    if _DIGIT.search(text):
        _find_numbers(finder)
    for match in PLATE_RE.finditer(text):
        plate = match.group()
        finder.add(match.start(), match.end(), "plate", plate[:2] + _keep(plate[2:], 0, 2))
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        for match in re.finditer(re.escape(name), text):
            finder.add(match.start(), match.end(), "name", name[0] + "*" * (len(name) - 1))
    if not finder.spans:
        return Masked(text)
    parts: list[str] = []
    position = 0
    for start, end, _, replacement in sorted(finder.spans):
        parts.append(text[position:start])
        parts.append(replacement)
        position = end
    parts.append(text[position:])
    return Masked("".join(parts), dict(Counter(kind for _, _, kind, _ in finder.spans)))


def _find_numbers(finder: _Finder) -> None:
    text = finder.text
    for pattern in (ID_RE, ID15_RE):
        for match in pattern.finditer(text):
            number = match.group()
            if number[:2] in ID_PROVINCE_CODES and not finder.is_reference(match.start()):
                finder.add(match.start(), match.end(), "id_number", _keep(number, 4, 4))
    for match in CARD_RE.finditer(text):
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        if not is_card_number(digits):
            continue
        if finder.is_reference(match.start()):
            continue
        finder.add(match.start(), match.end(), "bank_card", _keep(digits, 4, 4))
    for match in MOBILE_RE.finditer(text):
        if finder.is_reference(match.start()):
            continue
        prefix, _, last = match.groups()
        finder.add(match.start(), match.end(), "mobile", f"{prefix}****{last}")
    for match in LANDLINE_RE.finditer(text):
        if finder.is_reference(match.start()):
            continue
        number = match.group()
        finder.add(match.start(), match.end(), "landline", _keep(number, len(number) - 4 - 4, 4))


def mask_case_text(title: str, body: str, names: Iterable[str] = ()) -> tuple[str, str, dict[str, int]]:
    """Title and body masked together (a name given in the title counts in the body too), with the counts."""
    names = list(names)
    masked_title = mask(title, names)
    masked_body = mask(body, names)
    found = Counter(masked_title.found) + Counter(masked_body.found)
    return masked_title.text, masked_body.text, dict(found)
