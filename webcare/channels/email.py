"""E-mail: a support mailbox as a channel. Mail comes in by IMAP (``email_imap.py``, IDLE where the server has it) or
by webcare's own SMTP receiver (``email_smtpd.py``), both run by ``webcare mail``; replies go out by SMTP.

What ``email_parse.py`` chose for inbound mail is what a reply needs: ``target_id`` is the Message-ID of the mail
answered (it becomes In-Reply-To), ``references`` the thread's ids (References), ``recipient["handle"]`` the address
to write to. The reply's own Message-ID is made from the job's idempotency key (``<key@support-domain>``) and is
what the sender records as the message's platform id, so the customer's answer to it (In-Reply-To: that id) finds
the conversation again, and the copy of the reply that may come back through the mailbox is recognised as already
stored.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from enum import StrEnum
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from webcare.channels import attachments
from webcare.channels.base import (
    Action,
    Capability,
    Connector,
    ConnectorError,
    CredentialField,
    HealthReport,
    HealthStatus,
    OutboundRequest,
    SendError,
    SendResult,
)

TIMEOUT = 20.0
_REPLY_PREFIX = ("re:", "sv:", "vs:", "aw:", "antw:", "vá:")


class TlsMode(StrEnum):
    SSL = "ssl"  #: TLS from the first byte (IMAP 993, SMTP 465)
    STARTTLS = "starttls"  #: plain connection upgraded before login (IMAP 143, SMTP 587)
    NONE = "none"  #: no encryption: only for a server on the same machine or a trusted network

    @classmethod
    def parse(cls, value: str, what: str) -> TlsMode:
        try:
            return cls((value or "ssl").strip().lower())
        except ValueError:
            raise ConnectorError(f"{what} TLS mode {value!r} is not one of ssl, starttls, none") from None


DEFAULT_PORTS = {("imap", TlsMode.SSL): 993, ("imap", TlsMode.STARTTLS): 143, ("imap", TlsMode.NONE): 143,
                 ("smtp", TlsMode.SSL): 465, ("smtp", TlsMode.STARTTLS): 587, ("smtp", TlsMode.NONE): 25}


@dataclass(frozen=True)
class Server:
    """One mail server as configured on the channel."""

    protocol: str
    host: str
    port: int
    user: str
    password: str
    tls: TlsMode

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def open_imap(server: Server, timeout: float = TIMEOUT) -> IMAPClient:
    """A logged-in IMAP connection; imapclient's errors (LoginError, IMAPClientError) and OSError as they come."""
    client = IMAPClient(server.host, port=server.port, ssl=server.tls == TlsMode.SSL,
                        ssl_context=_tls_context() if server.tls == TlsMode.SSL else None, timeout=timeout)
    try:
        if server.tls == TlsMode.STARTTLS:
            client.starttls(_tls_context())
        client.login(server.user, server.password)
    except BaseException:
        close_imap(client)
        raise
    return client


def close_imap(client: IMAPClient) -> None:
    """Log out, or drop the connection when logging out fails."""
    try:
        client.logout()
    except Exception:  # the connection is being thrown away either way
        with contextlib.suppress(Exception):
            client.shutdown()


def open_smtp(server: Server, timeout: float = TIMEOUT) -> smtplib.SMTP:
    """A connected SMTP session, TLS as configured, logged in when the channel has an SMTP user."""
    smtp: smtplib.SMTP
    if server.tls == TlsMode.SSL:
        smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=_tls_context())
    else:
        smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
    try:
        smtp.ehlo()
        if server.tls == TlsMode.STARTTLS:
            smtp.starttls(context=_tls_context())
            smtp.ehlo()
        if server.user:
            smtp.login(server.user, server.password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def reply_subject(subject: str, fallback: str = "") -> str:
    """"Re: …" unless the subject already starts with a reply prefix (English, Nordic "SV:"/"VS:", German, Dutch);
    for a mail that had no subject, "Re: <fallback>" (the channel's name)."""
    subject = " ".join((subject or "").split())
    if subject.lower().startswith(_REPLY_PREFIX):
        return subject
    return f"Re: {subject or ' '.join(fallback.split())}".rstrip()


def _header_safe(value: str) -> str:
    return " ".join(str(value or "").split())


def _smtp_reply(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {error}".strip()


class EmailConnector(Connector):
    kind = "email"
    label = "E-mail (IMAP/SMTP)"
    capabilities = frozenset({Capability.ATTACHMENTS})
    credential_fields = (
        CredentialField("address", "Support address", secret=False,
                        help="The address customers write to and replies come from, e.g. kundeservice@fjordnett.no."),
        CredentialField("imap_host", "IMAP server", secret=False, required=False,
                        help="e.g. outlook.office365.com or imap.gmail.com. Leave empty when mail reaches webcare "
                             "through its own SMTP receiver (webcare mail --smtp-port) instead."),
        CredentialField("imap_port", "IMAP port", secret=False, required=False,
                        help="Empty: 993 with ssl, 143 otherwise."),
        CredentialField("imap_user", "IMAP user name", secret=False, required=False,
                        help="Empty: the support address."),
        CredentialField("imap_password", "IMAP password", required=False,
                        help="An app password where the provider requires one."),
        CredentialField("imap_tls", "IMAP encryption", secret=False, required=False,
                        help="ssl (default), starttls, or none (only for a server on a trusted network)."),
        CredentialField("smtp_host", "SMTP server", secret=False, help="e.g. smtp.office365.com or smtp.gmail.com."),
        CredentialField("smtp_port", "SMTP port", secret=False, required=False,
                        help="Empty: 465 with ssl, 587 with starttls, 25 with none."),
        CredentialField("smtp_user", "SMTP user name", secret=False, required=False,
                        help="Empty: the support address; write - for a relay that takes mail without a login."),
        CredentialField("smtp_password", "SMTP password", required=False,
                        help="Empty: the IMAP password."),
        CredentialField("smtp_tls", "SMTP encryption", secret=False, required=False,
                        help="ssl (default), starttls, or none (only for a relay on a trusted network)."),
    )
    rate_per_second = 1.0
    #: Not idempotent, though the Message-ID is fixed: SMTP has no idempotency, so a mail sent twice arrives twice.
    #: Some mail clients hide a second copy with the same Message-ID, many (Outlook, phones) show both — so a send
    #: interrupted mid-DATA is left to a person (uncertain), never repeated on its own.
    idempotent_sends = False
    webhook = False
    #: Not the generic poller: ``webcare mail`` runs one IMAP loop per channel (IDLE needs a connection held open).
    polling = False

    # -- configuration --------------------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        address = self.setting("address").strip()
        if "@" not in address:
            raise ConnectorError(f"channel {self.channel.slug!r} has no support address set")
        return address

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()

    def _server(self, protocol: str) -> Server:
        host = self.setting(f"{protocol}_host").strip()
        if not host:
            raise ConnectorError(f"channel {self.channel.slug!r} has no {protocol.upper()} server set")
        tls = TlsMode.parse(self.setting(f"{protocol}_tls"), protocol.upper())
        port_text = self.setting(f"{protocol}_port").strip()
        try:
            port = int(port_text) if port_text else DEFAULT_PORTS[(protocol, tls)]
        except ValueError:
            raise ConnectorError(f"{protocol.upper()} port {port_text!r} is not a number") from None
        user = self.setting(f"{protocol}_user").strip() or self.address
        if protocol == "smtp" and user == "-":
            user = ""
        password = str(self.credentials.get(f"{protocol}_password") or "")
        if protocol == "smtp" and not password:
            password = str(self.credentials.get("imap_password") or "")
        return Server(protocol, host, port, user, password, tls)

    def imap_server(self) -> Server | None:
        """The IMAP server, or None when this channel receives through webcare's SMTP receiver only."""
        return self._server("imap") if self.setting("imap_host").strip() else None

    def smtp_server(self) -> Server:
        return self._server("smtp")

    @property
    def imap_folder(self) -> str:
        return self.setting("imap_folder", "INBOX")

    # -- outbound -------------------------------------------------------------------------------------------------
    def message_id_for(self, idempotency_key: str) -> str:
        return f"<{idempotency_key}@{self.domain}>"

    def build_message(self, request: OutboundRequest) -> tuple[EmailMessage, str]:
        """The reply as a mail, and the address it goes to; :class:`SendError` (permanent) when it cannot be made."""
        handle = str(request.recipient.get("handle") or request.recipient.get("id") or "").strip()
        _, to_address = parseaddr(handle)
        if "@" not in to_address or any(ch.isspace() for ch in to_address):
            raise SendError(f"the customer's address {handle!r} is not an e-mail address")
        sender_name = f"{request.agent_name} via {self.channel.name}" if request.agent_name else self.channel.name
        message = EmailMessage()
        message["Message-ID"] = self.message_id_for(request.idempotency_key)
        message["Date"] = format_datetime(datetime.now(UTC))
        message["From"] = formataddr((_header_safe(sender_name), self.address))
        message["To"] = formataddr((_header_safe(request.recipient.get("name", "")), to_address))
        message["Subject"] = reply_subject(request.subject, self.channel.name)
        if request.target_id:
            message["In-Reply-To"] = request.target_id
        references = list(dict.fromkeys([*request.references, request.target_id]))
        references = [ref for ref in references if ref]
        if references:
            message["References"] = " ".join(references)
        message.set_content(request.text)
        for item in request.attachments:
            url = str(item.get("url") or "")
            try:
                data = attachments.load_attachment(self.channel.organisation_id, url)
            except attachments.AttachmentError as exc:
                raise SendError(f"cannot attach {item.get('name') or url!r}: {exc}") from exc
            maintype, _, subtype = str(item.get("content_type") or "application/octet-stream").partition("/")
            message.add_attachment(data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                                   filename=str(item.get("name") or attachments.name_from_url(url) or "attachment"))
        return message, to_address

    def send(self, request: OutboundRequest) -> SendResult:
        if request.action != Action.REPLY:
            raise SendError(f"e-mail cannot {request.action.value}: only replies can be sent")
        try:
            server = self.smtp_server()
            message, to_address = self.build_message(request)
        except ConnectorError as exc:
            raise exc if isinstance(exc, SendError) else SendError(str(exc)) from exc
        try:
            smtp = open_smtp(server)
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"the SMTP server {server.where} refused the login for {server.user}: {_smtp_reply(exc)}",
                            health=HealthStatus.TOKEN_EXPIRED) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise SendError(f"the SMTP server {server.where} does not offer {server.tls.value}: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"cannot reach the SMTP server {server.where}: {exc}", retryable=True,
                            health=HealthStatus.FAILING) from exc
        try:
            smtp.send_message(message, from_addr=self.address, to_addrs=[to_address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
            raise SendError(f"the SMTP server refused the recipient {to_address}: {code} {text}",
                            retryable=400 <= code < 500, status_code=code) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            code = exc.smtp_code
            raise SendError(f"the SMTP server {server.where} refused the mail: {_smtp_reply(exc)}",
                            retryable=400 <= code < 500, status_code=code,
                            health=HealthStatus.FAILING if code >= 500 else None) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"the connection to {server.where} broke while sending; the mail may have gone out: {exc}",
                            retryable=True, ambiguous=True, health=HealthStatus.FAILING) from exc
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        return SendResult(external_id=str(message["Message-ID"]), sent_at=datetime.now(UTC))

    # -- health ---------------------------------------------------------------------------------------------------
    def _check_imap(self) -> tuple[HealthStatus, str]:
        server = self.imap_server()
        if server is None:
            return HealthStatus.OK, "no IMAP server: mail arrives through webcare's SMTP receiver"
        try:
            client = open_imap(server)
        except LoginError as exc:
            return HealthStatus.TOKEN_EXPIRED, f"IMAP {server.where} refused the login for {server.user}: {exc}"
        except (OSError, IMAPClientError) as exc:
            return HealthStatus.FAILING, f"cannot reach IMAP {server.where}: {exc}"
        try:
            if not client.folder_exists(self.imap_folder):
                return HealthStatus.FAILING, f"IMAP {server.where} has no folder {self.imap_folder!r}"
            idle = b"IDLE" in client.capabilities()
        except (OSError, IMAPClientError) as exc:
            return HealthStatus.FAILING, f"IMAP {server.where} failed after login: {exc}"
        finally:
            close_imap(client)
        return HealthStatus.OK, f"IMAP {server.host} ({'IDLE' if idle else 'polling'})"

    def _check_smtp(self) -> tuple[HealthStatus, str]:
        server = self.smtp_server()
        try:
            smtp = open_smtp(server)
        except smtplib.SMTPAuthenticationError as exc:
            return HealthStatus.TOKEN_EXPIRED, f"SMTP {server.where} refused the login for {server.user}: " \
                                               f"{_smtp_reply(exc)}"
        except smtplib.SMTPNotSupportedError as exc:
            return HealthStatus.FAILING, f"SMTP {server.where} does not offer {server.tls.value}: {exc}"
        except (OSError, smtplib.SMTPException) as exc:
            return HealthStatus.FAILING, f"cannot reach SMTP {server.where}: {exc}"
        try:
            smtp.noop()
        except (OSError, smtplib.SMTPException) as exc:
            return HealthStatus.FAILING, f"SMTP {server.where} failed after login: {exc}"
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        return HealthStatus.OK, f"SMTP {server.host}"

    def check(self) -> HealthReport:
        """Log in to IMAP and SMTP; the report names each that failed and why (a refused login first)."""
        results: list[tuple[HealthStatus, str]] = []
        for check in (self._check_imap, self._check_smtp):
            try:
                results.append(check())
            except ConnectorError as exc:
                results.append((HealthStatus.FAILING, str(exc)))
            except Exception as exc:  # check() never raises: the admin gets the error as text
                results.append((HealthStatus.FAILING, f"unexpected error: {exc!r}"))
        failed = [(status, detail) for status, detail in results if status != HealthStatus.OK]
        if not failed:
            return HealthReport(HealthStatus.OK, f"{self.setting('address')}: " + ", ".join(d for _, d in results))
        status = HealthStatus.TOKEN_EXPIRED if any(s == HealthStatus.TOKEN_EXPIRED for s, _ in failed) \
            else HealthStatus.FAILING
        return HealthReport(status, "; ".join(detail for _, detail in failed)[:500])

    def describe(self) -> dict[str, Any]:
        """Where this channel's mail comes from and goes to, for logs (no secrets)."""
        imap = self.imap_server()
        smtp = self.smtp_server()
        return {"address": self.address, "imap": imap.where if imap else None, "smtp": smtp.where}
