"""``/hooks/<key>/``: where platforms deliver. One view for every connector, so the rules hold for all of them:

- past the rate limits (per client address, per channel; webcare/security/ratelimit.py) the answer is **429** with
  ``Retry-After``, before anything is read: the platform delivers again later;
- a GET is the platform's URL verification (Meta's ``hub.challenge``, X's CRC), answered by the connector;
- a POST is verified first (signature over the exact bytes): a wrong or missing signature gets **401** and is logged
  without its payload — nothing of it is stored;
- a verified body the connector cannot read gets **400** naming what is wrong, and nothing is stored;
- everything the delivery says is stored as raw inbound events in one transaction, and only then is **200** sent;
  a platform's retry of the same delivery stores nothing new (the events' ids are unique per channel).
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from webcare.channels.base import BadSignature, Connector, Delivery, Malformed
from webcare.channels.inbound import store_items
from webcare.channels.registry import connector_for
from webcare.core.models import Channel
from webcare.ingest.models import EventSource
from webcare.security import ratelimit

logger = logging.getLogger("webcare.channels")


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "?")


def _channel(key: str) -> Channel | None:
    """The active channel with this webhook key. ``get`` rather than ``first``: ``first`` adds the model's ORDER BY,
    which cost more than the lookup itself on this, the hottest path of a storm."""
    try:
        return Channel.objects.get(webhook_key=key, is_active=True)
    except Channel.DoesNotExist:
        return None


@csrf_exempt
def webhook(request: HttpRequest, key: str) -> HttpResponse:
    # Rate limits first (429 + Retry-After: the platform retries, nothing is lost); per address before any query.
    limited = ratelimit.refuse_address("hooks.address", request)
    if limited is not None:
        return limited
    channel = _channel(key)
    connector = connector_for(channel) if channel is not None else None
    if channel is None or connector is None or not connector.webhook:
        return JsonResponse({"error": "no active channel takes deliveries at this address"}, status=404)
    limited = ratelimit.refuse("hooks.channel", str(channel.pk))
    if limited is not None:
        return limited
    try:
        delivery = Delivery.from_request(request)
    except RequestDataTooBig:
        return JsonResponse({"error": "body too large"}, status=413)
    if request.method not in ("GET", "POST"):
        return JsonResponse({"error": f"method {request.method} not allowed; platforms GET to verify, POST to deliver"},
                            status=405)
    try:
        if request.method == "GET":
            answer = connector.handshake(delivery)
            if answer is None:
                return JsonResponse({"error": "not a verification request for this platform"}, status=400)
            logger.info("webhook verification answered for channel %s", channel.slug)
            return answer
        connector.verify(delivery)
    except BadSignature as exc:
        # The payload is deliberately not logged: it is unauthenticated and may carry anyone's personal data.
        logger.warning("webhook refused for channel %s from %s: %s (%d bytes, not stored)", channel.slug,
                       _client(request), exc, len(delivery.body))
        return JsonResponse({"error": f"signature check failed: {exc}"}, status=401)
    try:
        with transaction.atomic():  # this channel's items and its siblings': all stored, or none and no 200
            stored = store_items(channel, connector.parse(delivery), source=EventSource.WEBHOOK)
            for sibling, items in _siblings_items(channel, connector, delivery):
                more = store_items(sibling, items, source=EventSource.WEBHOOK)
                stored.created += more.created
                stored.duplicates += more.duplicates
    except Malformed as exc:
        logger.warning("webhook body refused for channel %s: %s (not stored)", channel.slug, exc)
        return JsonResponse({"error": f"malformed delivery: {exc}"}, status=400)
    return JsonResponse({"stored": stored.created, "duplicates": stored.duplicates})


def _siblings_items(channel: Channel, connector: Connector, delivery: Delivery) -> list[tuple[Channel, list]]:
    """The parts of a delivery for other accounts, parsed by the organisation's channels for those accounts.

    A Meta app has one callback URL for all the pages (or numbers) it serves, so one page's URL receives the others'
    events too. Each sibling checks the signature with its own secret before its part is taken; an account no active
    channel of the organisation serves is left out (logged by the connector)."""
    wanted = connector.other_accounts(delivery)
    if not wanted:
        return []
    found = []
    siblings = Channel.objects.filter(organisation_id=channel.organisation_id, kind=channel.kind, is_active=True)
    for sibling in siblings.exclude(pk=channel.pk):
        other = connector_for(sibling)
        if other is None or other.account_id not in wanted:
            continue
        try:
            other.verify(delivery)
        except BadSignature as exc:
            logger.warning("webhook part for channel %s refused: %s", sibling.slug, exc)
            continue
        found.append((sibling, other.parse(delivery)))
    return found
