"""Send the queued notification e-mails (a task of the automation loop).

Claimed a few at a time with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (several automation processes never send one
twice); a failure is retried with backoff and after :data:`MAX_ATTEMPTS` the notification stays in the app only, with
the server's words in ``email_error``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction

from webcare.notify.models import EmailStatus, Notification

log = logging.getLogger("webcare.notify")

BATCH: Final = 50
MAX_ATTEMPTS: Final = 6
RETRY_BASE: Final = timedelta(seconds=30)


def _claim(now: datetime) -> list[Notification]:
    due = (Notification.objects.filter(email_status=EmailStatus.PENDING, email_next_at__lte=now)
           .select_related("recipient").order_by("email_next_at", "id"))
    if connection.vendor == "postgresql":
        due = due.select_for_update(skip_locked=True, of=("self",))
    return list(due[:BATCH])


def message_for(note: Notification) -> EmailMessage:
    """The e-mail of a notification: its title as subject, body and a link into the desk."""
    link = urljoin(settings.WEBCARE_BASE_URL.rstrip("/") + "/", note.url.lstrip("/")) if note.url else ""
    text = "\n\n".join(part for part in (note.body, link) if part)
    return EmailMessage(subject=f"[webcare] {note.title}", body=text or note.title,
                        from_email=settings.DEFAULT_FROM_EMAIL, to=[note.recipient.email])


def run(now: datetime) -> int:
    """Send what is due; returns how many e-mails went out."""
    if not settings.EMAIL_HOST:
        return 0
    sent = 0
    with transaction.atomic():
        notes = _claim(now)
        if not notes:
            return 0
        mail = get_connection(fail_silently=False)
        try:
            mail.open()
        except OSError as exc:
            for note in notes:
                _failed(note, now, f"cannot reach the mail server: {exc}")
            return 0
        try:
            for note in notes:
                try:
                    mail.send_messages([message_for(note)])
                except Exception as exc:  # any SMTP refusal is recorded, not raised
                    _failed(note, now, str(exc))
                    continue
                note.email_status, note.emailed_at, note.email_error = EmailStatus.SENT, now, ""
                note.email_attempts += 1
                note.save(update_fields=["email_status", "emailed_at", "email_error", "email_attempts"])
                sent += 1
        finally:
            mail.close()
    return sent


def _failed(note: Notification, now: datetime, error: str) -> None:
    note.email_attempts += 1
    note.email_error = error[:2000]
    if note.email_attempts >= MAX_ATTEMPTS:
        note.email_status = EmailStatus.FAILED
        log.warning("notification %s: e-mail failed for good: %s", note.pk, error)
    else:
        note.email_next_at = now + RETRY_BASE * (2 ** (note.email_attempts - 1))
    note.save(update_fields=["email_attempts", "email_error", "email_status", "email_next_at"])
