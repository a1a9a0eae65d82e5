"""Raise a notification for people: a row they see in the app, and an e-mail queued for the automation loop.

Why rows first: the notification is written in the transaction of the change that raised it (a breach found by the
SLA check, a surge), so it exists exactly when that change does; the e-mail leaves afterwards from
:mod:`webcare.notify.email`, retried when the mail server is down.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from webcare.notify.models import EmailStatus, Notification


def notification_rows(organisation_id: int, recipients: Iterable[Any], kind: str, title: str, *, body: str = "",
                      url: str = "", ticket_id: int | None = None, email: bool = True,
                      now: datetime | None = None) -> list[Notification]:
    """The rows of one notification, built without writing: one per distinct active recipient (users; inactive ones
    and ``None`` are skipped), the e-mail queued only where an SMTP host is configured (``WEBCARE_SMTP_HOST``) and the
    user has an address, so the embedded default stays in-app only without failing. Callers raising many at once
    (the SLA check) insert a chunk's rows with one statement."""
    now = now or timezone.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        mail = email and bool(settings.EMAIL_HOST) and bool(user.email)
        rows.append(Notification(
            organisation_id=organisation_id, recipient=user, kind=kind, ticket_id=ticket_id, title=title[:300],
            body=body, url=url[:500], created_at=now,
            email_status=EmailStatus.PENDING if mail else EmailStatus.NONE, email_next_at=now if mail else None,
        ))
    return rows


def notify(organisation_id: int, recipients: Iterable[Any], kind: str, title: str, *, body: str = "",
           url: str = "", ticket_id: int | None = None, email: bool = True) -> list[Notification]:
    """Write one notification (see :func:`notification_rows`) in the caller's transaction."""
    return Notification.objects.bulk_create(notification_rows(organisation_id, recipients, kind, title, body=body,
                                                              url=url, ticket_id=ticket_id, email=email))


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
