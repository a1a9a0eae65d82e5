"""Finding a person by anything they are known by, across every channel of one organisation.

Where a value can be: an identity (the platform's id, the handle, the display name), a customer (name, customer
number), a web chat session (the name and e-mail address a visitor typed), and the personal data triage found inside
messages (``Message.pii``). Message texts are encrypted at rest, so they cannot be searched in SQL: only for an
e-mail address or a phone number, only the organisation's messages in which triage found that *type* of personal data
(their ``redacted_text`` holds the placeholder) are decrypted and their spans compared. That costs one decryption
per such message — bounded by the organisation's messages with an address or number in them, not by all its
messages (docs/benchmarks.md).

A merged-away customer is followed to the customer it was merged into, and the merged-away rows come along: erasing
or exporting the person must cover all of them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from webcare.conversations.models import Message
from webcare.core.models import ChannelKind, Organisation
from webcare.customers.models import Customer, Identity
from webcare.gdpr.identifiers import EMAIL, PHONE, Identifier, parse_identifier, region_for, span_value
from webcare.webchat.models import ChatSession

#: The placeholder triage puts into ``redacted_text`` for each kind a message span can be searched for.
PLACEHOLDERS = {EMAIL: "[EMAIL]", PHONE: "[PHONE]"}


@dataclass(frozen=True)
class Reason:
    """What matched: ``field`` is one of the ``REASON_FIELDS`` keys; ``platform`` the identity's, if any."""

    field: str
    platform: str = ""
    count: int = 1


#: Reason fields, in the order they are shown.
REASON_FIELDS = ("identity.external_id", "identity.handle", "identity.display_name", "customer.number",
                 "customer.name", "webchat.email", "webchat.name", "message.pii")


@dataclass
class Match:
    """One person: the surviving customer, every customer row that is them (merged-away ones too), and why."""

    customer: Customer
    customer_ids: list[int]
    reasons: list[Reason]


@dataclass
class FindResult:
    identifier: Identifier
    organisation: Organisation
    matches: list[Match]
    #: Messages decrypted to compare their personal-data spans (the cost of the search).
    messages_scanned: int = 0
    #: Messages whose personal data holds the identifier, per customer id they belong to (author, else thread).
    message_ids: dict[int, list[int]] = field(default_factory=dict)


def organisation_region(organisation: Organisation) -> str | None:
    """The region national phone numbers are read in: the default opening hours' holiday country, else the
    organisation's first language's country."""
    from webcare.hours.models import OpeningHours

    country = (OpeningHours.objects.filter(organisation=organisation, team__isnull=True, channel__isnull=True)
               .values_list("holiday_country", flat=True).first())
    return region_for(country or "", organisation.languages or [])


def find(organisation: Organisation, raw: str, *, region: str | None = None) -> FindResult:
    """Everyone in ``organisation`` that ``raw`` identifies. Raises ``IdentifierError`` for an unusable value."""
    identifier = parse_identifier(raw, region or organisation_region(organisation))
    hits: dict[int, list[Reason]] = defaultdict(list)
    _identities(organisation, identifier, hits)
    _customers(organisation, identifier, hits)
    _chat_sessions(organisation, identifier, hits)
    scanned, message_ids = _messages(organisation, identifier, hits, region or organisation_region(organisation))
    matches = [Match(customer=group.customer, customer_ids=group.customer_ids,
                     reasons=_merged_reasons(hits, group.customer_ids))
               for group in groups(organisation.pk, hits)]
    return FindResult(identifier=identifier, organisation=organisation, matches=matches, messages_scanned=scanned,
                      message_ids=message_ids)


def _identity_condition(identifier: Identifier) -> Q:
    exact = {identifier.raw, identifier.text, "@" + identifier.text}
    if identifier.kind == EMAIL:
        exact.add(identifier.value)
    condition = Q()
    for value in sorted(exact):
        condition |= Q(external_id__iexact=value) | Q(handle__iexact=value)
    if identifier.kind == PHONE:
        condition |= Q(external_id__in=identifier.phone_forms) | Q(handle__in=identifier.phone_forms)
    if identifier.searches_names:
        condition |= Q(display_name__icontains=identifier.raw)
    return condition


def _identities(organisation: Organisation, identifier: Identifier, hits: dict[int, list[Reason]]) -> None:
    exact = {identifier.raw.casefold(), identifier.text, "@" + identifier.text, identifier.value}
    exact |= set(identifier.phone_forms)
    rows = Identity.objects.filter(_identity_condition(identifier), organisation=organisation)
    for identity in rows.only("customer_id", "platform", "external_id", "handle", "display_name"):
        if identity.external_id.casefold() in exact:
            hits[identity.customer_id].append(Reason("identity.external_id", identity.platform))
        if identity.handle and identity.handle.casefold() in exact:
            hits[identity.customer_id].append(Reason("identity.handle", identity.platform))
        if identifier.searches_names and identifier.raw.casefold() in identity.display_name.casefold():
            hits[identity.customer_id].append(Reason("identity.display_name", identity.platform))


def _customers(organisation: Organisation, identifier: Identifier, hits: dict[int, list[Reason]]) -> None:
    condition = Q(customer_number__iexact=identifier.raw) | Q(name__iexact=identifier.raw)
    if identifier.searches_names:
        condition |= Q(name__icontains=identifier.raw)
    for customer in Customer.objects.filter(condition, organisation=organisation).only("name", "customer_number"):
        if customer.customer_number and customer.customer_number.casefold() == identifier.raw.casefold():
            hits[customer.pk].append(Reason("customer.number"))
        if customer.name and identifier.raw.casefold() in customer.name.casefold():
            hits[customer.pk].append(Reason("customer.name"))


def _chat_sessions(organisation: Organisation, identifier: Identifier, hits: dict[int, list[Reason]]) -> None:
    condition = Q()
    if identifier.kind == EMAIL:
        condition |= Q(email__iexact=identifier.value)
    if identifier.searches_names:
        condition |= Q(name__icontains=identifier.raw)
    if not condition:
        return
    sessions = ChatSession.objects.filter(condition, channel__organisation=organisation)
    by_visitor = {str(s.visitor_id): s for s in sessions.only("visitor_id", "email", "name")}
    if not by_visitor:
        return
    identities = Identity.objects.filter(organisation=organisation, platform=ChannelKind.WEBCHAT,
                                         external_id__in=list(by_visitor))
    for identity in identities.only("customer_id", "external_id"):
        session = by_visitor[identity.external_id]
        if identifier.kind == EMAIL and session.email.lower() == identifier.value:
            hits[identity.customer_id].append(Reason("webchat.email", ChannelKind.WEBCHAT))
        if identifier.searches_names and identifier.raw.casefold() in session.name.casefold():
            hits[identity.customer_id].append(Reason("webchat.name", ChannelKind.WEBCHAT))


def pii_candidates(organisation_id: int, kind: str) -> object:
    """The organisation's messages in which triage found personal data of ``kind`` (a queryset): the only messages
    whose (encrypted) text is worth decrypting to look for an address or a number."""
    return Message.objects.filter(organisation_id=organisation_id, redacted_text__contains=PLACEHOLDERS[kind])


def messages_holding(organisation_id: int, kind: str, values: set[str], region: str | None,
                     hashes: frozenset[str] = frozenset()) -> tuple[int, dict[int, list[int]], set[str]]:
    """(messages decrypted, {message id: [span indexes]}, the values found) for the messages whose personal-data
    spans of ``kind`` hold one of ``values`` (normal forms) — or a value whose keyed hash is in ``hashes`` (how
    ``webcare gdpr reapply`` recognises a person it knows only by the ledger's hashes)."""
    found: dict[int, list[int]] = {}
    matched: set[str] = set()
    scanned = 0
    if kind not in PLACEHOLDERS or not (values or hashes):
        return scanned, found, matched
    if hashes:
        from webcare.keys.hashing import identifier_hash
    candidates = pii_candidates(organisation_id, kind)
    for message in candidates.only("id", "text", "pii").iterator(chunk_size=500):  # type: ignore[attr-defined]
        scanned += 1
        text = message.text or ""
        for index, span in enumerate(message.pii or []):
            try:
                start, end = int(span["start"]), int(span["end"])
            except (KeyError, TypeError, ValueError):
                continue
            value = span_value(kind, str(span.get("type", "")), str(span.get("kind", "")), text[start:end], region)
            if value is None:
                continue
            if value in values or (hashes and identifier_hash(f"{kind}:{value}") in hashes):
                found.setdefault(message.pk, []).append(index)
                matched.add(value)
    return scanned, found, matched


def _messages(organisation: Organisation, identifier: Identifier, hits: dict[int, list[Reason]],
              region: str | None) -> tuple[int, dict[int, list[int]]]:
    if identifier.kind not in PLACEHOLDERS:
        return 0, {}
    scanned, found, _ = messages_holding(organisation.pk, identifier.kind, {identifier.value}, region)
    per_customer: dict[int, list[int]] = defaultdict(list)
    rows = (Message.objects.filter(pk__in=list(found))
            .values_list("pk", "author_identity__customer_id", "conversation__customer_id"))
    for pk, author_customer, thread_customer in rows:
        owner = author_customer or thread_customer
        if owner is not None:
            per_customer[owner].append(pk)
    for customer_id, ids in per_customer.items():
        hits[customer_id].append(Reason("message.pii", count=len(ids)))
    return scanned, dict(per_customer)


@dataclass
class Group:
    customer: Customer
    customer_ids: list[int]


def groups(organisation_id: int, customer_ids: object) -> list[Group]:
    """The people behind ``customer_ids``: each surviving customer (merges followed) with every row merged into it,
    surviving customer first. Rows of other organisations are ignored."""
    wanted = {int(pk) for pk in customer_ids}  # type: ignore[attr-defined]
    if not wanted:
        return []
    parent: dict[int, int | None] = {}
    frontier = wanted
    while frontier:  # up: to the surviving rows
        rows = Customer.objects.filter(organisation_id=organisation_id, pk__in=frontier).values_list("pk",
                                                                                                  "merged_into_id")
        new = {}
        for pk, merged_into in rows:
            parent[pk] = merged_into
            if merged_into is not None and merged_into not in parent:
                new[merged_into] = True
        frontier = set(new) - set(parent)
    roots = {pk for pk, up in parent.items() if up is None}
    members: dict[int, set[int]] = {root: {root} for root in roots}
    owner = {root: root for root in roots}
    frontier = set(roots)
    while frontier:  # down: every row merged into them
        rows = Customer.objects.filter(organisation_id=organisation_id, merged_into_id__in=frontier).values_list(
            "pk", "merged_into_id")
        new_frontier = set()
        for pk, merged_into in rows:
            if pk in owner:
                continue
            owner[pk] = owner[merged_into]
            members[owner[pk]].add(pk)
            new_frontier.add(pk)
        frontier = new_frontier
    customers = Customer.objects.in_bulk(list(roots))
    return [Group(customer=customers[root], customer_ids=[root, *sorted(members[root] - {root})])
            for root in sorted(roots)]


def _merged_reasons(hits: dict[int, list[Reason]], customer_ids: list[int]) -> list[Reason]:
    counted: dict[tuple[str, str], int] = defaultdict(int)
    for pk in customer_ids:
        for reason in hits.get(pk, []):
            counted[(reason.field, reason.platform)] += reason.count
    order = {name: index for index, name in enumerate(REASON_FIELDS)}
    return [Reason(name, platform, count)
            for (name, platform), count in sorted(counted.items(), key=lambda item: (order[item[0][0]], item[0][1]))]


class NoMatch(LookupError):
    """Nobody in the organisation is known by the identifier."""


class Ambiguous(LookupError):
    """Several people are known by the identifier: the caller must choose one by customer id."""

    def __init__(self, matches: list[Match]) -> None:
        super().__init__(f"{len(matches)} people match: choose one by customer id "
                         f"({', '.join(str(m.customer.pk) for m in matches)})")
        self.matches = matches


def choose(result: FindResult, customer_id: int | None = None) -> Match:
    """The one person a request is about: the only match, or the match ``customer_id`` belongs to (any of its
    rows, merged-away ones too). :class:`NoMatch` / :class:`Ambiguous` otherwise."""
    if customer_id is not None:
        for match in result.matches:
            if customer_id in match.customer_ids:
                return match
        raise NoMatch(f"customer {customer_id} is not among the matches of this identifier")
    if not result.matches:
        raise NoMatch("no customer matches this identifier")
    if len(result.matches) > 1:
        raise Ambiguous(result.matches)
    return result.matches[0]
