"""Reading an e-mail as it arrived: who sent it, what it says, what it is answering, and whether a machine sent it.

Only the standard library's ``email`` package (with its ``policy.default``, which decodes encoded words and reports
defects instead of failing) and ``html.parser``. Chinese mail comes in GBK, GB18030, Big5 and UTF-8, and much of it
says gb2312 while using characters only GB18030 has: every GB label is read as GB18030, its superset. A part whose
label is wrong or missing is tried in the usual charsets in turn; nothing here raises on a broken message.
"""

from __future__ import annotations

import email
import email.header
import email.parser
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from django.utils.translation import gettext as _

# A GB label is read as GB18030: a superset of GB2312 and GBK, so a mislabelled message still decodes whole.
CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030"}
# Tried in turn when a part's label is missing or wrong. Big5 after GB18030: GB18030 accepts almost any byte pairs,
# so a Big5 text is only recognised by its label (or by GB18030 failing on it).
FALLBACK_CHARSETS = ("utf-8", "gb18030", "big5")

MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str  # without angle brackets; made from the content when the message has none
    has_message_id: bool
    sender: str  # the address, lower-cased; "" when there is none that looks like one
    sender_name: str
    subject: str
    text: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    automatic: str = ""  # why a machine sent it (an auto-reply, a bounce, a list), or ""
    has_from: bool = True  # every e-mail has a From header; without one, this is not an e-mail
    defects: list[str] = field(default_factory=list)


def message_ids(value: str) -> list[str]:
    """The Message-IDs in a header value (In-Reply-To, References), in their order, without angle brackets."""
    return [found for found in MESSAGE_ID.findall(value or "")]


def header_message_id(raw: bytes) -> str:
    """The Message-ID of a message read from its header only (a message too big to read whole)."""
    head = raw[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
        found = message_ids(str(headers.get("Message-ID") or ""))
    except Exception:
        return ""
    return found[0] if found else ""


def canonical_charset(label: str | None) -> str:
    label = (label or "").strip().strip('"').lower()
    return CHARSET_ALIASES.get(label, label)


def decode_bytes(data: bytes, label: str | None) -> str:
    """Text from the bytes of a part: its own charset first (GB labels as GB18030), then the usual ones."""
    tried = []
    for charset in (canonical_charset(label), *FALLBACK_CHARSETS):
        if not charset or charset in tried:
            continue
        tried.append(charset)
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


class _TextFromHtml(HTMLParser):
    """The readable text of an HTML body: blocks on their own lines (a blank line after a paragraph), list items
    with a dash, links with their address, no scripts or styles. HTML mail is rarely more than that."""

    BLOCKS = frozenset(
        ["div", "li", "tr", "dt", "dd", "ul", "ol", "section", "article", "header", "footer", "hr", "table", "pre"]
    )
    PARAGRAPHS = frozenset(["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"])
    SKIP = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.pending = 0  # line breaks owed before the next text
        self.skipping = 0
        self.links: list[str] = []

    def _break(self, lines: int) -> None:
        if self.parts:
            self.pending = max(self.pending, lines)

    def _write(self, text: str) -> None:
        if self.pending:
            self.parts.append("\n" * self.pending)
            self.pending = 0
        self.parts.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "br":
            self.pending += 1 if self.parts else 0
        elif tag in self.PARAGRAPHS:
            self._break(2)
        elif tag in self.BLOCKS:
            self._break(1)
            if tag == "li":
                self._write("- ")
        elif tag in ("td", "th") and self.parts and not self.pending:
            self._write("\t")
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.PARAGRAPHS:
            self._break(2)
        elif tag in self.BLOCKS:
            self._break(1)
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href.startswith(("http://", "https://")) and (not self.parts or href not in self.parts[-1]):
                self._write(f" ({href})")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"[ \t\r\n\f]+", " ", data)
        if self.skipping or (not text.strip() and (not self.parts or self.pending)):
            return
        self._write(text)

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# The HTML read of one body, in characters: a 25 MB message of markup is not read to its end (the text found in the
# first megabyte is kept, with a note that the rest was cut).
MAX_HTML_CHARS = 1_000_000
# A "<" that does not begin a complete tag ("<" then a letter, "/", "!" or "?", then up to the next ">" without
# another "<"). html.parser rescans such a "<" on every feed and close, quadratic in their number: "<a" * 80000
# (160 KB) took ~29 s. Written as "&lt;" it is read as the text it is, in linear time.
STRAY_LT = re.compile(r"<(?![A-Za-z/!?][^<>]*>)")


def html_to_text(html: str) -> str:
    """The text of an HTML body (paragraphs, line breaks, lists, links with their address; no scripts or styles),
    in time linear in its length: at most ``MAX_HTML_CHARS`` are read, stray "<" are escaped first."""
    cut = len(html) > MAX_HTML_CHARS
    if cut:
        html = html[:MAX_HTML_CHARS]
    html = STRAY_LT.sub("&lt;", html)
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
        text = parser.text()
    except Exception:  # html.parser is lenient; a pathological document still must not stop the message
        text = re.sub(r"\s+", " ", html)
    if cut:
        text += "\n\n" + _("[The rest of the HTML e-mail was not read: it is longer than %(n)d characters.]") % {
            "n": MAX_HTML_CHARS
        }
    return text


def decode_header_value(value: str) -> str:
    """A header with encoded words (=?gb2312?B?...?=), each decoded by ``decode_bytes`` (so a mislabelled GB2312
    subject is read as GB18030). Raw 8-bit headers (sent without encoding, common from old Chinese clients) are
    decoded like a body of unknown charset."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return decode_bytes(value.encode("ascii", "surrogateescape"), None)
    try:
        pieces = email.header.decode_header(value)
    except Exception:
        return value
    out = []
    for chunk, charset in pieces:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return "".join(out)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # an undecodable header is read as missing, not as a reason to drop the message
        return ""
    return str(value or "").strip()


def automatic_reason(message: Message) -> str:
    """Why this message was sent by a machine and must not open a case (RFC 3834 and the de-facto headers of
    vacation responders, mailing lists and bounces), or "" for a person's message."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    # Not X-Auto-Response-Suppress: Outlook puts it on people's messages to ask others not to answer automatically.
    for name in ("X-Autoreply", "X-Autorespond", "List-Id"):
        if _header(message, name):
            return name
    content_type = message.get_content_type()
    if content_type == "multipart/report":
        return "delivery report"
    for part in message.walk():
        if part.get_content_type() in ("message/delivery-status", "message/disposition-notification"):
            return "delivery report"
    if _header(message, "Return-Path") == "<>":
        return "bounce (empty return path)"
    local = parseaddr(_header(message, "From"))[1].split("@")[0].lower()
    if local in ("mailer-daemon", "postmaster"):
        return "bounce (mailer-daemon)"
    return ""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return str(name).replace("/", "_").replace("\\", "_").strip()[:200]


def _walk(message: Message, parsed: ParsedMail) -> tuple[str, str]:
    """The first plain-text and first HTML body; every other leaf with a file name or of a non-text type is an
    attachment."""
    plain = html = ""
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        try:
            disposition = (part.get_content_disposition() or "").lower()
        except Exception:
            disposition = ""
        name = _filename(part)
        if content_type in ("text/plain", "text/html") and disposition != "attachment" and not name:
            text = _part_text(part)
            if content_type == "text/plain" and not plain:
                plain = text
            elif content_type == "text/html" and not html:
                html = text
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and data:
            parsed.attachments.append(Attachment(name or "attachment", content_type, data))
    return plain, html


def parse(raw: bytes) -> ParsedMail:
    """Read ``raw`` (the message as it came over the wire). Never raises on a malformed message: what cannot be
    read is left empty and named in ``defects``."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    defects = [type(defect).__name__ for defect in getattr(message, "defects", [])]
    modern = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(modern, EmailMessage)

    found = message_ids(_header(message, "Message-ID"))
    message_id = found[0] if found else ""
    has_message_id = bool(message_id)
    if not message_id:
        # Without one, the content itself is the key: the same bytes fetched twice are the same message.
        message_id = "sha256." + hashlib.sha256(raw).hexdigest() + "@no-message-id"

    sender_name, sender = "", ""
    try:
        addresses = modern["From"].addresses if modern["From"] is not None else ()
        first = addresses[0] if addresses else None
        if isinstance(first, Address) and first.addr_spec and "@" in first.addr_spec:
            sender, sender_name = first.addr_spec.strip().lower(), str(first.display_name or "")
    except Exception:
        defects.append("FromUnreadable")
    if not sender:
        pairs = getaddresses([_header(message, "Reply-To") or _header(message, "From")])
        candidates = [addr for _, addr in pairs if "@" in addr]
        sender = candidates[0].strip().lower() if candidates else ""

    subject = re.sub(r"\s+", " ", decode_header_value(_header(message, "Subject"))).strip()

    parsed = ParsedMail(
        message_id=message_id[:900],
        has_message_id=has_message_id,
        sender=sender[:254],
        sender_name=sender_name.strip()[:100],
        subject=subject,
        text="",
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        automatic=automatic_reason(message),
        has_from=bool(_header(message, "From")),
        defects=defects,
    )
    plain, html = _walk(message, parsed)
    parsed.text = (plain if plain.strip() else html_to_text(html)).replace("\r\n", "\n").strip()
    return parsed


QUOTE_HEADS = (
    re.compile(r"^-{2,}\s*(original message|原始邮件|原始郵件)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^-{5,}\s*(forwarded message|转发邮件)", re.IGNORECASE),
    re.compile(r"^on .{4,200} wrote:\s*$", re.IGNORECASE),
    re.compile(r"^在 .{4,200}写道[:：]\s*$"),
    re.compile(r"^(发件人|寄件者|from)\s*[:：].+$", re.IGNORECASE),
)


def new_part(text: str) -> str:
    """What the person wrote in a reply, without the message they quoted (``>`` lines, and everything after
    "-----原始邮件-----", "On … wrote:" or a "发件人:" header block). The whole text when nothing is left."""
    kept: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if any(pattern.match(stripped) for pattern in QUOTE_HEADS):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    result = "\n".join(kept).strip()
    return result or text.strip()
