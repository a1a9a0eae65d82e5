"""Read one e-mail (the raw RFC 822 bytes, as IMAP or the SMTP receiver got them) into webcare's message format.

Choices, so that replies find their way back (``send()`` in ``email.py`` relies on them):

- ``message_id`` is the mail's Message-ID exactly as written, angle brackets included (``<abc@mail.example>``); the
  event id is the same, so a mail fetched twice (IMAP and SMTP, or after a crash) is stored once. A mail without one
  gets a stable id from a hash of its bytes. An id longer than 255 characters is replaced by a hash of it.
- ``conversation_id`` is the thread: first the conversation of a message webcare already stored that this mail
  answers (its In-Reply-To, then its References newest first — a read-only query, :func:`stored_thread_lookup`, the
  only database access here); otherwise the thread root — the first of References, else In-Reply-To, else the mail's
  own Message-ID. A root webcare has never seen is scoped to the author (``"<root> kari@example.no"``): otherwise
  everybody who answers the same newsletter would land in one conversation with one customer, and a reply there could
  reach the wrong person.
- ``author`` is who answers go to: ``id`` the lower-cased address, ``handle`` the address, ``name`` the display name.
  Reply-To wins over From when it names one address (contact forms send From a no-reply address with Reply-To set to
  the customer); From stays in ``raw``. A mail from the channel's own address (a colleague answering from their mail
  client with the support address in copy) is stored as the brand's outbound message.
- ``text`` is what the agent reads: the newest part of the mail only — quoted history ("Den 3. mars 2025 kl. 10:15
  skrev …", "Fra: … Sendt: …", "> …") and the sign-off ("Med vennlig hilsen …", "Sendt fra min iPhone") are cut with
  mail-parser-reply. Its own tables have no Norwegian or Finnish and cut real Danish and Norwegian text at any line
  starting with "Tak" (Danish "thanks" — also "Takk for svaret, men …"), so webcare brings its own patterns for
  en/nb/nn/da/sv/fi/nl/de (:data:`REPLY_PATTERNS`): sign-offs count only as a short line of their own, never a
  thank-you. Forwarded mail keeps everything (the forwarded text is the point). HTML-only mail is turned into text,
  blockquotes into "> " lines. The whole text and every header are kept in ``raw``, and the original .eml is stored
  as a file (``raw["eml"]``).
- Attachments (inline images too, and files without a name) are stored with :mod:`webcare.channels.attachments`.
- Automatic mail is **skipped and logged**, never stored: out-of-office and other auto-replies (Auto-Submitted other
  than "no", X-Autoreply, X-Autorespond, Precedence bulk/junk/auto_reply) and read receipts. Storing them would reopen
  the ticket the agent just answered and make a pending ticket wait on a machine; there is no "automatic" flag in the
  message format to store them quietly. Bounces (multipart/report delivery-status, mailer-daemon, postmaster) become a
  ``failed`` update on the reply they bounced when webcare sent it — the agent sees "not delivered: 550 5.1.1 …" on
  their reply — and are skipped otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from mimetypes import guess_extension
from typing import TYPE_CHECKING, Any

from mailparser_reply import constants as reply_constants
from mailparser_reply.parser import EmailMessage as ReplyParserMessage

from webcare.channels import attachments
from webcare.channels.base import InboundItem, ItemKind
from webcare.ingest.schema import MAX_TEXT

if TYPE_CHECKING:
    from webcare.core.models import Channel

logger = logging.getLogger("webcare.channels")

MAX_ID = 255
MAX_ATTACHMENTS = 50
#: References kept per mail: the root and the newest ones (some threads carry hundreds).
MAX_REFERENCES = 50
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")

#: Given the ids a mail answers (most direct first), the conversation of the first one webcare has stored, or None.
ThreadLookup = Callable[[Sequence[str]], str | None]


# -- text cleaning ----------------------------------------------------------------------------------------------------
def _clean(value: str) -> str:
    """Text safe to store: raw 8-bit bytes the parser kept as surrogates decoded (UTF-8, else Windows-1252, which
    Nordic mail clients used for years), and NUL characters dropped (PostgreSQL refuses them)."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        data = value.encode("utf-8", "surrogateescape")
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            value = data.decode("cp1252", "replace")
    return value.replace("\x00", "")


def _one_line(value: str) -> str:
    return " ".join(value.split())


#: Single-byte charsets that mail clients declare for text that is often really UTF-8 or Windows-1252.
_LATIN = {"us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "iso8859-1", "iso-8859-15", "windows-1252", "cp1252"}


def _decode(data: bytes, charset: str | None) -> str:
    """Bytes of a text part as text: the declared charset when it fits, else UTF-8, else Windows-1252 (a superset of
    ISO-8859-1 in everything printable, so "€" and curly quotes survive)."""
    declared = (charset or "").strip().lower()
    order = ["utf-8", "cp1252"] if declared in _LATIN or not declared else [declared, "utf-8", "cp1252"]
    for codec in order:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    return _clean(_decode(data, part.get_content_charset()))


# -- HTML to text ------------------------------------------------------------------------------------------------------
class _HtmlText(HTMLParser):
    """HTML mail as the plain text a reader sees: blocks become lines, blockquotes "> " lines (so the reply parser
    recognises the quoted history), scripts and styles dropped."""

    BLOCK = frozenset({"p", "div", "li", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
                       "article", "header", "footer", "blockquote", "pre", "hr", "dt", "dd", "address", "center"})
    SKIP = frozenset({"style", "script", "head", "title", "template", "noscript", "xml"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote = 0
        self.skip = 0
        self.pre = 0
        #: The open block held only a non-breaking space: Outlook's way of writing an empty line.
        self.blank = False

    def _flush(self, force: bool = False) -> None:
        """End the current line. An empty one is kept only for a <br> or an Outlook "&nbsp;" paragraph: block
        boundaries alone must not make blank lines between list items or nested <div>s."""
        text = "".join(self.current)
        self.current = []
        prefix = "> " * self.quote
        if not text.strip() and not self.pre:
            if force or self.blank:
                self.lines.append(prefix.rstrip())
            self.blank = False
            return
        self.blank = False
        for line in (text.split("\n") if self.pre else [text]):
            self.lines.append((prefix + (line if self.pre else " ".join(line.split()))).rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "br":
            self._flush(force=True)
        elif tag in self.BLOCK:
            self._flush()
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.current.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self._flush()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre and "\xa0" in data and not data.strip():
            self.blank = True
        self.current.append(data if self.pre else re.sub(r"\s+", " ", data))

    def text(self) -> str:
        self._flush()
        return _tidy("\n".join(self.lines))


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# -- the visible reply -------------------------------------------------------------------------------------------------
_Q = reply_constants.QUOTED_MATCH_INCLUDE
_LIB = reply_constants.MAIL_LANGUAGES


def _from_header(words: str) -> str:
    """An Outlook-style header block ("Fra: …\\nSendt: …"), at least two lines, in the library's shape."""
    return (r"((?:(?:^|\n|\n" + _Q + r")[* ]*(?:" + words + r"):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})")


def _signoff(*phrases: str) -> list[str]:
    """Sign-offs as a short line of their own ("Mvh Kari", "Med vennlig hilsen,") — never the start of a sentence."""
    return [rf"(?:{phrase})\b[^\n]{{0,40}}$" for phrase in phrases]


#: "-----Original Message-----" and its translations, and the forward markers of Gmail and Outlook.
_SEPARATORS = (r"(^" + _Q + r"-{2,}\s*(?:Original Message|Opprinnelig melding|Opprinneleg melding"
               r"|Oprindelig meddelelse|Ursprungligt meddelande|Alkuperäinen viesti|Oorspronkelijk bericht"
               r"|Ursprüngliche Nachricht)\s*-{2,}$)")
#: "man. 3. mars 2025 kl. 10:15 skrev Kari <kari@example.no>:" (nb/nn/da/sv; Gmail may wrap it over two lines).
_SKREV = (r"^(?=[^\n]*\d)(" + _Q + r"(?:den|man|mån|tir|tis|ons|tor|fre|lør|lör|søn|sön|sun|\d)[^\n]*?"
          r"(?:\n[^\n]*?)?\sskre(?:v|iv)\s[^\n]*?(?:\n[^\n]*?)?:)$")
#: "ma 3. maalisk. 2025 klo 10.15 Matti (<matti@example.fi>) kirjoitti:"
_KIRJOITTI = r"^(?=[^\n]*\d)(" + _Q + r"[^\n]*?(?:\n[^\n]*?)?\skirjoitti:)$"

#: Per language: how a quoted earlier mail starts, how a sign-off and a "sent from my phone" line look. Used instead of
#: mail-parser-reply's own table (see the module docstring for why).
REPLY_PATTERNS: dict[str, dict[str, str | list[str]]] = {
    "en": {
        "wrote_header": _LIB["en"]["wrote_header"] + "|" + _SEPARATORS,
        "from_header": _LIB["en"]["from_header"],
        "signatures": _signoff("Best regards", "Kind regards", "Warm regards", "Regards", "Best wishes"),
        "sent_from": r"Sent from my|Sent from Outlook|Get Outlook for",
        "disclaimers": _LIB["en"]["disclaimers"],
    },
    "nb": {  # Norwegian bokmål and nynorsk
        "wrote_header": _SKREV,  # also Danish and Swedish: they write the attribution line the same way
        "from_header": _from_header("Fra|Sendt|Til|Emne|Dato|Kopi|Cc"),
        "signatures": _signoff("Med vennlig hilsen", "Vennlig hilsen", "Med venleg helsing", "Venleg helsing",
                               "Beste hilsen", "Mvh", "Hilsen", "Helsing"),
        "sent_from": r"Sendt fra min|Sendt fra Outlook|Sendt fra E-post|Hent Outlook for",
        "disclaimers": [],
    },
    "da": {
        "wrote_header": "",  # the Scandinavian "… skrev …:" pattern is nb's, shared
        "from_header": _from_header("Fra|Sendt|Til|Emne|Dato|Cc|Kopi|Vedhæftet"),
        "signatures": _signoff("Med venlig hilsen", "Venlig hilsen", "De bedste hilsner", "Bedste hilsner", "Mvh",
                               "Hilsen"),
        "sent_from": r"Sendt fra min|Sendt fra Outlook|Hent Outlook til",
        "disclaimers": _LIB["da"]["disclaimers"],
    },
    "sv": {
        "wrote_header": "",  # the Scandinavian "… skrev …:" pattern is nb's, shared
        "from_header": _from_header("Från|Skickat|Till|Ämne|Datum|Kopia"),
        "signatures": _signoff("Med vänliga hälsningar", "Vänliga hälsningar", "Vänlig hälsning", "Bästa hälsningar",
                               "Hälsningar", "Mvh"),
        "sent_from": r"Skickat från min|Skickat från Outlook|Hämta Outlook för",
        "disclaimers": _LIB["sv"]["disclaimers"],
    },
    "fi": {
        "wrote_header": _KIRJOITTI,
        "from_header": _from_header("Lähettäjä|Lähetetty|Vastaanottaja|Aihe|Päivämäärä|Kopio"),
        "signatures": _signoff("Ystävällisin terveisin", "Parhain terveisin", "Ystävällisesti", "Terveisin"),
        "sent_from": r"Lähetetty iPhonesta|Lähetetty iPadista|Lähetetty Android|Lähetetty Outlookista|Hanki Outlook",
        "disclaimers": [],
    },
    "nl": {
        "wrote_header": _LIB["nl"]["wrote_header"],
        "from_header": _LIB["nl"]["from_header"],
        "signatures": _signoff("Met vriendelijke groet(?:en)?", "Vriendelijke groet(?:en)?", "Hartelijke groet(?:en)?",
                               "Groet(?:en|jes)?", "Mvg"),
        "sent_from": r"Verzonden vanaf mijn|Verzonden met|Verzonden vanuit|Outlook voor",
        "disclaimers": _LIB["nl"]["disclaimers"],
    },
    "de": {
        "wrote_header": _LIB["de"]["wrote_header"],
        "from_header": _LIB["de"]["from_header"],
        "signatures": _signoff("Mit freundlichen Gr(?:ü|ue)(?:ß|ss)en", "(?:Viele|Beste|Liebe) Gr(?:ü|ue)(?:ß|ss)e"),
        "sent_from": r"Gesendet von",
        "disclaimers": _LIB["de"]["disclaimers"],
    },
}
REPLY_LANGUAGES = tuple(REPLY_PATTERNS)


class _ReplyText(ReplyParserMessage):
    """mail-parser-reply's splitter with :data:`REPLY_PATTERNS` instead of its own table."""

    def _get_language_regex(self, language: str, regex_key: str) -> str:
        value = REPLY_PATTERNS.get(language, {}).get(regex_key, "")
        return "|".join(value) if isinstance(value, list) else value


_compiled: dict[str, Any] = {}


def _reply_parser(text: str) -> _ReplyText:
    """A parser for ``text`` sharing the compiled patterns (compiling them costs more than parsing a mail)."""
    parser = _ReplyText(text=text, languages=list(REPLY_LANGUAGES), include_english=False, keep_hyphen_lists=True,
                        replies=[], **_compiled)
    if not _compiled:
        _compiled.update(_header_regex=parser.HEADER_REGEX, _signature_regex=parser.SIGNATURE_REGEX,
                         _disclaimers_regex=parser.DISCLAIMERS_REGEX)
    return parser


_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|wg|vb|vl|doorst|tr)\s*:", re.IGNORECASE)
_FORWARD_MARKER = re.compile(
    r"^[ >]*(?:-{2,}\s*(?:Forwarded message|Videresendt melding|Videresend melding|Videresendt besked"
    r"|Vidarebefordrat meddelande|Välitetty viesti|Doorgestuurd bericht|Weitergeleitete Nachricht)\s*-{2,}"
    r"|Begin forwarded message:|Start på videresendt melding:|Start på videresendt besked:"
    r"|Början på vidarebefordrat brev:|Välitetty viesti alkaa:|Begin doorgestuurd bericht:)",
    re.IGNORECASE | re.MULTILINE)


def is_forward(subject: str, text: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject or "") or _FORWARD_MARKER.search(text or ""))


def _strip_trailing_quote(text: str) -> str:
    """Drop "> " lines after the reply (a quote the header patterns did not catch). Quotes before or between the
    customer's own lines stay: answers written inline, or below the quote, need them to make sense."""
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    return "\n".join(lines) if lines else text


def visible_reply(text: str, subject: str = "") -> str:
    """The part of a mail body the agent needs: the newest message without quoted history or sign-off. When
    stripping would leave nothing (a mail that is all quote or all signature) the whole text is shown instead."""
    text = _tidy(text)
    if not text or is_forward(subject, text):
        return text
    replies = _reply_parser(text).read().replies
    first = replies[0] if replies else None
    for candidate in ((first.body, first.full_body) if first else ()):
        candidate = _tidy(_strip_trailing_quote(candidate))
        if candidate and not all(line.lstrip().startswith(">") for line in candidate.split("\n") if line.strip()):
            return candidate
    return text


# -- message ids and threading -----------------------------------------------------------------------------------------
def fit_id(value: str) -> str:
    """An id that fits the 255-character columns: unchanged when it does, else a stable hash of it."""
    if len(value) <= MAX_ID:
        return value
    return f"<{hashlib.sha256(value.encode()).hexdigest()}@long-id.webcare.invalid>"


def message_ids(value: str) -> list[str]:
    """The Message-IDs in a header value, in order, without repeats (``"<a@x>, <a@x>"`` is one id). A bare id
    without angle brackets (some clients write those) is taken too."""
    found = [f"<{token}>" for token in MESSAGE_ID.findall(value or "")]
    if not found:
        found = [f"<{token.strip('<>,;')}>" for token in (value or "").split() if "@" in token]
    seen: dict[str, None] = {}
    for item in found:
        seen.setdefault(fit_id(item), None)
    return list(seen)


def thread_root(message_id: str, in_reply_to: Sequence[str], references: Sequence[str]) -> str:
    """The first of References, else In-Reply-To, else the mail's own id (RFC 5322 §3.6.4)."""
    if references:
        return references[0]
    if in_reply_to:
        return in_reply_to[0]
    return message_id


def stored_thread_lookup(channel: Channel) -> ThreadLookup:
    """:data:`ThreadLookup` over what this channel has stored: messages (inbound, and webcare's sent replies by the
    Message-ID they went out with), then raw events the worker has not turned into messages yet (a follow-up that
    arrives seconds after the first mail). Read-only."""
    from webcare.conversations.models import Message
    from webcare.ingest.models import InboundEvent

    def lookup(ids: Sequence[str]) -> str | None:
        wanted = [i for i in dict.fromkeys(ids) if i][:MAX_REFERENCES]
        if not wanted:
            return None
        messages = dict(Message.objects.filter(channel=channel, external_id__in=wanted)
                        .values_list("external_id", "conversation__external_id"))
        events = dict(InboundEvent.objects.filter(channel=channel, external_id__in=wanted)
                      .values_list("external_id", "payload__conversation_id"))
        for candidate in wanted:
            if candidate in messages:
                return str(messages[candidate])
            if events.get(candidate):
                return str(events[candidate])
        return None

    return lookup


# -- reading a mail ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MailFile:
    name: str
    content_type: str
    data: bytes
    content_id: str = ""


@dataclass(frozen=True)
class Bounce:
    original_message_id: str
    reason: str


@dataclass
class Mail:
    """Everything webcare reads from one mail; no I/O (see :func:`read_mail`)."""

    message_id: str
    in_reply_to: list[str]
    references: list[str]
    author_address: str
    author_name: str
    subject: str
    sent_at: datetime
    text: str  #: the visible reply
    full_text: str  #: the whole body as text (plain part, else the HTML as text)
    headers: list[tuple[str, str]]
    files: list[MailFile] = field(default_factory=list)
    #: Why this mail is automatic ("Auto-Submitted: auto-replied" …); "" for a person's mail.
    automatic: str = ""
    bounce: Bounce | None = None
    from_address: str = ""


def _raw_header(msg: EmailMessage, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def header_text(msg: EmailMessage, name: str) -> str:
    """A header as text: encoded words decoded, raw 8-bit bytes recovered, folded lines joined; "" when absent."""
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        return _one_line(_clean(raw))
    try:
        value = msg[name]
        return _one_line(_clean(str(value))) if value is not None else ""
    except Exception:  # a header the library cannot parse is still read as written
        return _one_line(_clean(raw))


def _addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header; tolerant of what mail clients really write."""
    pairs: list[tuple[str, str]] = []
    try:
        header = msg[name]
        addresses: Sequence[Address] = getattr(header, "addresses", ()) if header is not None else ()
        pairs = [(_clean(a.display_name), _clean(a.addr_spec)) for a in addresses if a.username and a.domain]
    except Exception:  # fall back to the plain parser below
        pairs = []
    if not pairs:
        pairs = [(n, a) for n, a in getaddresses([header_text(msg, name)]) if "@" in a]
    return [(_one_line(n).strip('"'), a.strip()) for n, a in pairs]


def _date(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _sent_at(msg: EmailMessage, received_at: datetime | None) -> datetime:
    """Date, else the newest Received stamp (the last server's clock), else when webcare fetched it."""
    when = _date(_raw_header(msg, "Date") or "")
    if when is None:
        received = _raw_header(msg, "Received") or ""
        when = _date(received.rpartition(";")[2]) if ";" in received else None
    return when or received_at or datetime.now(UTC)


def _leaves(part: EmailMessage) -> Iterator[EmailMessage]:
    """Leaf parts in order, without descending into attached messages (a forwarded .eml is one file)."""
    if part.get_content_maintype() == "multipart":
        for sub in part.iter_parts():
            yield from _leaves(sub)  # type: ignore[arg-type]
    else:
        yield part


_REPORT_PARTS = {"message/delivery-status", "message/disposition-notification", "text/rfc822-headers",
                 "message/feedback-report"}


def _attached_message(part: EmailMessage) -> EmailMessage | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
        return payload[0]
    return None


def _file_of(part: EmailMessage, index: int) -> MailFile:
    content_type = part.get_content_type()
    name = ""
    try:
        name = _clean(part.get_filename() or "")
    except Exception:  # a broken RFC 2231 name: fall back to a made-up one
        name = ""
    if content_type == "message/rfc822":
        inner = _attached_message(part)
        data = b""
        if inner is not None:
            try:
                data = inner.as_bytes()
            except Exception:  # a malformed attached mail is kept as text
                data = _clean(str(inner)).encode()
            name = name or (header_text(inner, "Subject")[:100] or "message") + ".eml"
    else:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
    if not name.strip():
        stem = "image" if content_type.startswith("image/") else "attachment"
        name = f"{stem}-{index}{guess_extension(content_type) or '.bin'}"
    content_id = (_raw_header(part, "Content-ID") or "").strip()
    return MailFile(attachments.safe_name(name), content_type, data, content_id)


def _report_type(msg: EmailMessage) -> str:
    value = msg.get_param("report-type")
    return value.lower() if isinstance(value, str) else ""


def _automatic(msg: EmailMessage) -> str:
    auto = header_text(msg, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if _raw_header(msg, name) is not None:
            return f"{name} header"
    precedence = header_text(msg, "Precedence").lower()
    if precedence in {"bulk", "junk", "auto_reply"}:
        return f"Precedence: {precedence}"
    if msg.get_content_type() == "multipart/report" and _report_type(msg) == "disposition-notification":
        return "read receipt"
    return ""


_MAILER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
#: The receiving server's answer quoted in a bounce's text: "550 5.1.1 The email account … does not exist".
_SMTP_REPLY = re.compile(r"\b[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}\b[^\n]*(?:\n[^\n]+)*")
_ID_IN_TEXT = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


def _bounce(msg: EmailMessage, from_address: str, full_text: str) -> Bounce | None:
    """The mail a delivery failure report is about, and why it failed; None when this is not a bounce."""
    report = msg.get_content_type() == "multipart/report" and _report_type(msg) == "delivery-status"
    if not report and not _MAILER.match(from_address or ""):
        return None
    original, reason = "", ""
    for part in _leaves(msg):
        kind = part.get_content_type()
        if kind == "message/delivery-status" and not reason:
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                code = block.get("Diagnostic-Code") or block.get("Status") if isinstance(block, Message) else None
                if code:
                    reason = _one_line(_clean(str(code))).removeprefix("smtp;").strip()
                    break
        elif kind == "message/rfc822" and not original:
            inner = _attached_message(part)
            original = message_ids(header_text(inner, "Message-ID"))[0] if inner is not None and \
                message_ids(header_text(inner, "Message-ID")) else ""
        elif kind == "text/rfc822-headers" and not original:
            found = _ID_IN_TEXT.search(_part_text(part))
            original = found.group(1) if found else ""
    if not original:
        found = _ID_IN_TEXT.search(full_text)
        original = found.group(1) if found else ""
    if not reason:
        found = _SMTP_REPLY.search(full_text)
        reason = _one_line(found.group(0) if found else full_text)[:300]
    return Bounce(fit_id(original) if original else "", reason[:2000])


def read_mail(raw: bytes, received_at: datetime | None = None) -> Mail:
    """Read a mail from its bytes. Pure: no database, no files. Never raises on bad mail: what cannot be read is left
    empty and the bytes stay available to keep."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    own = message_ids(header_text(msg, "Message-ID"))
    message_id = own[0] if own else f"<{hashlib.sha256(raw).hexdigest()[:40]}@generated.webcare.invalid>"
    references = message_ids(header_text(msg, "References"))
    if len(references) > MAX_REFERENCES:
        references = references[:1] + references[-(MAX_REFERENCES - 1):]
    in_reply_to = message_ids(header_text(msg, "In-Reply-To"))

    senders = _addresses(msg, "From") or _addresses(msg, "Sender")
    reply_to = _addresses(msg, "Reply-To")
    from_name, from_address = senders[0] if senders else ("", "")
    name, address = reply_to[0] if len(reply_to) == 1 else (from_name, from_address)
    if address != from_address and not name:
        name = from_name
    subject = header_text(msg, "Subject")[:500]

    plain_parts: list[str] = []
    html = ""
    files: list[MailFile] = []
    for part in _leaves(msg):
        kind = part.get_content_type()
        is_attachment = part.get_content_disposition() == "attachment" or bool(part.get_filename())
        if kind == "text/plain" and not is_attachment:
            plain_parts.append(_part_text(part))
        elif kind == "text/html" and not is_attachment:
            html = html or _part_text(part)  # the first HTML body; later ones are alternatives of it
        elif kind in _REPORT_PARTS:
            continue
        else:
            files.append(_file_of(part, len(files) + 1))
    full_text = _tidy("\n\n".join(p for p in plain_parts if p.strip()))
    if not full_text and html:
        full_text = html_to_text(html)
    headers = [(str(key), _one_line(_clean(str(value)))) for key, value in msg.raw_items()]
    return Mail(
        message_id=message_id, in_reply_to=in_reply_to, references=references,
        author_address=address, author_name=name[:255], subject=_one_line(subject),
        sent_at=_sent_at(msg, received_at), text=visible_reply(full_text, subject), full_text=full_text,
        headers=headers, files=files, automatic=_automatic(msg), bounce=_bounce(msg, from_address, full_text),
        from_address=from_address,
    )


# -- mail to webcare items ---------------------------------------------------------------------------------------------
def conversation_for(mail: Mail, lookup: ThreadLookup | None) -> str:
    """See the module docstring: a stored message this mail answers decides; else the thread root (author-scoped
    when it is not this mail itself)."""
    candidates = [*mail.in_reply_to, *reversed(mail.references)]
    if lookup is not None and candidates:
        found = lookup(candidates)
        if found:
            return found
    root = thread_root(mail.message_id, mail.in_reply_to, mail.references)
    if root == mail.message_id:
        return root
    return fit_id(f"{root} {mail.author_address.lower()}")


def _truncate(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def parse_email(raw: bytes, channel: Channel, *, lookup: ThreadLookup | None = None,
                received_at: datetime | None = None, envelope_from: str = "",
                context: dict[str, Any] | None = None) -> list[InboundItem]:
    """One mail as webcare items: ``[message]``, ``[failed update]`` for a bounce of webcare's reply, or ``[]`` for
    automatic mail and bounces of anything else (logged). Attachments and the original .eml are stored as files;
    ``lookup`` (usually :func:`stored_thread_lookup`) threads the mail into a conversation webcare already has.
    ``envelope_from`` (the SMTP MAIL FROM) stands in for a missing From; ``context`` (IMAP uid, SMTP envelope …) is
    kept in ``raw``."""
    mail = read_mail(raw, received_at)
    label = f"mail {mail.message_id} on channel {channel.slug}"
    if mail.bounce is not None:
        original = mail.bounce.original_message_id
        if original and lookup is not None and lookup([original]):
            update = {"message_id": original, "change": "failed", "at": mail.sent_at.isoformat(),
                      "error": f"the mail bounced: {mail.bounce.reason}"[:2000]}
            raw_item = {"headers": mail.headers, "text": mail.full_text[:20_000], **(context or {})}
            return [InboundItem(event_id=fit_id(f"{original}:bounce:{mail.message_id}"), kind=ItemKind.UPDATE,
                                payload=update, raw=raw_item)]
        logger.info("%s skipped: a bounce of %s, which webcare did not send", label, original or "an unknown mail")
        return []
    if mail.automatic:
        logger.info("%s skipped: automatic mail (%s)", label, mail.automatic)
        return []
    address = mail.author_address or envelope_from.strip("<>")
    if "@" not in address:
        logger.warning("%s skipped: no sender address to answer", label)
        return []
    text = mail.text or mail.subject
    if not text.strip() and not mail.files:
        logger.info("%s skipped: no text, subject or attachments", label)
        return []

    organisation_id = channel.organisation_id
    # One key for the mail's files: the sender's customer's when known, else one the worker gives to the customer.
    key = attachments.owner_key(organisation_id, channel.kind, address.lower()[:255])
    stored = [attachments.store_attachment(organisation_id, f.name, f.content_type, f.data, key=key)
              for f in mail.files[:MAX_ATTACHMENTS]]
    if len(mail.files) > MAX_ATTACHMENTS:
        logger.warning("%s: %d attachments, the first %d are shown (all are in the original)", label,
                       len(mail.files), MAX_ATTACHMENTS)
    eml = attachments.store_attachment(organisation_id, "original.eml", "message/rfc822", raw, key=key)
    own_address = str(channel.settings.get("address") or "").lower()
    conversation_id = conversation_for(mail, lookup)
    payload = {
        "message_id": mail.message_id,
        "conversation_id": conversation_id,
        "conversation_kind": "private",
        "direction": "outbound" if own_address and address.lower() == own_address else "inbound",
        "author": {"id": address.lower()[:255], "handle": address[:255], "name": mail.author_name},
        "text": _truncate(text),
        "subject": mail.subject,
        "sent_at": mail.sent_at.isoformat(),
        "in_reply_to": mail.in_reply_to[0] if mail.in_reply_to else "",
        "attachments": stored,
    }
    raw_item = {"headers": mail.headers, "text": mail.full_text, "from": mail.from_address, "eml": eml,
                "references": mail.references, **(context or {})}
    return [InboundItem(event_id=mail.message_id, kind=ItemKind.MESSAGE, payload=payload, raw=raw_item,
                        conversation_id=conversation_id)]
