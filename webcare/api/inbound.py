"""``POST /inbound``: hand webcare a message in its own format; it is stored raw and processed by the worker.

Why store-then-process: the answer (202) means "stored durably", never "processed", so a slow or failing processing
step can never lose a message or make the sender retry into duplicates. The body is validated with the same
:class:`MessageIn` the worker uses before anything is stored, so a message the worker would reject is refused here
with the fields named, and nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from webcare.api.auth import organisation
from webcare.api.errors import ApiError
from webcare.api.schemas import ErrorOut, InboundIn, InboundOut
from webcare.core.models import Channel, ChannelKind, Organisation
from webcare.ingest.models import EventSource
from webcare.ingest.receive import receive

router = Router(tags=["inbound"])

ENVELOPE_FIELDS = ("channel", "event_id")


def _channel(org: Organisation, slug: str | None) -> Channel:
    """The API channel to store under: the one named, else the organisation's first active one."""
    channels = Channel.objects.filter(organisation=org, kind=ChannelKind.API, is_active=True)
    if slug is not None:
        channel = channels.filter(slug=slug).first()
        if channel is None:
            raise ApiError(422, "invalid request", {"channel": f"no active API channel with slug {slug!r}"})
        return channel
    channel = channels.order_by("pk").first()
    if channel is None:
        raise ApiError(422, "invalid request", {"channel": "this organisation has no active API channel"})
    return channel


@router.post(
    "/inbound",
    response={202: InboundOut, 200: InboundOut, 400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Deliver an inbound (or platform-side outbound) message",
)
def post_inbound(request: HttpRequest, payload: InboundIn) -> Status[InboundOut]:
    """Store the message for processing: **202** `accepted`, or **200** `duplicate` when this delivery
    (``event_id``, default ``message_id``) was stored before. The message shows up once the worker has run."""
    channel = _channel(organisation(request), payload.channel)
    # Stored as sent (minus the envelope), not as re-serialised by pydantic: the raw event is the record of truth.
    raw: dict[str, Any] = json.loads(request.body)
    for name in ENVELOPE_FIELDS:
        raw.pop(name, None)
    event, created = receive(channel, raw, source=EventSource.API,
                             external_id=payload.event_id or payload.message_id)
    if created:
        return Status(202, InboundOut(event_id=event.pk, status="accepted"))
    return Status(200, InboundOut(event_id=event.pk, status="duplicate"))
