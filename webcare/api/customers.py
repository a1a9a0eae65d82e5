"""Customers: search, one customer with identities and history, edits, merge and split.

The list shows live customers only (a merged customer is a pointer to the one it went into, still readable by id so
old links resolve), sorted by name on the ``customer_org_name`` index with keyset pagination.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import BaseModel, ConfigDict, Field

from webcare.access.mask import mask_text
from webcare.access.models import RevealField
from webcare.access.reveal import Target
from webcare.api.auth import organisation
from webcare.api.errors import NotFound, get_or_404
from webcare.api.pagination import Cursor, Key, Limit, Ordering, paginate
from webcare.api.reveal import RevealParams, revealing
from webcare.api.schemas import (
    CustomerDetailOut,
    CustomerItemOut,
    CustomerPage,
    CustomerPatchIn,
    ErrorOut,
    HistoryOut,
    MergeIn,
    SplitIn,
)
from webcare.conversations.models import Conversation
from webcare.core.models import ChannelKind, Organisation
from webcare.customers.edit import do_edit_customer
from webcare.customers.merge import do_merge, do_split
from webcare.customers.models import Customer, CustomerHistory, Identity

router = Router(tags=["customers"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}

BY_NAME = Ordering("name", (Key("name", kind="str"), Key("id")))


class CustomerFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, min_length=1, max_length=255,
                          description="Part of the name, or of an identity's handle or platform id (any case).")
    identity: str | None = Field(default=None, min_length=1, max_length=255,
                                 description="An identity's exact platform id or handle.")


def customer_queryset() -> QuerySet[Customer]:
    return Customer.objects.prefetch_related(Prefetch("identities", queryset=Identity.objects.order_by("pk")))


@router.get("", response={200: CustomerPage, **ERRORS}, summary="Search customers")
def list_customers(request: HttpRequest, filters: Query[CustomerFilters], reveal: Query[RevealParams],
                   cursor: Cursor = None, limit: Limit = 50) -> CustomerPage:
    """Contact data masked; ``?reveal=<purpose>`` (tokens allowed to reveal) gives the originals, recorded."""
    org = organisation(request)
    queryset = customer_queryset().filter(organisation=org, merged_into__isnull=True)
    if filters.q is not None:
        # Exists, not a join: a customer with two matching identities must appear once, without DISTINCT.
        handles = Identity.objects.filter(customer=OuterRef("pk")).filter(
            Q(handle__icontains=filters.q) | Q(external_id__icontains=filters.q)
        )
        queryset = queryset.filter(Q(name__icontains=filters.q) | Exists(handles))
    if filters.identity is not None:
        # platform IN (every kind) lets the (organisation, platform, external_id) unique index answer by seeks.
        exact = Identity.objects.filter(customer=OuterRef("pk"), organisation=org).filter(
            Q(platform__in=ChannelKind.values, external_id=filters.identity) | Q(handle=filters.identity)
        )
        queryset = queryset.filter(Exists(exact))
    rows, next_cursor = paginate(queryset, BY_NAME, cursor, limit)
    shown = revealing(request, reveal, Target(RevealField.API_CUSTOMER), count=len(rows))
    return CustomerPage(items=[CustomerItemOut.from_customer(c, shown) for c in rows], next_cursor=next_cursor)


def customer_detail(org: Organisation, customer_id: int, reveal: bool = False) -> CustomerDetailOut:
    """One customer, masked unless ``reveal`` (the caller recorded the reveal)."""
    customer = get_or_404(customer_queryset(), organisation=org, pk=customer_id)
    history = CustomerHistory.objects.filter(Q(customer=customer) | Q(other=customer)).select_related("actor")
    item = CustomerItemOut.from_customer(customer, reveal)
    return CustomerDetailOut(
        **item.model_dump(exclude={"identities"}), identities=item.identities,
        notes=customer.notes if reveal else mask_text(customer.notes),
        conversations_count=Conversation.objects.filter(customer=customer).count(),
        history=[HistoryOut.from_history(h) for h in history.order_by("at", "id")],
    )


@router.get("/{customer_id}", response={200: CustomerDetailOut, **ERRORS}, summary="One customer")
def get_customer(request: HttpRequest, customer_id: int, reveal: Query[RevealParams]) -> CustomerDetailOut:
    """Contact data masked; ``?reveal=<purpose>`` (tokens allowed to reveal) gives the originals, recorded."""
    org = organisation(request)
    customer = get_or_404(Customer.objects.only("id"), organisation=org, pk=customer_id)
    shown = revealing(request, reveal, Target(RevealField.API_CUSTOMER, customer_id=customer.pk))
    return customer_detail(org, customer_id, shown)


@router.patch("/{customer_id}", response={200: CustomerDetailOut, **ERRORS}, summary="Edit a customer")
def patch_customer(request: HttpRequest, customer_id: int, payload: CustomerPatchIn) -> CustomerDetailOut:
    """The same rules and audit trail as the inbox's customer card (:func:`do_edit_customer`)."""
    org = organisation(request)
    customer = get_or_404(Customer.objects.all(), organisation=org, pk=customer_id)
    do_edit_customer(customer, None, payload.model_dump(include=payload.model_fields_set))
    return customer_detail(org, customer_id)


@router.post("/{customer_id}/merge", response={200: CustomerDetailOut, **ERRORS},
             summary="Merge another customer into this one")
def merge_customer(request: HttpRequest, customer_id: int, payload: MergeIn) -> CustomerDetailOut:
    """Everything of ``other`` (identities, conversations, tickets) moves here; ``other`` becomes a pointer."""
    org = organisation(request)
    target = get_or_404(Customer.objects.all(), organisation=org, pk=customer_id)
    source = Customer.objects.filter(organisation=org, pk=payload.other).first()
    if source is None:
        raise NotFound("other", "no such customer")
    do_merge(target, source, None)
    return customer_detail(org, customer_id)


@router.post("/{customer_id}/split", response={201: CustomerDetailOut, **ERRORS},
             summary="Split identities off into a new customer")
def split_customer(request: HttpRequest, customer_id: int, payload: SplitIn) -> Status[CustomerDetailOut]:
    """The identities, and the conversations they started, move to a new customer, which is returned."""
    org = organisation(request)
    customer = get_or_404(Customer.objects.all(), organisation=org, pk=customer_id)
    new, _ = do_split(customer, payload.identities, None)
    return Status(201, customer_detail(org, new.pk))
