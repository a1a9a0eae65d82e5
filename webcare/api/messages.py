"""Actions on one message through its channel: retry a failed or uncertain reply, moderate a customer's message.

Both are queued like replies (webcare/channels/outbound.py) and carried out by the sender, so the answer is 202 with
the queued job; the message shows the outcome later (``delivery_status`` for a retry; ``hidden`` / ``deleted_at``
for moderation). API tokens act as the system (actor None), as on the ticket endpoints.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field

from webcare.api.auth import organisation
from webcare.api.errors import get_or_404
from webcare.api.schemas import ErrorOut, In, MessageOut, Out, message_queryset
from webcare.channels.base import Action
from webcare.channels.models import OutboundJob
from webcare.channels.outbound import OutboundError, do_moderate, do_retry
from webcare.conversations.models import Direction, Message
from webcare.tickets.actions import ActionError

router = Router(tags=["messages"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ModerateIn(In):
    action: Literal["hide", "unhide", "delete", "like"] = Field(
        description="hide / unhide: a public comment, for everyone but its author (Facebook, Instagram); delete: "
                    "for everyone, cannot be undone; like: as the brand. Only where the channel's platform can.")


class JobOut(Out):
    """A queued request to the platform and the message it is about, as it is now."""

    job_id: int
    action: str
    status: str = Field(description="pending → sent, or failed / uncertain (then see the message's delivery_error).")
    message: MessageOut

    @classmethod
    def from_job(cls, job: OutboundJob, message: Message) -> Self:
        return cls(job_id=job.pk, action=job.action, status=job.status, message=MessageOut.from_message(message))


def _message(request: HttpRequest, message_id: int) -> Message:
    return get_or_404(message_queryset(), organisation=organisation(request), pk=message_id)


def _queued(job: OutboundJob, message_id: int) -> Status[JobOut]:
    return Status(202, JobOut.from_job(job, message_queryset().get(pk=message_id)))


@router.post("/{message_id}/retry", response={202: JobOut, **ERRORS}, summary="Send a failed reply again")
def retry_message(request: HttpRequest, message_id: int) -> Status[JobOut]:
    """Queue a failed or uncertain reply again, exactly as it was first queued. For an uncertain one, check on the
    platform first: it may have been posted (the sender never repeats such a send by itself)."""
    message = _message(request, message_id)
    if message.direction != Direction.OUTBOUND:
        raise ActionError("message", "only the brand's replies are sent, so only they can be retried")
    try:
        job = do_retry(message, None)
    except OutboundError as exc:
        raise ActionError(exc.field, exc.message) from exc
    return _queued(job, message.pk)


@router.post("/{message_id}/moderate", response={202: JobOut, **ERRORS}, summary="Hide, unhide, delete or like")
def moderate_message(request: HttpRequest, message_id: int, payload: ModerateIn) -> Status[JobOut]:
    """Moderate a customer's message on its platform; refused (400, field named) where the platform cannot."""
    message = _message(request, message_id)
    if message.direction != Direction.INBOUND:
        raise ActionError("message", "only customers' messages can be moderated")
    try:
        job = do_moderate(Message.objects.select_related("channel", "conversation").get(pk=message.pk),
                          Action(payload.action), None)
    except OutboundError as exc:
        raise ActionError(exc.field, exc.message) from exc
    return _queued(job, message.pk)
