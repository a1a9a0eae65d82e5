"""What the inbox composer needs: the canned responses usable on a ticket, rendered for it, and the reply to send.

Why a module between the pure rules and the views: the composer template, the canned-response endpoint and the reply
view must agree on which responses an agent may use, what the variables are filled with and how a reply is signed.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from webcare.conversations.models import Direction, Message
from webcare.core.models import Agent
from webcare.customers.models import Identity
from webcare.replies import signature, variables
from webcare.replies.models import CannedResponse
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Ticket


def usable_responses(ticket: Ticket, agent: Agent) -> QuerySet[CannedResponse]:
    """The active responses of the ticket's organisation the agent may use on it: organisation-wide ones, the ticket
    team's and those of the agent's own teams; by title (conversations carry no language yet to put first)."""
    team_ids = list(agent.teams.values_list("pk", flat=True))
    if ticket.team_id:
        team_ids.append(ticket.team_id)
    return (CannedResponse.objects
            .filter(organisation_id=ticket.organisation_id, is_active=True)
            .filter(Q(team__isnull=True) | Q(team_id__in=team_ids))
            .order_by("title", "language", "pk"))


def _customer_display_names(ticket: Ticket) -> list[str]:
    """Display names the platforms gave: this conversation's latest writer first, then the customer's other
    handles."""
    names = list(Message.objects
                 .filter(conversation_id=ticket.conversation_id, direction=Direction.INBOUND,
                         author_identity__isnull=False)
                 .order_by("-sent_at", "-id").values_list("author_identity__display_name", flat=True)[:1])
    if ticket.customer_id:
        names += list(Identity.objects.filter(customer_id=ticket.customer_id).order_by("pk")
                      .values_list("display_name", flat=True))
    return names


def values_for(ticket: Ticket, user: Any) -> dict[str, str]:
    """The variables' values for ``user`` writing on ``ticket``; a value may be "" (the variable then stays)."""
    customer_name = ticket.customer.name if ticket.customer is not None else ""
    return {
        variables.CUSTOMER_FIRST_NAME: variables.customer_first_name(customer_name, _customer_display_names(ticket)),
        variables.AGENT_FIRST_NAME: variables.agent_first_name(user.first_name, user.get_username()),
        variables.TICKET_NUMBER: str(ticket.pk),
    }


def render_for(ticket: Ticket, agent: Agent, response: CannedResponse) -> str:
    return variables.render(response.body, values_for(ticket, agent.user))


def prepare_reply(ticket: Ticket, agent: Agent, text: str) -> str:
    """The text to send: refused while a known variable is unfilled, else signed once with the agent's signature."""
    missing = variables.unfilled(text)
    if missing:
        names = " and ".join(variables.placeholder(name) for name in missing)
        raise ActionError("text", f"fill in {names} before sending")
    return signature.sign(text, signature.signature_for(ticket, agent))
