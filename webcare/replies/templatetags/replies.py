"""``{% composer_for ticket as composer %}``: the canned responses and the signature for the inbox composer.

A template tag rather than more context in the inbox views: the composer is included in every rendering of the
conversation pane (opening, after each action, after a collision), and this way all of them get the same data.
"""

from __future__ import annotations

from typing import Any

from django import template

from webcare.inbox.views import current_agent
from webcare.replies import compose, signature
from webcare.tickets.models import Ticket

register = template.Library()


@register.simple_tag(takes_context=True)
def composer_for(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    agent = current_agent(context["request"])
    return {
        "responses": list(compose.usable_responses(ticket, agent)),
        "signature": signature.signature_for(ticket, agent),
    }
