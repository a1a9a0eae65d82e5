"""The logging filter on every handler: secrets and customers' personal data never reach a log line, neither in the
message, its arguments nor a traceback; platform ids stay readable."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from webcare.security.logfilter import MaskSecretsAndPersonalData, mask

ROOT = Path(__file__).resolve().parents[1]
WEBCARE = str(ROOT / ".venv" / "bin" / "webcare")
TOKEN = "wc_" + "Ab3_dE-f" * 5
BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(("raw", "masked"), [
    (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer [SECRET]"),
    ("sent Authorization: Bearer EAAGm0PX4ZCpsBA1234567 to graph", "sent Authorization: Bearer [SECRET] to graph"),
    (f"request with {TOKEN} refused", "request with wc_[SECRET] refused"),
    ("GET https://graph.facebook.com/v19.0/me?fields=id&access_token=EAAGm0PX4ZCps",
     "GET https://graph.facebook.com/v19.0/me?fields=id&access_token=[SECRET]"),
    (f"POST https://api.telegram.org/bot{BOT}/sendMessage failed",
     "POST https://api.telegram.org/bot[SECRET]/sendMessage failed"),
    ("connect to imaps://support:hunter2-secret@mail.example.test:993/INBOX",
     "connect to imaps://support:[SECRET]@mail.example.test:993/INBOX"),
    ("""body {"password": "lighthouse keeper 42", "user": "kari"}""",
     """body {"password": "[SECRET]", "user": "kari"}"""),
    ("credentials {'app_secret': 'abc123', 'page_id': '1'}", "credentials {'app_secret': '[SECRET]', 'page_id': '1'}"),
    ("Unauthorized: /hooks/Zm9vYmFyYmF6cXV4MTIz/", "Unauthorized: /hooks/[SECRET]/"),
])
def test_it_masks_secrets(raw: str, masked: str) -> None:
    assert mask(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("mail from ola.nordmann@kunde.test not stored", "mail from [EMAIL] not stored"),
    ("customer wrote: ring meg på 912 34 567", "customer wrote: ring meg på [PHONE]"),
    ("card 4111 1111 1111 1111 in reply", "card [CARD] in reply"),
    ("IBAN NO93 8601 1117 947 on the note", "IBAN [IBAN] on the note"),
    ("fnr 010190 12345?", "fnr 010190 12345?"),  # not a valid fødselsnummer: nothing to mask
])
def test_it_masks_personal_data_the_way_triage_finds_it(raw: str, masked: str) -> None:
    assert mask(raw) == masked


def test_it_leaves_platform_ids_and_plain_text_alone() -> None:
    line = "facebook: skipped entry[0] for account 200200200200200 (this channel is 117172741761305)"
    assert mask(line) == line
    assert mask("job 12 (reply on telegram) try 2: SendError → pending") == "job 12 (reply on telegram) try 2: " \
                                                                          "SendError → pending"


def test_it_masks_arguments_and_tracebacks_and_never_drops_a_record() -> None:
    try:
        raise ValueError("could not parse kari@example.test")
    except ValueError:
        import sys

        record = logging.LogRecord("webcare.test", logging.ERROR, __file__, 1, "refused %s with %s",
                                   ("ola@kunde.test", TOKEN), sys.exc_info())
    assert MaskSecretsAndPersonalData().filter(record) is True
    assert (record.getMessage(), record.args) == ("refused [EMAIL] with wc_[SECRET]", ())
    assert record.exc_text is not None and "ValueError: could not parse [EMAIL]" in record.exc_text
    assert "kari@example.test" not in logging.Formatter().format(record)


def test_every_configured_handler_has_the_filter() -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers
    for name, handler in handlers.items():
        assert "mask" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["mask"]["()"] == "webcare.security.logfilter.MaskSecretsAndPersonalData"


def test_what_reaches_the_console_is_masked(tmp_path: Path) -> None:
    """A real process with the real logging configuration: stderr is what an operator's log collector reads."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"WEBCARE_DATA_DIR": str(tmp_path)}
    code = ("import logging; log = logging.getLogger('webcare.channels'); "
            f"log.warning('delivery from %s with %s', 'ola@kunde.test', 'Bearer {TOKEN}'); "
            "log.error('telegram call failed: https://api.telegram.org/bot" + BOT + "/getMe')")
    result = subprocess.run([WEBCARE, "shell", "--no-imports", "-c", code], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "delivery from [EMAIL] with Bearer [SECRET]" in result.stderr
    assert "/bot[SECRET]/getMe" in result.stderr
    assert "ola@kunde.test" not in result.stderr and TOKEN not in result.stderr and BOT not in result.stderr


def test_records_seen_by_other_handlers_are_masked_too(caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="webcare"):
        logging.getLogger("webcare.channels").info("stored mail from %s", "ola@kunde.test")
    assert "stored mail from [EMAIL]" in caplog.text and "ola@kunde.test" not in caplog.text
