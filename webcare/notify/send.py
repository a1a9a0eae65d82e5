"""Raise a notification for people: a row they see in the app, and an e-mail queued for the automation loop.

Why rows first: the notification is written in the transaction of the change that raised it (a breach found by the
SLA check, a surge), so it exists exactly when that change does; the e-mail leaves afterwards from
:mod:`webcare.notify.email`, retried when the mail server is down.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from webcare.notify.models import EmailStatus, Notification


def notify(organisation_id: int, recipients: Iterable[Any], kind: str, title: str, *, body: str = "",
           url: str = "", ticket_id: int | None = None, email: bool = True) -> list[Notification]:
    """One notification per distinct recipient (users; inactive ones and users without an address get no e-mail).

    ``email`` asks for an e-mail too; it is queued only where an SMTP host is configured (``WEBCARE_SMTP_HOST``),
    so the embedded default stays in-app only without failing.
    """
    now = timezone.now()
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
    return Notification.objects.bulk_create(rows)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
