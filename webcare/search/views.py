"""The search page (``/search/``): one box over every channel, results as you type, filters with counts, and
"Save as inbox view".

What agents see is decided twice: the engine is given the agent's :class:`~webcare.search.types.Visibility` (so the
counts hold only tickets they may see) and every hit's ticket is looked up again through the need-to-know rule
(webcare/access/scope.py), which is never behind the index. Only masked text (``redacted_text``) is indexed, so every
role — analysts included — sees placeholders where personal data was.

The page works without JavaScript (a plain form and links); with htmx, typing swaps only the results
(``#results``), the count is announced from a live region outside them, and the address follows the search: replaced
while typing (one history entry per search, not per letter), pushed when a search is sent or a filter clicked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from webcare.access.mask import mask_contact
from webcare.access.scope import scope_for, visible_tickets
from webcare.conversations.models import Message
from webcare.core.models import Agent, ChannelKind, Role
from webcare.inbox import saved_searches
from webcare.inbox import search as language
from webcare.inbox.templatetags.triage import masked
from webcare.inbox.views import with_handles
from webcare.search import engine, forms
from webcare.search.types import Hit, SearchQueryError, SearchResult
from webcare.staff.access import role_page
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket

#: Every role searches (analysts too: the text is masked for everybody).
EVERYONE = frozenset(Role.values)
PAGE = 20
#: Paging stops here: past a few hundred results a person narrows the search instead.
MAX_OFFSET = 500
#: Sent by search.js with a request made while the person is still typing (the last word is a prefix).
TYPING_HEADER = "X-Search-Typing"


def highlight(snippet: str, ranges: tuple[tuple[int, int], ...]) -> SafeString:
    """The snippet as HTML with the matched words in ``<mark>``: each piece escaped first (the text is customer
    input), placeholders shown as chips like everywhere else, and only our own markup added. Ranges that overlap,
    touch or fall outside the snippet are merged and clipped."""
    spans: list[list[int]] = []
    for start, end in sorted(ranges):
        start, end = max(0, start), min(len(snippet), end)
        if start >= end:
            continue
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(masked(snippet[position:start]))
        out.append(f"<mark>{masked(snippet[start:end])}</mark>")
        position = end
    out.append(masked(snippet[position:]))
    return mark_safe("".join(out))  # noqa: S308 — every piece escaped by masked(); only <mark> added  # nosec B308 B703


@dataclass
class Row:
    """One hit as the page shows it."""

    hit: Hit
    ticket: Ticket
    message: Message | None
    channel_name: str
    status: str
    customer: str
    handle: str
    snippet: SafeString
    url: str


def _rows(me: Agent, hits: list[Hit], text: str) -> list[Row]:
    """The hits with their tickets and messages (three queries for the page), each ticket looked up through the
    need-to-know rule: a hit whose ticket the person may not see (an index a moment behind a team change) is left
    out. ``text`` is the search as the inbox reads it: the link opens the ticket beside the same search's list."""
    tickets = {t.pk: t for t in with_handles(list(
        visible_tickets(me, Ticket.objects.filter(pk__in={h.ticket_id for h in hits if h.ticket_id}))
        .select_related("customer", "conversation__channel")))}
    messages = Message.objects.filter(pk__in=[h.message_id for h in hits]).only(
        "id", "language", "sentiment_label", "intents", "register", "signals", "direction", "author_name", "profane")
    by_id = {m.pk: m for m in messages}
    inbox = reverse("inbox:inbox")
    rows = []
    for hit in hits:
        ticket = tickets.get(hit.ticket_id or 0)
        if ticket is None:
            continue  # only messages of tickets are indexed; this one is outside the person's scope now
        message = by_id.get(hit.message_id)
        customer = mask_contact(ticket.customer.name if ticket.customer else "", need_plus=False)
        if not customer and message is not None and message.direction == "inbound":
            customer = mask_contact(message.author_name, need_plus=False)
        rows.append(Row(
            hit=hit, ticket=ticket, message=message,
            channel_name=str(ChannelKind(hit.channel).label) if hit.channel in ChannelKind.values else hit.channel,
            status=str(forms.STATUSES.get(ticket.status, ticket.status)), customer=customer,
            handle=getattr(ticket, "handle", ""), snippet=highlight(hit.snippet, hit.highlights),
            url=f"{inbox}?{urlencode({'view': 'search', 'q': text, 'ticket': ticket.pk})}"))
    return rows


def _understood(text: str, names: forms.Names, me: Agent, typing: bool) -> tuple[forms.Understood, str]:
    """What was typed, understood; while typing, an unfinished last part is left out rather than shown as an
    error (``status:op``), and the error is shown once the search is sent."""
    try:
        return forms.understand(text, names, me.user_id), text
    except language.SearchError:
        if not typing:
            raise
        for candidate in forms.typed_prefix_fallbacks(text):
            try:
                return forms.understand(candidate, names, me.user_id), candidate
            except language.SearchError:
                continue
        raise


def search_context(me: Agent, data: Any, *, typing: bool = False) -> dict[str, Any]:
    """Everything the page and its partials show for the search in ``data`` (the query string, or the save form)."""
    path = reverse("search:search")
    text, order, offset = forms.parameters(data)
    offset = min(offset - offset % PAGE, MAX_OFFSET)
    context: dict[str, Any] = {"me": me, "text": text, "order": order, "orders": forms.ORDERS, "error": "",
                               "searched": False, "rows": [], "total": 0, "facet_groups": [], "active": [],
                               "offset": offset, "page_size": PAGE}
    if not text:
        return context
    names = forms.load_names(me.organisation_id)
    try:
        understood, ran = _understood(text, names, me, typing)
    except language.SearchError as exc:
        return context | {"error": str(exc)}
    if understood.search.is_empty:
        return context
    visibility = language.visibility_for(scope_for(me))
    query = forms.to_query(understood, me.organisation_id, visibility, order=order, limit=PAGE, offset=offset,
                           prefix=typing and ran == text and forms.still_typing_a_word(str(data.get("q", ""))))
    try:
        result: SearchResult = engine.search(query)
        if query.prefix and not result.total:
            # The last word may be finished but misspelt: a prefix is matched without typo tolerance.
            query = replace(query, prefix=False)
            result = engine.search(query)
    except SearchQueryError as exc:
        return context | {"error": str(exc)}
    rows = _rows(me, result.hits, language.to_text(understood.search))
    more = offset + PAGE < result.total and offset + PAGE <= MAX_OFFSET
    return context | {
        "searched": True, "rows": rows, "total": result.total,
        "facet_groups": forms.facet_groups(result.facets, understood, names, path=path, order=order),
        "active": forms.active_filters(understood, names, path=path, order=order),
        "more_url": f"{forms.search_url(path, text, order)}&offset={offset + PAGE}" if more else "",
        "first": offset + 1, "last": offset + len(result.hits), "can_save": ran == text,
    }


@require_safe
@role_page(read=EVERYONE, write=frozenset(), denied="Only the desk's staff search.")
def search_page(request: HttpRequest, me: Agent) -> HttpResponse:
    """The page, or with htmx only the part that changed: the results (``#results``, with the count and any error
    out of band) or the next page of hits (``#more``)."""
    htmx: HtmxDetails = request.htmx  # type: ignore[attr-defined]
    target = htmx.target if htmx and not htmx.history_restore_request else None
    partial = target in ("results", "more")
    typing = partial and request.headers.get(TYPING_HEADER) == "1"
    context = search_context(me, request.GET, typing=typing)
    if not partial:
        return render(request, "search/search.html", context)
    if target == "more":
        return render(request, "search/_hits.html", context)
    response = render(request, "search/_response.html", context)
    url = forms.search_url(reverse("search:search"), context["text"], context["order"])
    response["HX-Replace-Url" if typing else "HX-Push-Url"] = url
    return response


@require_POST
@role_page(read=EVERYONE, write=EVERYONE, denied="Only the desk's staff save searches.")
def save(request: HttpRequest, me: Agent) -> HttpResponse:
    """Save the search as an inbox view (the saved-search rules: a name per person, at most 30, the query must
    parse); then show it in the inbox. Refused: the page again with the reason beside the name, nothing stored."""
    text = str(request.POST.get("q", "")).strip()
    name = str(request.POST.get("name", ""))
    shared = request.POST.get("shared") == "on"
    try:
        saved = saved_searches.do_save(me.organisation, request.user, name, text, shared=shared)
    except ActionError as exc:
        context = search_context(me, request.POST) | {
            "save_error": exc.message, "save_error_at": exc.field, "save_name": name, "save_shared": shared}
        return render(request, "search/search.html", context, status=422)
    return redirect(f"{reverse('inbox:inbox')}?{urlencode({'view': f'saved:{saved.pk}'})}")

