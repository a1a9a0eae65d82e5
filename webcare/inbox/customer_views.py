"""The customer card's and the ticket links' htmx endpoints: edit the customer, page the timeline, merge, link.

Thin on purpose: each view finds the open ticket in the signed-in agent's organisation (another organisation's is a
404), calls one action — :func:`~webcare.customers.edit.do_edit_customer`, :func:`~webcare.customers.merge.do_merge`
or :func:`~webcare.tickets.actions.do_link` — and renders the card or the whole conversation pane. A refusal comes back
as 422 with the message next to the field at fault (the page's htmx config swaps 422 in like a success), and nothing
is stored. Successful changes send ``HX-Trigger: ticket-changed`` so the list refreshes; the actions publish the live
event that refreshes other agents' inboxes.

Need to know (webcare/access): the ticket must be in the agent's scope (else 404), and the card's contact details are
masked. "Show contact details" asks for a purpose (``reveal``) and records it before the card is sent unmasked; the
edit form shows the stored customer number and notes, so opening it is a reveal too when there are any.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from webcare.access.models import RevealField
from webcare.access.purposes import PurposeError
from webcare.access.reveal import Target, do_reveal
from webcare.access.scope import scope_for, visible_ticket_or_404, visible_tickets
from webcare.core.models import Agent, Role
from webcare.customers.edit import EDITABLE, MAX_LENGTHS, CustomerEditError, do_edit_customer
from webcare.customers.merge import check_merge, do_merge
from webcare.customers.models import Customer
from webcare.inbox import customer_card
from webcare.inbox.views import HtmxHttpRequest, _ticket_context, current_agent, reveal_form_context, works_tickets
from webcare.tickets.actions import ActionError, do_link
from webcare.tickets.models import Ticket


def _open_ticket(request: HttpRequest, ticket_id: int) -> tuple[Agent, Ticket]:
    agent = current_agent(request)
    return agent, visible_ticket_or_404(agent, ticket_id, Ticket.objects.select_related("customer"))


def _customer_of(ticket: Ticket) -> Customer:
    if ticket.customer is None:
        raise Http404("this ticket has no customer")
    return ticket.customer


def _back_to_inbox(ticket_id: int) -> HttpResponse:
    """Without htmx (a plain form post, a link opened in a new tab) the whole inbox with the ticket open."""
    return redirect(f"/inbox/?ticket={ticket_id}")


def _card(request: HttpRequest, ticket: Ticket, status: int = 200, revealed: bool = False,
          **extra: Any) -> HttpResponse:
    agent = current_agent(request)
    context = {"ticket": ticket, "card": customer_card.card(ticket, agent, revealed), "max_lengths": MAX_LENGTHS,
               "read_only": agent.role == Role.ANALYST, "may_reveal": scope_for(agent).may_reveal, **extra}
    response = render(request, "inbox/_customer.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


def _needs_reveal(customer: Customer) -> bool:
    """The edit form shows the stored customer number and notes: with any, opening it is a reveal."""
    return bool(customer.customer_number or customer.notes)


def _asking(agent: Agent, ticket: Ticket, next_step: str, error: PurposeError | None = None, purpose: str = "",
            reason: str = "") -> dict[str, Any]:
    """The card's state while it asks for the purpose of a reveal (``next_step``: "card" or "edit")."""
    url = reverse("inbox:customer_reveal", args=[ticket.pk])
    return {"asking": True, "reveal_url": url, "reveal_next": next_step, "reveal_id": f"reveal-c{ticket.pk}",
            "reveal_target": "#customer-card", "reveal_swap": "outerHTML",
            "cancel_url": reverse("inbox:customer", args=[ticket.pk]),
            **reveal_form_context(agent, error, purpose, reason)}


def _pane(request: HttpRequest, agent: Agent, ticket_id: int, error: str, **extra: Any) -> HttpResponse:
    """The whole conversation pane; on success the list is told to refresh too."""
    context = _ticket_context(request, agent, ticket_id, **extra)
    response = render(request, "inbox/_ticket.html", context, status=422 if error else 200)
    if not error:
        response["HX-Trigger"] = "ticket-changed"
    return response


@login_required
@require_GET
def card(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """The card as it is shown beside the conversation (also what "Cancel" on the edit form comes back to)."""
    _, ticket = _open_ticket(request, ticket_id)
    if not request.htmx:
        return _back_to_inbox(ticket_id)
    return _card(request, ticket)


def _edit_form(customer: Customer, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, purpose: str = "", reason: str = "") -> dict[str, Any]:
    """The edit form's state: the values in the fields, and (hidden) the stored values they started from, which
    :func:`do_edit_customer` compares with the row to refuse overwriting a colleague's change made meanwhile; and
    the purpose of the reveal that opened it, so a refusal that shows the stored values again is recorded too."""
    seen = {field: getattr(customer, field) for field in EDITABLE}
    return {"editing": True, "form_values": values or seen, "form_seen": seen, "form_errors": errors or {},
            "form_purpose": purpose, "form_reason": reason}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reveal(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Show the customer's contact details unmasked, for a purpose. GET: the card asking why. POST with ``purpose``
    (and ``reason``): recorded (a ``Reveal`` and an audit entry, one transaction), then the card unmasked — or, with
    ``next=edit``, the edit form with the stored values. Analysts: 403."""
    agent, ticket = _open_ticket(request, ticket_id)
    customer = _customer_of(ticket)
    if not scope_for(agent).may_reveal:
        raise PermissionDenied("Analysts see contact details masked.")
    next_step = "edit" if (request.POST.get("next") or request.GET.get("next")) == "edit" else "card"
    if request.method == "GET":
        return _card(request, ticket, **_asking(agent, ticket, next_step))
    purpose, reason = request.POST.get("purpose", ""), request.POST.get("reason", "")
    try:
        do_reveal(agent, Target(RevealField.CONTACT, ticket_id=ticket.pk, customer_id=customer.pk), purpose, reason,
                  request)
    except PurposeError as exc:
        return _card(request, ticket, status=422, **_asking(agent, ticket, next_step, exc, purpose, reason))
    if next_step == "edit":
        return _card(request, ticket, revealed=True, **_edit_form(customer, purpose=purpose, reason=reason))
    return _card(request, ticket, revealed=True, reveal_purpose=purpose, reveal_reason=reason)


def _reload(customer: Customer) -> Customer:
    customer.refresh_from_db(fields=list(EDITABLE))
    return customer


@login_required
@require_http_methods(["GET", "POST"])
@works_tickets
def edit(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """GET: the card with its name, customer number and notes as a form. POST: save the fields that changed."""
    agent, ticket = _open_ticket(request, ticket_id)
    customer = _customer_of(ticket)
    if request.method == "GET":
        if agent.role == Role.ANALYST:
            raise PermissionDenied("Analysts see customers read-only.")
        if not request.htmx:
            return _back_to_inbox(ticket_id)
        if _needs_reveal(customer):
            return _card(request, ticket, **_asking(agent, ticket, "edit"))
        return _card(request, ticket, **_edit_form(customer))
    posted = {field: request.POST[field] for field in EDITABLE if field in request.POST}
    seen = {field: request.POST[f"seen_{field}"] for field in posted if f"seen_{field}" in request.POST}
    # Only what the agent changed goes to the action: a field left alone never overwrites a colleague's edit.
    changes = {field: value for field, value in posted.items() if seen.get(field) != value}
    try:
        edits = do_edit_customer(customer, request.user, changes, expected=seen)
    except CustomerEditError as exc:
        return _refused_edit(request, agent, ticket, customer, posted, exc)
    except ActionError as exc:
        return _card(request, ticket, status=422, card_error=exc.message)
    if not request.htmx:
        return _back_to_inbox(ticket_id)
    response = _card(request, ticket, saved=bool(edits))
    response["HX-Trigger"] = "ticket-changed"  # the list shows the customer's name
    return response


def _refused_edit(request: HttpRequest, agent: Agent, ticket: Ticket, customer: Customer, posted: dict[str, str],
                  exc: CustomerEditError) -> HttpResponse:
    """The edit form again with the reasons, and the stored values re-read (a colleague may have changed them, and
    the message names the new value). Showing stored values is a reveal: it is recorded with the purpose the form
    carries from the reveal that opened it; without one (a forged post) the card stays masked."""
    customer = _reload(customer)
    purpose, reason = request.POST.get("purpose", ""), request.POST.get("reason", "")
    if _needs_reveal(customer):
        try:
            do_reveal(agent, Target(RevealField.CONTACT, ticket_id=ticket.pk, customer_id=customer.pk), purpose,
                      reason, request)
        except (PurposeError, PermissionDenied):
            return _card(request, ticket, status=422, card_error=_("Show the contact details first, then edit."))
    return _card(request, ticket, status=422, revealed=True,
                 **_edit_form(customer, posted, exc.errors, purpose=purpose, reason=reason))


@login_required
@require_GET
def timeline_more(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """The next page of the customer's earlier conversations, after the position in ``t`` and ``id``."""
    _, ticket = _open_ticket(request, ticket_id)
    customer = _customer_of(ticket)
    try:
        after = customer_card.parse_cursor(request.GET.get("t", ""), request.GET.get("id", ""))
    except ValueError:
        return HttpResponseBadRequest("bad timeline position")
    page = customer_card.timeline(customer, ticket.conversation_id, after, scope_for(current_agent(request)))
    return render(request, "inbox/_customer_timeline.html", {"ticket": ticket, "page": page})


@login_required
@require_GET
def merge_search(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Up to 10 customers of the organisation matching ``q``, to merge into the open ticket's customer."""
    _, ticket = _open_ticket(request, ticket_id)
    customer = _customer_of(ticket)
    query = request.GET.get("q", "")
    return render(request, "inbox/_customer_merge_results.html", {
        "ticket": ticket, "query": query.strip(), "results": customer_card.merge_candidates(customer, query)})


@login_required
@require_GET
def merge_confirm(request: HtmxHttpRequest, ticket_id: int, other_id: int) -> HttpResponse:
    """What merging ``other_id`` into this customer would move, and the button that does it — or why it can't be."""
    agent, ticket = _open_ticket(request, ticket_id)
    customer = _customer_of(ticket)
    source = get_object_or_404(Customer, pk=other_id, organisation=agent.organisation)
    try:
        check_merge(customer, source)
    except ActionError as exc:
        return render(request, "inbox/_customer_merge_confirm.html",
                      {"ticket": ticket, "merge_error": exc.message}, status=422)
    preview = customer_card.merge_preview(customer, source)
    return render(request, "inbox/_customer_merge_confirm.html",
                  {"ticket": ticket, "preview": preview, "moves": _moves(preview)})


@login_required
@require_POST
@works_tickets
def merge(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Merge the customer ``other`` into the open ticket's customer, which survives; then show the whole pane."""
    agent, ticket = _open_ticket(request, ticket_id)
    customer = _customer_of(ticket)
    raw = request.POST.get("other", "")
    source = Customer.objects.filter(pk=int(raw), organisation=agent.organisation).first() if raw.isdigit() else None
    error, done = "", ""
    try:
        if source is None:
            # The same answer for a customer of another organisation as for none at all: nothing leaks.
            raise ActionError("other", _("There is no such customer in your organisation."))
        preview = customer_card.merge_preview(customer, source)
        do_merge(customer, source, request.user)
        done = _moves(preview, done=True)
    except ActionError as exc:
        error = exc.message
    if not request.htmx:
        return _back_to_inbox(ticket_id)
    return _pane(request, agent, ticket_id, error, merge_error=error, merge_done=done)


def _moves(preview: customer_card.MergePreview, done: bool = False) -> str:
    """ "3 identities and 5 conversations of Ola N. move to Kari Nordmann." (or "moved", afterwards)."""
    values = {
        "identities": ngettext("%(count)d identity", "%(count)d identities", preview.identities)
        % {"count": preview.identities},
        "conversations": ngettext("%(count)d conversation", "%(count)d conversations", preview.conversations)
        % {"count": preview.conversations},
        "source": preview.source, "target": preview.target,
    }
    if done:
        return _("%(identities)s and %(conversations)s of %(source)s moved to %(target)s.") % values
    return _("%(identities)s and %(conversations)s of %(source)s move to %(target)s.") % values


@login_required
@require_POST
@works_tickets
def link(request: HtmxHttpRequest, ticket_id: int) -> HttpResponse:
    """Link the open ticket to ticket ``other`` as ``kind`` (this ticket is related to / a follow-up of / a duplicate
    of the other)."""
    agent, ticket = _open_ticket(request, ticket_id)
    raw = request.POST.get("other", "").strip().lstrip("#").strip()
    error = ""
    try:
        if not raw.isdigit():
            raise ActionError("other", _("Type the number of the ticket to link, such as 1234."))
        other = visible_tickets(agent).filter(pk=int(raw)).first()
        if other is None:
            raise ActionError("other", _("There is no ticket #%(number)s in your organisation.") % {"number": raw})
        do_link(ticket, other, request.POST.get("kind", ""), request.user)
    except ActionError as exc:
        error = exc.message
    if not request.htmx:
        return _back_to_inbox(ticket_id)
    return _pane(request, agent, ticket_id, error, link_error=error, link_other=raw if error else "",
                 link_kind=request.POST.get("kind", "") if error else "")
