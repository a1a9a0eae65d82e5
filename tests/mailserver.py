"""Real mail servers on 127.0.0.1 for the e-mail connector's tests.

- ``dovecot``: Debian's dovecot (IMAP with IDLE, and LMTP delivery), started once per test session by
  ``scripts/mailserver.sh`` — or, when ``scripts/test.sh`` already started one, the one named by the
  ``WEBCARE_TEST_IMAP_PORT`` / ``WEBCARE_TEST_LMTP_PORT`` / ``WEBCARE_TEST_MAIL_PASSWORD`` variables. Every user name
  logs in with the one password and has its own mailbox, so each test takes fresh addresses (:func:`new_address`).
- ``smtp_relay``: the brand's outgoing SMTP server as webcare meets it — aiosmtpd requiring AUTH, which records what it
  was given and delivers it to dovecot by LMTP, so a test reads the reply from the customer's mailbox by IMAP, as the
  customer's mail client would.
- ``smtp_receiver``: webcare's own SMTP receiver (``webcare.channels.email_smtpd``) on a free port.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "mailserver.sh"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def new_address(who: str = "user", domain: str = "example.test") -> str:
    """A fresh address: a mailbox no other test has touched."""
    return f"{who}-{uuid.uuid4().hex[:10]}@{domain}"


@dataclass
class Dovecot:
    imap_port: int
    lmtp_port: int
    password: str

    def imap(self, user: str) -> IMAPClient:
        client = IMAPClient(HOST, port=self.imap_port, ssl=False, timeout=20)
        client.login(user, self.password)
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a mail into a mailbox the way a mail client or a migration does (IMAP APPEND)."""
        client = self.imap(user)
        try:
            client.append(folder, raw)
        finally:
            client.logout()

    def messages(self, user: str, folder: str = "INBOX") -> list[EmailMessage]:
        """Every mail in a mailbox, oldest first, as a customer's mail client reads them."""
        client = self.imap(user)
        try:
            client.select_folder(folder, readonly=True)
            uids = sorted(client.search("ALL"))
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [message_from_bytes(fetched[uid][b"BODY[]"], policy=policy.default)  # type: ignore[misc]
                    for uid in uids]
        finally:
            client.logout()

    def channel_settings(self, address: str, smtp_port: int, **extra: Any) -> dict[str, Any]:
        """E-mail channel settings reading ``address``'s mailbox here and sending through ``smtp_port``."""
        return {"address": address, "imap_host": HOST, "imap_port": str(self.imap_port), "imap_tls": "none",
                "smtp_host": HOST, "smtp_port": str(smtp_port), "smtp_tls": "none", **extra}


def _env_dovecot() -> Dovecot | None:
    if not os.environ.get("WEBCARE_TEST_IMAP_PORT"):
        return None
    return Dovecot(int(os.environ["WEBCARE_TEST_IMAP_PORT"]), int(os.environ["WEBCARE_TEST_LMTP_PORT"]),
                   os.environ["WEBCARE_TEST_MAIL_PASSWORD"])


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    started = _env_dovecot()
    if started is not None:
        yield started
        return
    if not Path("/usr/sbin/dovecot").exists() or shutil.which("python3") is None:
        message = "dovecot is not installed: apt-get install -y dovecot-imapd dovecot-lmtpd (scripts/test.sh does)"
        if os.environ.get("WEBCARE_REQUIRE_SERVICES") or os.environ.get("CI"):
            pytest.fail(message)  # scripts/test.sh installs dovecot: a missing server there is a failure, not a skip
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="webcare-mail-")
    done = subprocess.run(["bash", str(SCRIPT), "start", folder], capture_output=True, text=True, timeout=60,
                          check=False)
    if done.returncode != 0:
        pytest.fail(f"scripts/mailserver.sh could not start dovecot:\n{done.stdout}\n{done.stderr}")
    values = dict(line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines()
                  if line.startswith("export "))
    try:
        yield Dovecot(int(values["WEBCARE_TEST_IMAP_PORT"]), int(values["WEBCARE_TEST_LMTP_PORT"]),
                      values["WEBCARE_TEST_MAIL_PASSWORD"])
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpRelay:
    """The brand's SMTP server: what it accepted, in order."""

    port: int
    user: str
    password: str
    received: list[Received] = field(default_factory=list)
    #: Recipients this server refuses with 550 (a mailbox that does not exist at the customer's provider).
    refuse: set[str] = field(default_factory=set)


class _RelayHandler:
    def __init__(self, relay: SmtpRelay, dovecot: Dovecot) -> None:
        self.relay = relay
        self.dovecot = dovecot

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.relay.refuse:
            return f"550 5.1.1 <{address}>: recipient address rejected: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        self.relay.received.append(Received(envelope.mail_from or "", list(envelope.rcpt_tos), data))
        with smtplib.LMTP(HOST, self.dovecot.lmtp_port) as lmtp:
            lmtp.sendmail(envelope.mail_from or "", list(envelope.rcpt_tos), data)
        return "250 OK: queued"


@pytest.fixture
def smtp_relay(dovecot: Dovecot) -> Iterator[SmtpRelay]:
    relay = SmtpRelay(port=free_port(), user=new_address("smtp"), password=uuid.uuid4().hex)

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == relay.user and \
            data.password.decode() == relay.password
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    controller = Controller(_RelayHandler(relay, dovecot), hostname=HOST, port=relay.port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield relay
    finally:
        controller.stop()


@dataclass
class Receiver:
    port: int


@pytest.fixture
def smtp_receiver() -> Iterator[Receiver]:
    from webcare.channels.email_smtpd import make_receiver

    port = free_port()
    controller = make_receiver(HOST, port)
    controller.start()
    try:
        yield Receiver(port)
    finally:
        controller.stop()
