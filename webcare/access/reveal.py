"""Recording a reveal of personal data: :func:`do_reveal`, the only writer of :class:`Reveal`.

A reveal is a read, but one that must be provable: the row and the audit entry (``privacy.reveal``, with the
purpose and ids only — never the data, never the person's free-text reason, which may quote the customer) are
written in one transaction *before* the original is sent, so no original leaves the server unrecorded.

How long a reveal lasts: one response. The inbox swaps the original into the page where the masked text was; any
re-render of the conversation (a live update, opening the ticket again) shows the masked text, and "Hide personal
data" masks it at once. A second look is a second reveal, with its own purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from webcare.access.models import Reveal
from webcare.access.purposes import Purpose, choose, purposes_for
from webcare.access.scope import REVEALERS
from webcare.audit import log
from webcare.audit.actions import REVEAL
from webcare.core.models import Agent, ApiToken


@dataclass(frozen=True)
class Target:
    """What is revealed: one of the fields, with the ids it concerns (any may be None)."""

    field: str
    ticket_id: int | None = None
    message_id: int | None = None
    customer_id: int | None = None


def _record(organisation_id: int, purpose: Purpose, reason: str, target: Target, *, actor: Any, actor_label: str,
            api_token_id: int | None, request: HttpRequest | None, count: int | None) -> Reveal:
    with transaction.atomic():
        reveal = Reveal.objects.create(
            organisation_id=organisation_id, actor=actor, actor_label=actor_label[:150], api_token_id=api_token_id,
            field=target.field, ticket_id=target.ticket_id, message_id=target.message_id,
            customer_id=target.customer_id, purpose=purpose.key, purpose_label=purpose.label[:120], reason=reason,
            ip=log.client_ip(request),
        )
        detail: dict[str, Any] = {"field": target.field, "purpose": purpose.key, "reveal": reveal.pk,
                                  "reason_given": bool(reason)}
        if count is not None:
            detail["count"] = count
        log.record(REVEAL, organisation=organisation_id, actor=actor, actor_label=actor_label,
                   target=reveal.target or target.field, detail=detail, request=request)
    return reveal


def do_reveal(agent: Agent, target: Target, purpose_key: str, reason: str = "",
              request: HttpRequest | None = None) -> Reveal:
    """Record that ``agent`` reveals ``target`` for the purpose ``purpose_key`` (with ``reason`` where the purpose
    needs one). :class:`~webcare.access.purposes.PurposeError` when the purpose is missing, unknown or lacks its
    reason (nothing is written); ``PermissionDenied`` for an analyst. The caller checked the target is in the
    agent's scope."""
    if agent.role not in REVEALERS:
        raise PermissionDenied("Analysts never see personal data.")
    purpose, reason = choose(purposes_for(agent.organisation_id), purpose_key, reason)
    return _record(agent.organisation_id, purpose, reason, target, actor=agent.user,
                   actor_label=agent.user.get_username(), api_token_id=None, request=request, count=None)


def do_api_reveal(token: ApiToken, target: Target, purpose_key: str, reason: str = "",
                  request: HttpRequest | None = None, count: int | None = None) -> Reveal:
    """The same for an API token allowed to reveal (``ApiToken.can_reveal``); the caller checked the permission."""
    purpose, reason = choose(purposes_for(token.organisation_id), purpose_key, reason)
    return _record(token.organisation_id, purpose, reason, target, actor=None,
                   actor_label=f"api-token {token.prefix}…", api_token_id=token.pk, request=request, count=count)
