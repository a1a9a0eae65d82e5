"""``POST /tickets/{id}/protect``: hide personal data a customer posted in public and move them to private messages.

The same action as the inbox's "Hide and move to private" button (webcare/tickets/protect.py): the hides and both
messages are queued together or not at all; a refusal (no personal data in public, a platform without private
messages, a closed ticket) is a 400 naming ``ticket``. API tokens act as the system (actor None), so nothing is
signed; give ``private_text``/``public_note`` to send your own words instead of the prepared ones.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field

from webcare.api.auth import organisation
from webcare.api.errors import get_or_404
from webcare.api.schemas import ErrorOut, In, MessageOut, Out
from webcare.ingest.schema import MAX_TEXT
from webcare.tickets.models import Ticket
from webcare.tickets.protect import do_protect_public_pii

router = Router(tags=["tickets"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ProtectIn(In):
    private_text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT,
                                     description="The private message; default: the prepared one in the customer's "
                                                 "language and register.")
    public_note: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT,
                                    description="The public note under the comment; default: the prepared one.")


class ProtectOut(Out):
    hidden: list[int] = Field(description="Ids of the messages whose hide was queued.")
    cannot_hide: list[int] = Field(description="Ids of public messages with personal data the platform cannot hide: "
                                               "the private message asks the customer to delete them.")
    ask_customer_to_delete: bool
    language: str = Field(description="The language the prepared texts are in (the customer's, else English).")
    formality: str = Field(description="The register they are in: formal or informal (as in the triage results).")
    private_message: MessageOut
    public_note: MessageOut


@router.post("/{ticket_id}/protect", response={201: ProtectOut, **ERRORS},
             summary="Hide personal data posted in public and move the customer to private messages")
def protect_ticket(request: HttpRequest, ticket_id: int, payload: ProtectIn) -> Status[ProtectOut]:
    ticket = get_or_404(Ticket.objects.all(), organisation=organisation(request), pk=ticket_id)
    result = do_protect_public_pii(ticket, None, private_text=payload.private_text, public_note=payload.public_note)
    return Status(201, ProtectOut(
        hidden=result.hidden, cannot_hide=result.cannot_hide, ask_customer_to_delete=result.ask_customer_to_delete,
        language=result.language, formality=result.register,
        private_message=MessageOut.from_message(result.private_message),
        public_note=MessageOut.from_message(result.public_note)))
