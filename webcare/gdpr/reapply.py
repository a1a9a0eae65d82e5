"""``webcare gdpr reapply``: erase again, from a restored backup of the main database, everyone erased since.

Why it is needed: crypto-shredding makes a restored backup's encrypted texts unreadable (their keys are gone from the
keyring, which is backed up apart), but the backup still holds what is not encrypted — the customer's name, their
handles and platform ids, their tickets. The keyring's :class:`~webcare.keys.models.ErasedSubject` ledger lists every
erasure (customer ids and keyed hashes of the identifiers, nothing in clear), so after a restore each person in it is
found again and erased again: by their customer ids (ids survive a restore) and by the hashes (a person who wrote
again after the restore, under a new customer row). Running it twice erases nothing the second time.

Cost: one keyed hash per identity value of each organisation with erasures (a few per identity), then an erasure per
person still present.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from webcare.core.models import ChannelKind, Organisation
from webcare.customers.models import Customer, Identity
from webcare.gdpr.erase import apply, destroy_keys, prepare
from webcare.gdpr.find import organisation_region
from webcare.gdpr.identifiers import classify
from webcare.gdpr.models import RequestKind
from webcare.keys.hashing import identifier_hash
from webcare.keys.models import ErasedSubject
from webcare.webchat.models import ChatSession

ACTOR = "webcare gdpr reapply"


@dataclass
class Reapplied:
    """What one ledger row came to: the customers erased again (none: the database was already clean)."""

    ledger_id: int
    organisation_id: int
    customer_ids: list[int]
    counts: dict[str, int]


@dataclass
class ReapplyReport:
    ledger_rows: int = 0
    reapplied: list[Reapplied] = field(default_factory=list)
    #: Ledger rows of organisations that are not in this database (nothing to do for them).
    missing_organisations: int = 0

    @property
    def erased(self) -> list[Reapplied]:
        return [row for row in self.reapplied if row.customer_ids]

    def totals(self) -> dict[str, int]:
        total: dict[str, int] = defaultdict(int)
        for row in self.reapplied:
            for kind, count in row.counts.items():
                total[kind] += count
        return dict(total)


def hash_index(organisation: Organisation, region: str | None) -> dict[str, set[int]]:
    """Keyed hash → customer ids, for every identifier stored in the organisation's identities and web chats."""
    index: dict[str, set[int]] = defaultdict(set)

    def add(value: str, customer_id: int) -> None:
        for kind, normal in classify(value, region):
            index[identifier_hash(f"{kind}:{normal}")].add(customer_id)

    visitors: dict[str, int] = {}
    rows = Identity.objects.filter(organisation=organisation).values_list("customer_id", "platform", "external_id",
                                                                         "handle")
    for customer_id, platform, external_id, handle in rows.iterator(chunk_size=2000):
        add(external_id, customer_id)
        if handle:
            add(handle, customer_id)
        if platform == ChannelKind.WEBCHAT:
            visitors[external_id] = customer_id
    for visitor_id, email in ChatSession.objects.filter(channel__organisation=organisation).exclude(email="") \
            .values_list("visitor_id", "email"):
        if str(visitor_id) in visitors:
            add(email, visitors[str(visitor_id)])
    return index


def reapply(progress: Callable[[int, int], None] | None = None) -> ReapplyReport:
    """Erase again every person in the ledger who is (again) in this database; see the module docstring."""
    ledger = list(ErasedSubject.objects.order_by("erased_at", "pk"))
    report = ReapplyReport(ledger_rows=len(ledger))
    organisations = Organisation.objects.in_bulk({row.organisation_id for row in ledger})
    indexes: dict[int, dict[str, set[int]]] = {}
    for done, row in enumerate(ledger, start=1):
        organisation = organisations.get(row.organisation_id)
        if organisation is None:
            report.missing_organisations += 1
        else:
            report.reapplied.append(_reapply_one(organisation, row, indexes))
        if progress is not None:
            progress(done, len(ledger))
    return report


def _reapply_one(organisation: Organisation, row: ErasedSubject,
                 indexes: dict[int, dict[str, set[int]]]) -> Reapplied:
    region = organisation_region(organisation)
    if organisation.pk not in indexes:
        indexes[organisation.pk] = hash_index(organisation, region)
    index = indexes[organisation.pk]
    wanted = set(row.customer_ids)
    for value in row.identifier_hashes:
        wanted |= index.get(value, set())
    # The index is built once per organisation; rows erased for an earlier ledger row are gone from the table.
    found = set(Customer.objects.filter(organisation=organisation, pk__in=sorted(wanted)).values_list("pk", flat=True))
    if not found:
        destroy_keys(organisation.pk, list(row.customer_ids))  # idempotent: a key a crash left behind goes now
        return Reapplied(ledger_id=row.pk, organisation_id=organisation.pk, customer_ids=[], counts={})
    erasure = prepare(organisation, found, hashes=row.identifier_hashes)
    result = apply(erasure, actor_label=ACTOR, kind=RequestKind.REAPPLY, ledger=row)
    return Reapplied(ledger_id=row.pk, organisation_id=organisation.pk, customer_ids=result.customer_ids,
                     counts=result.counts)
