"""Customers' names where deliveries carry only an id (Messenger and Instagram direct messages).

Why: an agent greets a person, not "3383290475046708", and canned responses fill in ``{customer_first_name}``.
The lookup is a platform call, so it is never made while a batch is stored: the pipeline step only queues one
``fetch_profile`` job per nameless customer (set-based, inside the batch's transaction), and the sender carries it out
after people's replies, with the usual retries. A name an agent has typed meanwhile is never overwritten.
A brand that wants no profile data asked for sets ``Channel.settings["lookup_profiles"] = false``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from webcare.channels.base import Action, Connector, SendError
from webcare.channels.models import OutboundJob
from webcare.channels.registry import connector_for
from webcare.conversations.models import Direction, Message
from webcare.core.models import Channel
from webcare.customers.models import Customer, Identity
from webcare.ingest.pipeline import Step
from webcare.ingest.store import StoreResult


class QueueProfileLookups(Step):
    """Queue a profile lookup for each customer of the batch who wrote a message but has no name yet, on channels
    whose connector can look profiles up. Demo (``simulate``) channels are connected to nothing and skipped."""

    name = "profiles"

    def run(self, batch: StoreResult) -> None:
        first_message: dict[int, Message] = {}
        for message in batch.messages:
            if message.direction == Direction.INBOUND and message.author_identity_id:
                first_message.setdefault(message.author_identity_id, message)
        if not first_message:
            return
        channels = Channel.objects.in_bulk({m.channel_id for m in first_message.values()})
        looks_up = {pk for pk, channel in channels.items() if not channel.settings.get("simulate")
                    and channel.settings.get("lookup_profiles", True) is not False
                    and (connector := connector_for(channel)) is not None and connector.fetches_profiles}
        if not looks_up:
            return
        nameless = set(Identity.objects.filter(pk__in=list(first_message), display_name="")
                       .values_list("pk", flat=True))
        now = timezone.now()
        jobs = [OutboundJob(organisation_id=message.organisation_id, channel_id=message.channel_id, message=message,
                            action=Action.FETCH_PROFILE, request={"identity_id": identity_id},
                            next_attempt_at=now, created_at=now)
                for identity_id, message in first_message.items()
                if identity_id in nameless and message.channel_id in looks_up]
        if jobs:
            from webcare.channels.sender import WAKE

            OutboundJob.objects.bulk_create(jobs, batch_size=500)
            transaction.on_commit(WAKE.set)


def _identity_id(job: OutboundJob) -> int:
    value: Any = (job.request or {}).get("identity_id")
    if not isinstance(value, int):
        raise SendError(f"profile job {job.pk} names no identity")
    return value


def fetch_and_store(job: OutboundJob, connector: Connector) -> None:
    """Ask the platform for the customer's name and keep it on their identity, their customer record (when that has
    no name) and their messages. Nothing is asked when someone has named them meanwhile."""
    identity = Identity.objects.filter(pk=_identity_id(job)).first()
    if identity is None or identity.display_name:
        return
    profile = connector.fetch_profile(identity.external_id)
    name, handle = profile.get("name", "").strip(), profile.get("handle", "").strip()
    if not name and not handle:
        return
    with transaction.atomic():
        identity = Identity.objects.select_for_update().get(pk=identity.pk)
        if identity.display_name:
            return
        identity.display_name = name[:255]
        identity.handle = identity.handle or handle[:255]
        identity.save(update_fields=["display_name", "handle"])
        shown = name or handle
        # A customer known only by the platform's id gets the name; one an agent named keeps theirs.
        Customer.objects.filter(pk=identity.customer_id, name__in=["", identity.external_id]).update(
            name=shown[:200], updated_at=timezone.now())
        Message.objects.filter(author_identity=identity, author_name__in=["", identity.external_id]).update(
            author_name=shown[:255])
        ticket_id = Message.objects.filter(pk=job.message_id).values_list("ticket_id", flat=True).first()
        if ticket_id:
            from webcare.live import publish

            publish.tickets_changed(job.organisation_id, [ticket_id], None)
