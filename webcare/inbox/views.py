"""The inbox pages: three panes (views, ticket list, conversation), with htmx partials for each pane.

Every view is scoped to the signed-in agent's organisation; writes go through ``webcare.tickets.actions`` only, so the
timeline and the rules are the same as through the API.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from webcare.access.mask import mask_contact, mask_identity_value
from webcare.access.models import RevealField
from webcare.access.purposes import PurposeError, purposes_for
from webcare.access.reveal import Target, do_reveal
from webcare.access.scope import scope_for, visible_ticket_or_404, visible_tickets
from webcare.channels.base import Action
from webcare.channels.outbound import OutboundError, do_moderate, do_retry
from webcare.conversations.models import Direction, Message
from webcare.core.models import Agent, Role, Team
from webcare.customers.models import Identity
from webcare.inbox import queues, saved_searches, search
from webcare.inbox.customer_card import customer_card_context, opened_with_strong_language
from webcare.inbox.delivery import MODERATION, outbound_context, template_reply
from webcare.replies import compose
from webcare.tickets.actions import (
    ActionError,
    do_add_note,
    do_change_ticket,
    do_move_to_private,
    do_no_reply_needed,
    do_reply,
)
from webcare.tickets.models import Note, Priority, Status, Ticket

DEFAULT_VIEW = "unassigned"

logger = logging.getLogger("webcare.inbox")


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware, which adds ``htmx`` (falsy when not an htmx request)."""

    htmx: HtmxDetails

#: Rows in the list at first; "Show more" adds as many again, up to ``MAX_ROWS``. About four screens at 1280×720:
#: rendering the rows is most of the list's server time (docs/benchmarks.md, "Inbox at scale").
PAGE = 50
MAX_ROWS = 500


def rows_wanted(request: HttpRequest) -> int:
    """How many rows the list shows: ``?n=`` (kept across live refreshes after "Show more"), in steps of ``PAGE``."""
    raw = request.GET.get("n") or request.POST.get("n") or ""
    wanted = int(raw) if raw.isdigit() else PAGE
    return max(PAGE, min(MAX_ROWS, wanted - wanted % PAGE))


def current_agent(request: HttpRequest) -> Agent:
    """The signed-in user's agent record (their first organisation); no record, no inbox."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    agent = Agent.objects.select_related("organisation").filter(user=user).order_by("id").first()
    if agent is None:
        raise PermissionDenied("This account is not an agent of any organisation.")
    return agent


def works_tickets(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only roles that work tickets change them: an analyst sees the inbox read-only (their job is the figures),
    so a POST from one is refused before anything is touched."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and current_agent(request).role == Role.ANALYST:
            raise PermissionDenied("Analysts see the inbox read-only.")
        return view(request, *args, **kwargs)

    return wrapper


def with_handles(rows: list[Ticket]) -> list[Ticket]:
    """Give each row the handle of the person who wrote in on that conversation (``ticket.handle``), else the
    customer's handle on the ticket's platform: agents recognise "@sigrid_h" faster than a common name. Two queries
    for the page, whatever its size."""
    by_conversation: dict[int, str] = {}
    for conversation_id, handle in (Message.objects
                                    .filter(conversation_id__in={t.conversation_id for t in rows},
                                            direction="inbound", author_identity__isnull=False)
                                    .exclude(author_identity__handle="")
                                    .values_list("conversation_id", "author_identity__handle").order_by().distinct()):
        by_conversation.setdefault(conversation_id, handle)
    by_customer: dict[tuple[int, str], str] = {}
    for customer_id, platform, handle in (Identity.objects
                                          .filter(customer_id__in={t.customer_id for t in rows if t.customer_id})
                                          .exclude(handle="").order_by("-id")
                                          .values_list("customer_id", "platform", "handle")):
        by_customer[(customer_id, platform)] = handle  # the oldest identity on the platform wins
    for ticket in rows:
        platform = ticket.conversation.channel.kind
        handle = by_conversation.get(ticket.conversation_id) or by_customer.get((ticket.customer_id or 0, platform), "")
        # An e-mail address or a phone number as a handle is contact data: masked like everywhere else.
        ticket.handle = mask_identity_value(platform, handle)  # type: ignore[attr-defined]
    return rows


def with_strong_language(rows: list[Ticket]) -> list[Ticket]:
    """Mark the rows whose subject must be blurred (``ticket.subject_profane``): the ticket's first message from the
    customer has strong language, and the subject is usually its first line. One query for the page, whatever its
    size (the list's own query is left as the partial indexes want it)."""
    profane = set(Ticket.objects.filter(pk__in=[t.pk for t in rows])
                  .annotate(subject_profane=opened_with_strong_language()).filter(subject_profane=True)
                  .values_list("pk", flat=True)) if rows else set()
    for ticket in rows:
        ticket.subject_profane = ticket.pk in profane  # type: ignore[attr-defined]
    return rows


def list_rows(rows: list[Ticket]) -> list[Ticket]:
    """What a list row shows beyond the ticket's own columns: the handle and whether to blur the subject."""
    return with_strong_language(with_handles(rows))


def nav_views(agent: Agent, user: Any) -> list[queues.View]:
    """The left pane: the fixed views, the channels, then the agent's and the shared saved searches — each counting
    only the tickets the agent may see."""
    scope = scope_for(agent)
    return queues.views(agent.organisation, user, scope) + saved_searches.views(agent.organisation, user, scope)


def _page(rows: list[Ticket], wanted: int) -> dict[str, Any]:
    """The rows and what "Show more" needs: whether there may be more, how many are shown, how many to ask for."""
    return {"tickets": rows, "more": len(rows) == wanted, "shown": wanted, "next_n": wanted + PAGE}


def _search_rows(request: HttpRequest, agent: Agent, key: str) -> dict[str, Any]:
    """A typed search (``view=search&q=``) or a saved one (``view=saved:<id>``): the matches, or why none."""
    saved = None
    if key == "search":
        query = (request.GET.get("q") or request.POST.get("q") or "").strip()
    else:
        raw_id = key.removeprefix("saved:")
        saved = saved_searches.get(agent.organisation, request.user, int(raw_id)) if raw_id.isdigit() else None
        if saved is None:
            raise Http404("no such saved search")
        query = saved.query
    rows: list[Ticket] = []
    search_error = ""
    wanted = rows_wanted(request)
    if query:
        try:
            rows = list_rows(list(saved_searches.tickets(agent.organisation, query, request.user,
                                                         scope_for(agent))[:wanted]))
        except search.SearchError as exc:
            search_error = str(exc)
    return {"query": query, "saved": saved, "search_error": search_error, **_page(rows, wanted)}


def _list_context(request: HttpRequest, agent: Agent, key: str, error: str = "") -> dict[str, Any]:
    teams = Team.objects.filter(organisation=agent.organisation).order_by("name")
    if key == "search" or key.startswith("saved:"):
        return {"view_key": key, "teams": teams, "error": error, **_search_rows(request, agent, key)}
    wanted = rows_wanted(request)
    try:
        rows = list_rows(list(queues.tickets(agent.organisation, key, request.user, scope_for(agent))[:wanted]))
    except KeyError as exc:
        raise Http404("no such view") from exc
    return {"view_key": key, "teams": teams, "error": error, **_page(rows, wanted)}


# -- replying through the channel: what the composer offers, approved templates, moderation and delivery ----------

#: The moderation buttons' values and the action each queues (webcare/channels/outbound.py ``do_moderate``).
def _ticket_context(request: HttpRequest, agent: Agent, ticket_id: int, error: str = "",
                    **extra: Any) -> dict[str, Any]:
    ticket = visible_ticket_or_404(
        agent, ticket_id, Ticket.objects.select_related("conversation__channel", "customer", "assignee", "team"))
    messages = (Message.objects.filter(conversation=ticket.conversation).select_related("author_agent")
                .order_by("sent_at", "id"))
    notes = ticket.notes.select_related("author").order_by("created_at")
    identities = ticket.customer.identities.all() if ticket.customer else []
    message_rows = list(messages)
    for message in message_rows:
        if message.direction == Direction.INBOUND:
            # A platform that gives no name gives the address or number instead: contact data, masked.
            message.author_name = mask_contact(message.author_name, need_plus=False)
    last_message_id = max((m.pk for m in message_rows), default=0)
    # One timeline: internal notes sit between the messages they were written beside, not in a block at the end.
    thread: list[Message | Note] = sorted(
        [*message_rows, *notes], key=lambda item: item.sent_at if isinstance(item, Message) else item.created_at)
    # The subject is usually the first line of the ticket's first message: blurred with it when it has strong language.
    opening = next((m for m in message_rows if m.direction == "inbound" and m.ticket_id == ticket.pk), None)
    return {
        "ticket": ticket, "messages": message_rows, "notes": notes, "thread": thread, "identities": identities,
        "statuses": Status.choices, "priorities": Priority.choices, "error": error,
        "teams": Team.objects.filter(organisation=agent.organisation).order_by("name"),
        "label_names": ", ".join(ticket.labels.order_by("name").values_list("name", flat=True)),
        "last_message_id": last_message_id, "read_only": agent.role == Role.ANALYST,
        "may_reveal": scope_for(agent).may_reveal,
        "subject_profane_in": f"msg-text-{opening.pk}" if opening is not None and opening.profane else "",
        **outbound_context(request, ticket, agent, message_rows, extra), **customer_card_context(ticket, agent),
        **extra,
    }


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The whole workspace; ``?view=`` picks the queue and ``?ticket=`` opens a conversation."""
    agent = current_agent(request)
    key = request.GET.get("view", DEFAULT_VIEW)
    context = {"agent": agent, "views": nav_views(agent, request.user)}
    context |= _list_context(request, agent, key)
    ticket_id = request.GET.get("ticket", "")
    if ticket_id.isdigit():
        confirm = request.GET.get("confirm_delete", "")  # a delete asked for without JavaScript: ask on the message
        context |= _ticket_context(request, agent, int(ticket_id), confirm_delete=int(confirm) if confirm.isdigit()
                                   else None)
    return render(request, "inbox/inbox.html", context)


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    agent = current_agent(request)
    return render(request, "inbox/_list.html", _list_context(request, agent, request.GET.get("view", DEFAULT_VIEW)))


@login_required
def ticket_pane(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    agent = current_agent(request)
    if not request.htmx:
        return redirect(f"/inbox/?ticket={ticket_id}")
    return render(request, "inbox/_ticket.html", _ticket_context(request, agent, ticket_id))


def _act(request: HtmxHttpRequest, ticket_id: int, action: Any,
         refused: Callable[[ActionError | OutboundError], dict[str, Any]] | None = None) -> HttpResponse:
    """Run ``action(ticket)``; answer with the refreshed conversation pane, the error shown in it when refused
    (422, which the page's htmx config swaps in like a success). ``refused`` gives the context that puts the error
    next to its field and keeps what the agent typed; without it the error is shown above the thread."""
    agent = current_agent(request)
    ticket = visible_ticket_or_404(agent, ticket_id)
    error, extra = "", {}
    try:
        action(ticket)
    except (ActionError, OutboundError) as exc:
        error = exc.message
        extra = refused(exc) if refused is not None else {}
    if not request.htmx:
        return redirect(f"/inbox/?ticket={ticket_id}")
    try:
        context = _ticket_context(request, agent, ticket_id, error, **extra)
    except Http404:
        # The change moved the ticket out of the agent's scope (to a team they are not in): say so, not 404.
        response = render(request, "inbox/_gone.html", {"ticket_id": ticket_id})
    else:
        response = render(request, "inbox/_ticket.html", context, status=422 if error else 200)
    response["HX-Trigger"] = "ticket-changed"
    return response


@login_required
@require_POST
@works_tickets
def assign_to_me(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    return _act(request, ticket_id, lambda t: do_change_ticket(t, request.user, assignee=request.user))


@login_required
@require_POST
@works_tickets
def change_status(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    return _act(request, ticket_id, lambda t: do_change_ticket(t, request.user, status=request.POST.get("status", "")))


@login_required
@require_POST
@works_tickets
def no_reply_needed(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """End the ticket saying no reply is needed: its messages count as handled, not as forgotten."""
    return _act(request, ticket_id, lambda t: do_no_reply_needed(t, request.user))


def replies_since(ticket: Ticket, seen_message_id: int, user: Any) -> list[str]:
    """Who else answered this conversation after the message the agent last saw (the collision warning)."""
    newer = (Message.objects
             .filter(conversation_id=ticket.conversation_id, direction="outbound", id__gt=seen_message_id)
             .exclude(author_agent_id=user.pk).values_list("author_name", flat=True))
    return sorted(set(newer))


@login_required
@require_POST
@works_tickets
def fields(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Priority, team and labels (comma-separated) in one save; one timeline row per changed value."""
    agent = current_agent(request)

    def save(ticket: Ticket) -> None:
        raw_priority = request.POST.get("priority", "")
        if not raw_priority.isdigit():
            raise ActionError("priority", "choose a priority")
        slug = request.POST.get("team", "")
        team = None
        if slug:
            team = Team.objects.filter(organisation=agent.organisation, slug=slug).first()
            if team is None:
                raise ActionError("team", "choose one of your organisation's teams")
        labels = [name.strip() for name in request.POST.get("labels", "").split(",") if name.strip()]
        do_change_ticket(ticket, request.user, priority=int(raw_priority), team=team, labels=labels)

    return _act(request, ticket_id, save)


#: Where the composer shows an error of a reply, by the field the action named; other errors go above the thread.
REPLY_ERROR_AT = {"text": "reply", "public": "reply", "action": "reply", "template": "template",
                  "template_values": "template_values"}


@login_required
@require_POST
@works_tickets
def reply(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Send the composer's reply: free text (signed), or an approved template where the platform allows only those.

    ``visibility`` (public/private) is offered on public threads whose channel can answer privately; without it the
    reply goes where the customer asked (public in a public thread)."""
    agent = current_agent(request)
    seen = request.POST.get("seen", "")
    draft = request.POST.get("text", "")
    ticket = visible_ticket_or_404(agent, ticket_id, Ticket.objects.select_related("conversation__channel"))
    if seen.isdigit() and not request.POST.get("confirm"):
        others = replies_since(ticket, int(seen), request.user)
        if others:
            # Not sent: show what arrived, keep the draft, and let the agent confirm.
            context = _ticket_context(request, agent, ticket_id, collision=others, draft=draft)
            return render(request, "inbox/_ticket.html", context, status=409)

    def refused(exc: ActionError | OutboundError) -> dict[str, Any]:
        return {"error_at": REPLY_ERROR_AT.get(exc.field, ""), "draft": draft,
                "visibility": request.POST.get("visibility", ""), "template_chosen": request.POST.get("template", ""),
                "template_values": request.POST.get("template_values", "")}

    try:
        if request.POST.get("template"):
            # An approved template is sent as it was approved: filled in, never signed or edited.
            text, template = template_reply(ticket.conversation.channel, request.POST["template"],
                                            request.POST.get("template_values", ""))
        else:
            # The signature is added here, never to the draft, so a kept draft is not signed twice when sent again.
            text, template = compose.prepare_reply(ticket, agent, draft), None
    except ActionError as exc:
        # Not sent: a variable is still unfilled, or the template is incomplete; keep what was typed.
        context = _ticket_context(request, agent, ticket_id, exc.message, **refused(exc))
        return render(request, "inbox/_ticket.html", context, status=422)
    public = {"public": True, "private": False}.get(request.POST.get("visibility", ""))
    return _act(request, ticket_id, lambda t: do_reply(t, request.user, text, public=public, template=template),
                refused)


@login_required
@require_POST
@works_tickets
def move_to_private(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Move a public conversation to private messages: the private message and the short public note that says so,
    both signed like any reply and queued together (both or neither)."""
    agent = current_agent(request)
    private_text = request.POST.get("private_text", "")
    public_note = request.POST.get("public_note", "")

    def move(ticket: Ticket) -> None:
        if not private_text.strip():
            raise ActionError("private_text", _("Write the private message to send."))
        try:
            private = compose.prepare_reply(ticket, agent, private_text)
        except ActionError as exc:
            raise ActionError("private_text", exc.message) from exc
        note_text = compose.prepare_reply(ticket, agent, public_note) if public_note.strip() else ""
        do_move_to_private(ticket, request.user, private, note_text)

    def refused(exc: ActionError | OutboundError) -> dict[str, Any]:
        where = "public_note" if exc.field in ("public_note",) else "private_text"
        return {"error_at": where if exc.field not in ("ticket", "status") else "", "move_open": True,
                "move_private": private_text, "move_note": public_note}

    return _act(request, ticket_id, move, refused)


def _thread_message(agent: Agent, ticket_id: int, message_id: int, direction: str) -> Message:
    """A message of this ticket's conversation, the ticket in the agent's scope; 404 for anything else."""
    ticket = visible_ticket_or_404(agent, ticket_id)
    return get_object_or_404(Message.objects.select_related("conversation", "channel"), pk=message_id,
                             conversation_id=ticket.conversation_id, organisation=agent.organisation,
                             direction=direction)


def _next_to(message: Message) -> Callable[[ActionError | OutboundError], dict[str, Any]]:
    """Show a refused message action's reason on the message itself."""
    return lambda exc: {"error_at": "message", "error_message_id": message.pk}


@login_required
@require_POST
@works_tickets
def retry_message(request: HtmxHttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """Send a failed or uncertain reply again: the same request, so the platform gets exactly what was queued."""
    message = _thread_message(current_agent(request), ticket_id, message_id, Direction.OUTBOUND)
    return _act(request, ticket_id, lambda t: do_retry(message, request.user), _next_to(message))


@login_required
@require_POST
@works_tickets
def moderate_message(request: HtmxHttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """Hide, unhide, delete or like a customer's public message on the platform. Deleting cannot be undone, so it
    asks first: without ``confirm=1`` the pane comes back with the question on the message."""
    agent = current_agent(request)
    message = _thread_message(agent, ticket_id, message_id, Direction.INBOUND)
    action = MODERATION.get(request.POST.get("action", ""))
    if action == Action.DELETE and request.POST.get("confirm") != "1":
        if not request.htmx:
            return redirect(f"/inbox/?ticket={ticket_id}&confirm_delete={message.pk}")
        return render(request, "inbox/_ticket.html",
                      _ticket_context(request, agent, ticket_id, confirm_delete=message.pk))

    def moderate(ticket: Ticket) -> None:
        if action is None:
            raise ActionError("action", _("Choose hide, unhide, delete or like."))
        do_moderate(message, action, request.user)

    return _act(request, ticket_id, moderate, _next_to(message))


@login_required
@require_POST
@works_tickets
def note(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    return _act(request, ticket_id, lambda t: do_add_note(t, request.user, request.POST.get("text", "")))


def _bulk_change(request: HttpRequest, agent: Agent, tickets: list[Ticket]) -> None:
    """Apply the chosen action to every selected ticket, all or nothing."""
    action = request.POST.get("action", "")
    team = None
    if action == "set_team":
        team = Team.objects.filter(organisation=agent.organisation, slug=request.POST.get("team", "")).first()
        if team is None:
            raise ActionError("team", "choose one of your organisation's teams")
    label = request.POST.get("label", "").strip()
    if action == "add_label" and not label:
        raise ActionError("label", "type the label to add")
    if action not in ("assign_me", "solve", "set_team", "add_label"):
        raise ActionError("action", f"unknown action {action!r}")
    with transaction.atomic():
        for ticket in tickets:
            try:
                if action == "assign_me":
                    do_change_ticket(ticket, request.user, assignee=request.user)
                elif action == "solve":
                    do_change_ticket(ticket, request.user, status=Status.SOLVED)
                elif action == "set_team":
                    do_change_ticket(ticket, request.user, team=team)
                else:
                    names = [existing.name for existing in ticket.labels.all()]
                    do_change_ticket(ticket, request.user, labels=[*names, label])
            except ActionError as exc:
                raise ActionError(exc.field, f"#{ticket.pk}: {exc.message}") from exc


@login_required
@require_POST
@works_tickets
def bulk(request: HtmxHttpRequest) -> HttpResponse:
    """Bulk actions on the tickets ticked in the list: assign to me, solve, set team, add label."""
    agent = current_agent(request)
    key = request.POST.get("view", DEFAULT_VIEW)
    ids = [int(value) for value in request.POST.getlist("tickets") if value.isdigit()]
    # Only tickets the agent may see: another team's ticket ticked through a forged form is simply not there.
    tickets = list(visible_tickets(agent).filter(pk__in=ids).order_by("pk"))
    error = ""
    if not tickets:
        error = str(_("Select at least one ticket."))
    else:
        try:
            _bulk_change(request, agent, tickets)
        except ActionError as exc:
            error = exc.message
    return _list_response(request, agent, key, error, trigger="ticket-changed", push_url=False)


def _list_response(request: HtmxHttpRequest, agent: Agent, key: str, error: str = "", *,
                   trigger: str = "views-changed", push_url: bool = True) -> HttpResponse:
    """The list pane for ``key`` after a list action (bulk change, saving or deleting a search); on success the page
    is told what changed (``trigger``: the tickets, or the left pane's saved searches) and, when ``push_url``, the
    address bar follows the list. Refused: the reason in the pane, 422."""
    if not request.htmx:
        return redirect(f"/inbox/?view={key}")
    response = render(request, "inbox/_list.html", _list_context(request, agent, key, error),
                      status=422 if error else 200)
    if not error:
        response["HX-Trigger"] = trigger
        if push_url:
            response["HX-Push-Url"] = f"/inbox/?view={key}"
    return response


@login_required
@require_POST
def save_search(request: HtmxHttpRequest) -> HttpResponse:
    """Save the typed search (``q``) under a name, for the agent alone or shared with the organisation."""
    agent = current_agent(request)
    try:
        saved = saved_searches.do_save(agent.organisation, request.user, request.POST.get("name", ""),
                                       request.POST.get("q", ""), shared=request.POST.get("shared") == "on")
    except ActionError as exc:
        return _list_response(request, agent, "search", exc.message)
    return _list_response(request, agent, f"saved:{saved.pk}")


@login_required
@require_POST
def delete_search(request: HtmxHttpRequest, saved_id: int) -> HttpResponse:
    agent = current_agent(request)
    saved = saved_searches.get(agent.organisation, request.user, saved_id)
    if saved is None:
        raise Http404("no such saved search")
    try:
        saved_searches.do_delete(saved, request.user)
    except ActionError as exc:
        return _list_response(request, agent, f"saved:{saved_id}", exc.message)
    return _list_response(request, agent, DEFAULT_VIEW)


def reveal_form_context(agent: Agent, error: PurposeError | None = None, purpose: str = "",
                        reason: str = "") -> dict[str, Any]:
    """What the purpose form (``access/_purpose_form.html``) needs: the organisation's purposes, and after a refusal
    the error next to its field and what was chosen and typed."""
    return {"purposes": purposes_for(agent.organisation_id), "reveal_error": error.message if error else "",
            "reveal_error_at": error.field if error else "", "reveal_purpose": purpose, "reveal_reason": reason}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def message_personal_data(request: HttpRequest, ticket_id: int, message_id: int) -> HttpResponse:
    """Reveal the original text of a customer's message, with a purpose. GET: the form that asks why (a list of the
    organisation's purposes; "other" needs a written reason); ``?hide=1`` gives the masked text back. POST with
    ``purpose`` (and ``reason``): the reveal is recorded (a ``Reveal`` row and an audit entry, one transaction) and
    the original is sent — for this response only: any later render of the conversation is masked again.

    This is the single place where the inbox sends a message's personal data to a browser: the list, the thread,
    search and the customer card only ever get the redacted text. Agents, supervisors and admins may reveal within
    their scope; analysts get 403 (they never see the button); a ticket outside the agent's scope, another
    organisation's, or a message not on this ticket is 404. Not cached anywhere (``never_cache``).
    """
    agent = current_agent(request)
    ticket = visible_ticket_or_404(agent, ticket_id)
    message = get_object_or_404(Message, pk=message_id, conversation_id=ticket.conversation_id,
                                organisation=agent.organisation, direction="inbound")
    if not scope_for(agent).may_reveal:
        raise PermissionDenied("Analysts see messages with personal data masked.")
    context: dict[str, Any] = {"m": message, "ticket": ticket, "original": False, "read_only": False,
                               "may_reveal": True}
    url = reverse("inbox:message_personal_data", args=[ticket.pk, message.pk])
    context |= {"reveal_url": url, "cancel_url": f"{url}?hide=1", "reveal_id": f"reveal-m{message.pk}"}
    if request.method == "GET":
        if request.GET.get("hide") != "1":
            context |= {"asking": True, **reveal_form_context(agent)}
        return render(request, "inbox/_message_body.html", context)
    purpose, reason = request.POST.get("purpose", ""), request.POST.get("reason", "")
    try:
        do_reveal(agent, Target(RevealField.MESSAGE, ticket_id=ticket.pk, message_id=message.pk,
                                customer_id=ticket.customer_id), purpose, reason, request)
    except PurposeError as exc:
        context |= {"asking": True, **reveal_form_context(agent, exc, purpose, reason)}
        return render(request, "inbox/_message_body.html", context, status=422)
    return render(request, "inbox/_message_body.html", context | {"original": True})
