"""The notifications pages: the bell's count in the inbox header, the list, opening one, marking all read.

Only ever the signed-in person's own notifications: every query filters on ``recipient``, so someone else's
notification answers 404, as one that does not exist would.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from webcare.inbox.views import current_agent
from webcare.notify.models import Notification
from webcare.notify.send import unread_count

#: Notifications per page of the list, newest first.
PAGE = 50


def target(note: Notification, request: HttpRequest) -> str:
    """Where opening a notification leads: its own link if it stays on this site, else its ticket, else the list."""
    if note.url and note.url.startswith("/") and url_has_allowed_host_and_scheme(
            note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return note.url
    if note.ticket_id:
        return f"{reverse('inbox:inbox')}?ticket={note.ticket_id}"
    return reverse("notify:list")


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    page = Paginator(Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-id"), PAGE)
    shown = page.get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {
        "agent": agent, "page": shown, "notifications": shown.object_list, "unread": unread_count(request.user)})


@require_GET
@login_required
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go where it leads. A link (GET) because that is what people click in a list and in an
    e-mail; marking read twice changes nothing."""
    note = get_object_or_404(Notification, pk=notification_id, recipient_id=request.user.pk)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(target(note, request))


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notify:list")


@never_cache
@require_GET
@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The header link, polled by htmx. ``?shown=N`` is the count on screen: when it has not changed the answer is
    204 (htmx swaps nothing), so a screen reader does not hear the same count every 30 seconds."""
    count = unread_count(request.user)
    if request.GET.get("shown") == str(count):
        return HttpResponse(status=204)
    return render(request, "notify/_bell_link.html", {"unread": count})
