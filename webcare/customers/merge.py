"""Merging two customers into one, and splitting identities off a customer into a new one.

Why here and nowhere else: a merge or split moves identities, conversations and tickets between customers, and each
move must be complete (never half a customer moved), recorded in :class:`CustomerHistory` with the exact ids that
moved (so it can be shown, audited and later undone), and safe when two people act on the same customers at once.
Both functions lock the customer rows first, re-check under the lock, and run in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from webcare.conversations.models import Conversation, Direction, Message
from webcare.customers.models import Customer, CustomerHistory, HistoryKind, Identity
from webcare.live import publish
from webcare.tickets.actions import ActionError
from webcare.tickets.models import EventKind, Ticket, TicketEvent


def _lock(*customers: Customer) -> dict[int, Customer]:
    """The current rows of ``customers``, locked in id order (a fixed order, so two merges cannot deadlock)."""
    ids = sorted({customer.pk for customer in customers})
    rows = Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {customer.pk: customer for customer in rows}


def check_merge(target: Customer, source: Customer) -> None:
    """Raise :class:`ActionError` when ``source`` cannot be merged into ``target``, judged on the rows as given.

    The one statement of the merge rules: :func:`do_merge` applies it to the locked rows, and the inbox applies it
    before asking "merge?", so a person is never asked to confirm a merge that would be refused.
    """
    if target.pk == source.pk:
        raise ActionError("other", "a customer cannot be merged into itself")
    if target.organisation_id != source.organisation_id:
        raise ActionError("other", "customers of different organisations cannot be merged")
    if source.merged_into_id is not None:
        raise ActionError("other", f"customer {source.pk} was already merged into customer {source.merged_into_id}")
    if target.merged_into_id is not None:
        raise ActionError("customer", f"customer {target.pk} was merged into customer {target.merged_into_id}; "
                                      "merge into that one instead")


def do_merge(target: Customer, source: Customer, actor: Any) -> CustomerHistory:
    """Merge ``source`` into ``target``: everything of ``source`` moves to ``target``; ``source`` stays as a pointer.

    Moves identities, conversations and tickets; each moved ticket's timeline gets a ``customer_merged`` row. The
    target's empty name and customer number (and notes) are filled from the source. Customers that had earlier been
    merged into ``source`` are re-pointed at ``target``, so ``merged_into`` is always one hop from a live customer.
    Refused: a customer into itself, across organisations, and from or into an already-merged customer. Open inboxes
    are told that every ticket of both customers changed.
    """
    check_merge(target, source)
    with transaction.atomic():
        rows = _lock(target, source)
        locked_target, locked_source = rows[target.pk], rows[source.pk]
        check_merge(locked_target, locked_source)  # again on the current rows: one may have been merged meanwhile
        now = timezone.now()
        identity_ids = list(Identity.objects.filter(customer=locked_source).order_by("pk").values_list("pk", flat=True))
        conversation_ids = list(
            Conversation.objects.filter(customer=locked_source).order_by("pk").values_list("pk", flat=True)
        )
        ticket_ids = list(Ticket.objects.filter(customer=locked_source).order_by("pk").values_list("pk", flat=True))
        # By owner rather than by the ids just read: the same rows in this transaction, and no list of ids in SQL.
        Identity.objects.filter(customer=locked_source).update(customer=locked_target)
        Conversation.objects.filter(customer=locked_source).update(customer=locked_target)
        Ticket.objects.filter(customer=locked_source).update(customer=locked_target)
        TicketEvent.objects.bulk_create([
            TicketEvent(ticket_id=ticket_id, kind=EventKind.CUSTOMER_MERGED, field="customer",
                        old=str(locked_source.pk), new=str(locked_target.pk), actor=actor, at=now)
            for ticket_id in ticket_ids
        ])
        Customer.objects.filter(merged_into=locked_source).update(merged_into=locked_target)

        for name in ("name", "customer_number", "notes"):
            if not getattr(locked_target, name) and getattr(locked_source, name):
                setattr(locked_target, name, getattr(locked_source, name))
        locked_target.updated_at = now
        locked_target.save(update_fields=["name", "customer_number", "notes", "updated_at"])
        locked_source.merged_into = locked_target
        locked_source.updated_at = now
        locked_source.save(update_fields=["merged_into", "updated_at"])
        history = CustomerHistory.objects.create(
            organisation_id=locked_target.organisation_id, kind=HistoryKind.MERGE, customer=locked_target,
            other=locked_source, identity_ids=identity_ids, conversation_ids=conversation_ids, actor=actor, at=now,
        )
        # Every ticket of both customers now shows another customer card: open inboxes refresh them.
        publish.tickets_changed(locked_target.organisation_id,
                                Ticket.objects.filter(customer=locked_target).values_list("pk", flat=True),
                                getattr(actor, "pk", None))
    for instance, locked in ((target, locked_target), (source, locked_source)):
        for field in Customer._meta.concrete_fields:
            setattr(instance, field.attname, getattr(locked, field.attname))
    return history


def do_split(customer: Customer, identity_ids: Iterable[int], actor: Any) -> tuple[Customer, CustomerHistory]:
    """Move some identities of ``customer`` to a new customer, with the conversations those identities started.

    A conversation moves when it belongs to ``customer`` and its first inbound message was written by one of the
    moved identities (the rule that set its customer in the first place); its tickets of ``customer`` move with it.
    Refused: no identities, an identity that is not this customer's, all of the customer's identities (that is a
    rename, not a split), and a customer that was merged away. Returns the new customer and the history row.
    """
    wanted = sorted({int(pk) for pk in identity_ids})
    if not wanted:
        raise ActionError("identities", "name at least one identity to split off")
    with transaction.atomic():
        locked = _lock(customer)[customer.pk]
        if locked.merged_into_id is not None:
            raise ActionError("customer", f"customer {customer.pk} was merged into customer {locked.merged_into_id}")
        own = {identity.pk: identity for identity in Identity.objects.filter(customer=locked).order_by("pk")}
        foreign = [pk for pk in wanted if pk not in own]
        if foreign:
            raise ActionError("identities", f"not identities of this customer: {', '.join(map(str, foreign))}")
        if len(wanted) == len(own):
            raise ActionError("identities", "cannot split off all of a customer's identities")
        now = timezone.now()
        first = own[wanted[0]]
        new = Customer.objects.create(
            organisation_id=locked.organisation_id,
            name=(first.display_name or first.handle or first.external_id)[:200], created_at=now, updated_at=now,
        )
        first_author = (
            Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.INBOUND)
            .order_by("sent_at", "id")
            .values("author_identity_id")[:1]
        )
        conversation_ids = list(
            Conversation.objects.filter(customer=locked)
            .annotate(first_author=Subquery(first_author))
            .filter(first_author__in=wanted)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Identity.objects.filter(pk__in=wanted).update(customer=new)
        Conversation.objects.filter(pk__in=conversation_ids).update(customer=new)
        Ticket.objects.filter(conversation_id__in=conversation_ids, customer=locked).update(customer=new)
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        history = CustomerHistory.objects.create(
            organisation_id=locked.organisation_id, kind=HistoryKind.SPLIT, customer=new, other=locked,
            identity_ids=wanted, conversation_ids=conversation_ids, actor=actor, at=now,
        )
        publish.tickets_changed(locked.organisation_id,
                                Ticket.objects.filter(customer__in=[locked, new]).values_list("pk", flat=True),
                                getattr(actor, "pk", None))
    customer.updated_at = locked.updated_at
    return new, history
