"""A logging filter, on every handler, that masks secrets and customers' personal data before anything is written.

Why a filter and not only careful log calls: a log line is built from arguments — an exception's message, a URL, a
platform's error body — that nobody reads before they are logged. The filter renders the message with its arguments
(and the traceback, if any), masks it, and leaves the record with the masked text and no arguments:

- secrets: ``Bearer …`` and ``Basic …`` credentials, webcare API tokens (``wc_…``), ``access_token=``/``token=``/
  ``secret=``/``password=``/``key=``-style query and form parameters and JSON fields, passwords in URLs
  (``scheme://user:…@host``), Telegram bot tokens in URLs (``/bot<id>:<token>/``), webhook keys in ``/hooks/<key>/``;
- personal data: what triage finds in messages (e-mail addresses, phone numbers, card numbers, IBANs, national ids),
  replaced by its placeholders (``[EMAIL]``, ``[PHONE]`` …) through :func:`webcare.triage.pii.redact`.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from webcare.triage.pii import PiiSpan

MASK = "[SECRET]"

#: Names of parameters and fields whose values are masked (names, not secrets).
_SECRET_NAMES = (r"access_token|refresh_token|id_token|token|api_key|apikey|client_secret|secret|password|passwd"  # noqa: S105  # nosec B105
                 r"|pwd|app_secret|signature|sig|key|code|hub\.verify_token")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Authorization headers and their echoes.
    (re.compile(r"\b(Bearer|Basic|Token|OAuth)\s+[A-Za-z0-9._~+/=\-]{8,}", re.IGNORECASE), rf"\1 {MASK}"),
    # webcare API tokens: "wc_" + 43 url-safe characters.
    (re.compile(r"\bwc_[A-Za-z0-9_\-]{16,}"), f"wc_{MASK}"),
    # Telegram's bot API puts the token in the path: /bot123456:AA…/sendMessage.
    (re.compile(r"/bot\d{3,}:[A-Za-z0-9_\-]{20,}"), f"/bot{MASK}"),
    # Passwords in URLs: scheme://user:password@host.
    (re.compile(r"\b([a-z][a-z0-9+.\-]*://[^\s:/@]+):[^\s@/]+@", re.IGNORECASE), rf"\1:{MASK}@"),
    # Query strings and form bodies: access_token=…, &key=…
    (re.compile(rf"([?&;\s]|^)({_SECRET_NAMES})=[^&\s#'\"]+", re.IGNORECASE), rf"\1\2={MASK}"),
    # JSON and Python reprs: "access_token": "…", 'password': '…'
    (re.compile(rf"([\"'])({_SECRET_NAMES})\1(\s*[:=]\s*)([\"'])[^\"']*\4", re.IGNORECASE), rf"\1\2\1\3\4{MASK}\4"),
    # A channel's webhook key is what lets a platform deliver: /hooks/<key>/.
    (re.compile(r"/hooks/[A-Za-z0-9_\-]{8,}"), f"/hooks/{MASK}"),
]


def mask_secrets(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _platform_id(span: PiiSpan, text: str) -> bool:
    """A bare 15-digit number starting with 1 passes as a UATP (airline) card, and is in logs nearly always a
    Facebook page, post or comment id: left readable, or no log line about a delivery could be followed."""
    return span.kind == "card.uatp" and text[span.start:span.end].isdigit()


def mask(text: str) -> str:
    """``text`` with secrets and personal data replaced (secrets first: a token's digits are no phone number)."""
    # Imported on the first log line, not when logging is configured: every command would pay for the detector's
    # libraries (phonenumbers, stdnum) at start-up otherwise.
    from webcare.triage.pii import find_pii, redact

    text = mask_secrets(text)
    spans = [span for span in find_pii(text) if not _platform_id(span, text)]
    return redact(text, spans) if spans else text


class MaskSecretsAndPersonalData(logging.Filter):
    """Installed on every handler in ``settings.LOGGING``; never drops a record, only rewrites it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_webcare_masked", False):
            return True  # a second handler sees the record already masked
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: keep what can be shown, masked
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = mask(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record._webcare_masked = True
        return True
