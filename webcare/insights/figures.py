"""The topics view's database side: read a span's inbound messages once, count them (webcare/insights/topics.py),
remember the counts, and fetch the few example messages shown.

Why counting happens in Python and not in a GROUP BY: what a message is about comes from its words — keywords
with prefixes in eight languages, and salient terms stemmed per language by the choir's ``salient_terms`` — which SQL
cannot do the same way on SQLite and PostgreSQL. So the database does what it is good at — one range scan of the
organisation's inbound messages by ``sent_at`` on the existing partial index ``message_org_inbound``
(organisation, sent_at WHERE direction = 'inbound'), reading six narrow columns, plus one query for the labels of
those messages' tickets when a theme names labels — and the counts are kept small and remembered:

- a span is cut into whole local days, the whole hours of a day not over yet, and the running rest
  (webcare/insights/weeks.py ``pieces``); a **whole day**'s digest is stored (``DayDigest``: counted once, not
  again in every process or after a restart) and remembered for :data:`DAY_SECONDS` (an hour: labels an agent
  adds later, and late imports, show within the hour), a **whole hour**'s remembered as long, the **running rest**
  for :data:`RUNNING_SECONDS` (the page's "now" is rounded down to five minutes, so everybody within those five
  minutes asks for the same span);
- a span's digest is the sum of its pieces' (:func:`webcare.insights.topics.merge`), remembered as long as its
  running rest, and so is the view computed from two of them for each choice of filters and order;
- every key holds the organisation's themes version (webcare/insights/models.py), so a changed theme is counted
  afresh at once;
- whole days are normally stored before anybody looks, by the warm-up task (webcare/insights/warm.py); the page asks
  :func:`uncounted_days` first and, when those hold many messages, counts them in steps (:func:`count_days`) while
  showing its progress (webcare/insights/views.py) instead of counting a week while the supervisor waits.

Only ``redacted_text`` is read: personal data is masked before anything is counted or shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from webcare.conversations.models import Message
from webcare.core.models import Channel, Organisation
from webcare.insights import topics
from webcare.insights.defaults import ensure_default_themes
from webcare.insights.models import DayDigest, Theme, ThemeSetup
from webcare.insights.themes import CompiledTheme, ThemeSpec
from webcare.insights.topics import ALL, Digest, Filters, Row, TermsOf, View, count, merge
from webcare.insights.weeks import DAY, HOUR, Comparison, Span, pieces
from webcare.supervision.remember import WINDOW_SECONDS, remembered
from webcare.tickets.models import Ticket

RUNNING_SECONDS: Final = WINDOW_SECONDS
DAY_SECONDS: Final = 3600
#: The page's "now" is rounded down to this many seconds (so a running week's span is the same for five minutes).
ROUND_SECONDS: Final = WINDOW_SECONDS
CHUNK: Final = 2000
#: How webcare/supervision/remember.py names its cache keys (it offers no lookup without computing).
_REMEMBER_PREFIX: Final = "webcare:supervision:"
#: A stored day counted this long after it ended is final (labels added to its tickets and late imports have
#: settled); until then it is counted again after :data:`DAY_SECONDS`.
FINAL_AFTER: Final = timedelta(days=7)
#: Stored days older than this are deleted (the week picker offers 12 weeks, each compared with the one before).
KEEP: Final = timedelta(weeks=14)


def zone_of(org: Organisation) -> ZoneInfo:
    """The organisation's time zone (UTC when it names none or an unknown one): weeks and days are cut in it."""
    try:
        return ZoneInfo(org.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_remembered(key: str) -> bool:
    """Whether :func:`~webcare.supervision.remember.remembered` holds ``key`` now (in this process's cache)."""
    return cache.get(_REMEMBER_PREFIX + key) is not None


def remember(key: str, value: object, seconds: int) -> None:
    """Put ``value`` where :func:`~webcare.supervision.remember.remembered` finds it under ``key``."""
    cache.set(_REMEMBER_PREFIX + key, value, seconds)


def terms_function() -> TermsOf | None:
    """The choir's ``salient_terms`` (webcare/incidents/choir), or None where it is not installed: the view then
    shows defined themes only and says so."""
    try:
        from webcare.incidents.choir import salient_terms
    except ImportError:
        return None
    return salient_terms


@dataclass(frozen=True)
class ThemeSet:
    """The organisation's themes compiled for counting, and the version the remembered figures are keyed on."""

    version: int
    themes: tuple[CompiledTheme, ...]

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(label for theme in self.themes for label in theme.labels)


def theme_set(org: Organisation) -> ThemeSet:
    ensure_default_themes(org)
    version = ThemeSetup.objects.filter(organisation=org).values_list("version", flat=True).first() or 0
    themes = tuple(CompiledTheme.of(str(theme.pk), ThemeSpec(theme.name, tuple(theme.keywords), tuple(theme.labels),
                                                             tuple(theme.intents)))
                   for theme in Theme.objects.filter(organisation=org).order_by("name", "id"))
    return ThemeSet(version, themes)


def rounded_now(now: datetime) -> datetime:
    """``now`` rounded down to :data:`ROUND_SECONDS`."""
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % ROUND_SECONDS, tz=now.tzinfo)


def _messages(organisation_id: int, span: Span) -> QuerySet[Message]:
    return Message.objects.filter(organisation_id=organisation_id, direction="inbound", sent_at__gte=span.start,
                                  sent_at__lt=span.end, triaged_at__isnull=False)


def rows(organisation_id: int, span: Span, labels: frozenset[str] = frozenset()) -> Iterator[Row]:
    """The span's triaged inbound messages in the order they were sent, as :class:`Row`s (masked text only)."""
    in_span = _messages(organisation_id, span)
    by_ticket: dict[int, set[str]] = {}
    if labels:
        through = Ticket.labels.through
        for ticket_id, name in (through.objects.filter(label__organisation_id=organisation_id, label__name__in=labels,
                                                       ticket_id__in=in_span.values("ticket_id"))
                                .values_list("ticket_id", "label__name")):
            by_ticket.setdefault(ticket_id, set()).add(name)
    frozen = {ticket_id: frozenset(names) for ticket_id, names in by_ticket.items()}
    empty: frozenset[str] = frozenset()
    columns = ("id", "channel_id", "language", "sentiment_label", "intents", "redacted_text", "ticket_id")
    for pk, channel, language, sentiment, intents, text, ticket in (
            in_span.order_by("sent_at", "id").values_list(*columns).iterator(chunk_size=CHUNK)):
        yield Row(pk, channel, language or "", sentiment or "", tuple(intents or ()), text or "",
                  frozen.get(ticket, empty) if ticket is not None else empty)


def _key(organisation_id: int, themes: ThemeSet, terms: bool, span: Span, what: str) -> str:
    return (f"topics:{what}:{organisation_id}:v{themes.version}:{'terms' if terms else 'themes'}:"
            f"{int(span.start.timestamp())}:{int(span.end.timestamp())}")


def is_fresh(computed_at: datetime, day: Span, now: datetime) -> bool:
    """Whether a stored day counted at ``computed_at`` may be used at ``now``: counted within :data:`DAY_SECONDS`,
    or :data:`FINAL_AFTER` after the day ended (labels and late imports have settled by then, so it is never counted
    again)."""
    return now - computed_at < timedelta(seconds=DAY_SECONDS) or computed_at - day.end >= FINAL_AFTER


def store_day(organisation_id: int, span: Span, themes: ThemeSet, terms_of: TermsOf | None,
              now: datetime | None = None) -> Digest:
    """Count a whole day and store it as its :class:`DayDigest` (replacing an older count of it)."""
    now = now or timezone.now()
    digest = count(rows(organisation_id, span, themes.labels), themes.themes, terms_of)
    try:
        with transaction.atomic():
            DayDigest.objects.update_or_create(
                organisation_id=organisation_id, start=span.start, version=themes.version,
                with_terms=terms_of is not None,
                defaults={"end": span.end, "computed_at": now, "data": topics.to_json(digest)})
            DayDigest.objects.filter(organisation_id=organisation_id, start__lt=now - KEEP).delete()
    except IntegrityError:
        pass  # another process stored the same day at the same moment: its row is as good
    return digest


def _stored(organisation_id: int, span: Span, themes: ThemeSet, terms_of: TermsOf | None) -> Digest:
    """A whole day's digest from its :class:`DayDigest` row when that is fresh (:func:`is_fresh`), else counted and
    stored (:func:`store_day`)."""
    now = timezone.now()
    found = (DayDigest.objects.filter(organisation_id=organisation_id, start=span.start, version=themes.version,
                                      with_terms=terms_of is not None)
             .values_list("computed_at", "data").first())
    if found is not None and is_fresh(found[0], span, now):
        return topics.from_json(found[1])
    return store_day(organisation_id, span, themes, terms_of, now)


def fresh_days(organisation_id: int, days: Sequence[Span], themes: ThemeSet, terms_of: TermsOf | None,
               now: datetime, fresh: Callable[[datetime, Span, datetime], bool] = is_fresh) -> set[datetime]:
    """The starts of those of ``days`` stored for these themes and ``fresh`` (one query, without the data)."""
    by_start = {day.start: day for day in days}
    found = (DayDigest.objects.filter(organisation_id=organisation_id, start__in=list(by_start),
                                      version=themes.version, with_terms=terms_of is not None)
             .values_list("start", "computed_at"))
    return {start for start, computed_at in found if start in by_start and fresh(computed_at, by_start[start], now)}


def whole_days(comparison: Comparison, zone: ZoneInfo) -> list[Span]:
    """The whole local days of both spans the view sums, this span's first (each once)."""
    found: dict[datetime, Span] = {}
    for span in (comparison.this, comparison.last):
        for piece, kind in pieces(span, zone):
            if kind == DAY:
                found.setdefault(piece.start, piece)
    return list(found.values())


def uncounted_days(organisation_id: int, comparison: Comparison, zone: ZoneInfo, themes: ThemeSet,
                   terms_of: TermsOf | None) -> list[Span]:
    """The whole days of the comparison that a page would have to count now: neither remembered in this process nor
    stored fresh. Empty once the warm-up task (webcare/insights/warm.py) has stored them."""
    days = [day for day in whole_days(comparison, zone)
            if not is_remembered(_key(organisation_id, themes, terms_of is not None, day, DAY))]
    if not days:
        return []
    stored = fresh_days(organisation_id, days, themes, terms_of, timezone.now())
    return [day for day in days if day.start not in stored]


def messages_in(organisation_id: int, spans: Sequence[Span]) -> int:
    """How many messages counting ``spans`` would read (one indexed count): what decides whether a page counts them
    while it answers or shows its progress instead."""
    if not spans:
        return 0
    within = Q()
    for span in spans:
        within |= Q(sent_at__gte=span.start, sent_at__lt=span.end)
    return Message.objects.filter(within, organisation_id=organisation_id, direction="inbound",
                                  triaged_at__isnull=False).count()


def count_days(organisation_id: int, days: Sequence[Span], themes: ThemeSet, terms_of: TermsOf | None,
               budget: int, now: datetime | None = None, *, keep: bool = False) -> int:
    """Count and store ``days`` in order until about ``budget`` messages were counted (at least one day); with
    ``keep`` each is also remembered in this process, as the page would. Returns how many days were done."""
    done, counted = 0, 0
    for day in days:
        if done and counted >= budget:
            break
        digest = store_day(organisation_id, day, themes, terms_of, now)
        if keep:
            remember(_key(organisation_id, themes, terms_of is not None, day, DAY), digest, DAY_SECONDS)
        counted += messages_of(digest)
        done += 1
    return done


def messages_of(digest: Digest) -> int:
    """The messages a digest counted (spam left out)."""
    return sum(n for cell, n in digest.counts.items() if cell[0] == ALL)


def piece_digest(organisation_id: int, span: Span, kind: str, themes: ThemeSet, terms_of: TermsOf | None) -> Digest:
    """One piece of a span (webcare/insights/weeks.py ``pieces``), remembered: a whole day for :data:`DAY_SECONDS`
    and stored (:func:`_stored`), a whole hour of the running day for :data:`DAY_SECONDS`, the running rest for
    :data:`RUNNING_SECONDS`."""
    key = _key(organisation_id, themes, terms_of is not None, span, kind)
    if kind == DAY:
        return remembered(key, lambda: _stored(organisation_id, span, themes, terms_of), DAY_SECONDS)
    return remembered(key, lambda: count(rows(organisation_id, span, themes.labels), themes.themes, terms_of),
                      DAY_SECONDS if kind == HOUR else RUNNING_SECONDS)


def span_digest(organisation_id: int, span: Span, zone: ZoneInfo, themes: ThemeSet,
                terms_of: TermsOf | None) -> Digest:
    """A span's digest: the sum of its pieces', without its long tail of single mentions (``topics.prune``),
    remembered as long as its running rest."""
    def compute() -> Digest:
        return topics.prune(merge(piece_digest(organisation_id, piece, kind, themes, terms_of)
                                  for piece, kind in pieces(span, zone)))

    return remembered(_key(organisation_id, themes, terms_of is not None, span, "span"), compute, RUNNING_SECONDS)


def view(organisation_id: int, comparison: Comparison, zone: ZoneInfo, themes: ThemeSet, terms_of: TermsOf | None,
         filters: Filters, sort: str) -> tuple[View, frozenset[str]]:
    """The rows of the view for these spans, filters and order, and the languages of this span's messages (for the
    language filter) — remembered for :data:`RUNNING_SECONDS`: a page asked again within five minutes (by anybody,
    with the same choices) costs a lookup of a few kilobytes, not of the spans' digests."""
    def compute() -> tuple[View, frozenset[str]]:
        this = span_digest(organisation_id, comparison.this, zone, themes, terms_of)
        last = span_digest(organisation_id, comparison.last, zone, themes, terms_of)
        languages = frozenset(cell[3] for cell in this.counts if cell[0] == ALL and cell[3])
        return topics.compare(this, last, themes.themes, filters, sort), languages

    return remembered(view_key(organisation_id, comparison, themes, terms_of is not None, filters, sort), compute,
                      RUNNING_SECONDS)


def view_key(organisation_id: int, comparison: Comparison, themes: ThemeSet, terms: bool, filters: Filters,
             sort: str) -> str:
    return (f"{_key(organisation_id, themes, terms, comparison.this, 'view')}:"
            f"{int(comparison.last.end.timestamp())}:{filters.channel_id}:{filters.language}:{sort}")


@dataclass(frozen=True)
class Example:
    """One example message: masked text only."""

    id: int
    text: str
    channel: str
    language: str
    sentiment: str
    sent_at: datetime
    ticket_id: int | None


def examples(organisation_id: int, ids: set[int]) -> dict[int, Example]:
    """The example messages by id (one query); a message whose text has since been erased is left out."""
    if not ids:
        return {}
    found = (Message.objects.filter(organisation_id=organisation_id, pk__in=ids).exclude(redacted_text="")
             .values_list("id", "redacted_text", "channel__name", "language", "sentiment_label", "sent_at",
                          "ticket_id"))
    return {pk: Example(pk, text, channel, language, sentiment, sent_at, ticket)
            for pk, text, channel, language, sentiment, sent_at, ticket in found}


def channel_names(organisation_id: int) -> dict[int, str]:
    return dict(Channel.objects.filter(organisation_id=organisation_id).values_list("id", "name"))
