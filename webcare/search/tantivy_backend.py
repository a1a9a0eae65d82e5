"""The default search backend: a tantivy index (BM25, Snowball stemmers, fuzzy terms) in ``WEBCARE_SEARCH_DIR``.

**Schema.** One document per message. The masked text goes into a folded field (``text``: words lowercased and
ASCII-folded, stored for snippets) and, for the eight languages with a stemmer, into that language's field
(``text_nb`` … ``text_en``: lowercase → Snowball stemmer, applied twice → ASCII folding). Twice, because Snowball
removes one suffix per pass: Norwegian "fakturaen" → "faktura" but "faktura" → "faktur"; a second pass brings both
to "faktur" (and "storingen"/"storing" to "storing") while leaving words without a second suffix alone. Folding comes
after stemming because the stemmers know the suffixes with their diacritics. The customer's name and handles are a
folded ``names`` field. Filters are ``raw`` (untokenized) or integer fast fields, which is what tantivy's
aggregations count on.

**A query** is built from :func:`webcare.search.analysis.parse`: each word must match (in the folded text, in the
names, or as a stem in any language's field; a word of 4+ letters also within 1 edit, 8+ within 2, scored lower than
an exact match; the last word as a prefix while typing); each phrase must match as consecutive folded words; ``#123``
names tickets. Filters, the searcher's need-to-know and pending erasures are non-scoring clauses of the same query,
so totals and facet counts respect them. Facets are tantivy aggregations (terms; a daily date histogram folded into
months beyond 30 days); a filter that is set is left out of its own facet's count, so the other values stay visible
("disjunctive" facets).

**Processes.** tantivy allows one writer per index at a time (a lock file in the directory): the indexer holds it
(``webcare serve``'s thread or one ``webcare searchindex follow``); anything else that must write waits for it or
queues its change (erasures: :mod:`webcare.search.hooks`). Readers in any process reload when ``meta.json`` changes
(each commit rewrites it), so a search sees a commit within one request.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import tantivy
from tantivy import Filter, Occur, Query, TextAnalyzer, TextAnalyzerBuilder, Tokenizer

from webcare.search import analysis
from webcare.search.backend import NO_EXCLUSIONS, Exclusions, IndexDoc
from webcare.search.facets import date_buckets, sort_counts
from webcare.search.types import FACETS, FacetCount, Hit, SearchQuery, SearchResult

#: Bumped when the schema or the analyzers change: an index of another version is rebuilt.
SCHEMA_VERSION: Final = 1
LANGUAGES: Final = tuple(analysis.STEMMERS)
#: Memory for the writer's in-RAM segment before it is flushed (tantivy's minimum is 15 MB per thread).
WRITER_HEAP: Final = 64_000_000
FACET_SIZE: Final = 100
#: Scores of the clauses of one word, relative to an exact match of the folded word.
STEM_BOOST: Final = 0.9
NAME_BOOST: Final = 1.5
FUZZY_BOOST: Final = 0.3
PREFIX_BOOST: Final = 0.6

_INT_FIELDS: Final = ("id", "org", "ticket", "conversation", "customer", "team", "assignee")
_RAW_FIELDS: Final = ("channel", "language", "sentiment", "intent", "status")


class WriterBusy(RuntimeError):
    """Another process (the running indexer) holds the index's write lock."""


def _analyzers() -> dict[str, TextAnalyzer]:
    folded = TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.lowercase()).filter(Filter.ascii_fold()).build()
    found = {"folded": folded}
    for language, stemmer in analysis.STEMMERS.items():
        found[f"stem_{language}"] = (TextAnalyzerBuilder(Tokenizer.simple()).filter(Filter.lowercase())
                                     .filter(Filter.stemmer(stemmer)).filter(Filter.stemmer(stemmer))
                                     .filter(Filter.ascii_fold()).build())
    return found


ANALYZERS: Final = _analyzers()


@lru_cache(maxsize=65_536)
def stem(word: str, language: str) -> str:
    """``word`` as the ``language`` field indexes it ("" for a language without a stemmer); remembered, as
    snippets stem the same words over and over."""
    analyzer = ANALYZERS.get(f"stem_{language}")
    if analyzer is None:
        return ""
    tokens = analyzer.analyze(word)
    return tokens[0] if tokens else ""


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in _INT_FIELDS:
        builder.add_integer_field(name, stored=name in ("id", "ticket", "conversation", "customer"), indexed=True,
                                  fast=True)
    for name in _RAW_FIELDS:
        builder.add_text_field(name, stored=name in ("channel", "language"), fast=True, tokenizer_name="raw",
                               index_option="basic")
    builder.add_date_field("sent_at", stored=True, indexed=True, fast=True)
    builder.add_text_field("text", stored=True, tokenizer_name="folded")
    builder.add_text_field("names", stored=False, tokenizer_name="folded")
    for language in LANGUAGES:
        builder.add_text_field(f"text_{language}", stored=False, tokenizer_name=f"stem_{language}")
    return builder.build()


def _ms(value: datetime) -> datetime:
    """tantivy stores dates with microseconds; make them UTC-aware."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def to_document(doc: IndexDoc) -> tantivy.Document:
    fields: dict[str, Any] = {
        "id": doc.message_id, "org": doc.organisation_id, "ticket": doc.ticket_id,
        "conversation": doc.conversation_id, "customer": doc.customer_id or 0, "team": doc.team_id or 0,
        "assignee": doc.assignee_id or 0, "channel": doc.channel, "language": doc.language or "none",
        "sentiment": doc.sentiment or "none", "status": doc.status, "sent_at": _ms(doc.sent_at), "text": doc.text,
    }
    if doc.intents:
        fields["intent"] = list(doc.intents)
    if doc.names:
        fields["names"] = list(doc.names)
    if doc.language in analysis.STEMMERS:
        fields[f"text_{doc.language}"] = doc.text
    return tantivy.Document(**fields)


class TantivyIndex:
    """One open index directory: the index, its readers' freshness, and (when this process writes) its writer."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        path.mkdir(parents=True, exist_ok=True)
        version_file = path / "webcare-schema-version"
        if (path / "meta.json").exists() and (not version_file.exists()
                                              or version_file.read_text().strip() != str(SCHEMA_VERSION)):
            # Another version's index: start empty; the indexer sees an empty index with a cursor and rebuilds.
            for child in path.iterdir():
                if child.is_file():
                    child.unlink()
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        for name, analyzer in ANALYZERS.items():
            self.index.register_tokenizer(name, analyzer)
        version_file.write_text(str(SCHEMA_VERSION))
        self.index.config_reader(reload_policy="Manual")
        self._seen: tuple[int, ...] | None = None
        self._writer: tantivy.IndexWriter | None = None
        self.keep_writer = False

    # -- reading ---------------------------------------------------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        """A searcher on the newest commit (from any process): reloaded when ``meta.json`` changed."""
        try:
            meta = (self.path / "meta.json").stat()
            # tantivy replaces meta.json by a rename on every commit: a new inode, even within one clock tick.
            stamp: tuple[int, ...] = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
        except FileNotFoundError:
            stamp = ()
        if stamp != self._seen:
            self.index.reload()
            self._seen = stamp
        return self.index.searcher()

    # -- writing ---------------------------------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[tantivy.IndexWriter]:
        """The writer, taking the index's lock if this process does not hold it yet. With :attr:`keep_writer` (the
        indexer's loop) it is kept for the next pass; otherwise released at the end, so another process can write."""
        with self.lock:
            if self._writer is None:
                try:
                    self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
                except ValueError as exc:
                    if "LockBusy" in str(exc):
                        raise WriterBusy(
                            f"the search index in {self.path} is being written by another process (the indexer of "
                            "`webcare serve` or `webcare searchindex follow`)") from exc
                    raise
            try:
                yield self._writer
                self._seen = None  # this process's own commit: read it at once
            except BaseException:
                self._writer.rollback()
                raise
            finally:
                if not self.keep_writer:
                    self.release()

    def release(self) -> None:
        with self.lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None

    def size_bytes(self) -> int:
        return sum(entry.stat().st_size for entry in self.path.iterdir() if entry.is_file())


_open: dict[str, TantivyIndex] = {}
_open_lock = threading.Lock()


def open_index(path: str | os.PathLike[str]) -> TantivyIndex:
    """The process's one :class:`TantivyIndex` for ``path`` (tantivy wants one writer per directory, and readers are
    cheap to share). Opening another path closes the previous one (tests give each test its own directory)."""
    key = str(Path(path).resolve())
    with _open_lock:
        found = _open.get(key)
        if found is None:
            for other in list(_open):
                _open.pop(other).release()
            found = _open[key] = TantivyIndex(Path(key))
        return found


def close_all() -> None:
    with _open_lock:
        for key in list(_open):
            _open.pop(key).release()


# -- queries ----------------------------------------------------------------------------------------------------


def _const(query: Query) -> Query:
    return Query.const_score_query(query, 0.0)


def _term_any(schema: tantivy.Schema, field: str, values: Iterable[Any]) -> Query:
    values = list(dict.fromkeys(values))
    if len(values) == 1:
        return Query.term_query(schema, field, values[0])
    return Query.term_set_query(schema, field, values)


def _word_query(schema: tantivy.Schema, searcher: tantivy.Searcher | None, term: analysis.Term,
                languages: tuple[str, ...]) -> Query:
    """One typed word: any of its forms in the text, the names or a language's stemmed field. An exact term the
    index does not hold at all is left out (a dictionary lookup): fewer clauses to merge for every matching
    document, the same hits."""

    def held(field: str, value: str) -> bool:
        return searcher is None or searcher.doc_freq(field, value) > 0

    clauses: list[Query] = []
    for field, boost in (("text", 1.0), ("names", NAME_BOOST)):
        if held(field, term.folded):
            clauses.append(Query.boost_query(Query.term_query(schema, field, term.folded), boost))
        if term.prefix:
            clauses.append(Query.boost_query(
                Query.fuzzy_term_query(schema, field, term.folded, distance=0, prefix=True), PREFIX_BOOST))
        elif term.distance:
            clauses.append(Query.boost_query(
                Query.fuzzy_term_query(schema, field, term.folded, distance=term.distance), FUZZY_BOOST))
    for language in languages:
        stemmed = stem(term.typed, language)
        if stemmed and held(f"text_{language}", stemmed):
            clauses.append(Query.boost_query(Query.term_query(schema, f"text_{language}", stemmed), STEM_BOOST))
    if not clauses:
        return Query.empty_query()
    # A sum over the fields (BM25 "most fields"), not a disjunction max: measured ~40 % faster over a common word's
    # postings, and a word found exactly *and* as a stem ranks above one found only as a stem or a typo.
    return Query.boolean_query([(Occur.Should, clause) for clause in clauses])


def text_query(schema: tantivy.Schema, parsed: analysis.ParsedQuery, languages: tuple[str, ...],
               searcher: tantivy.Searcher | None = None) -> Query | None:
    """The scoring part of a query (None when nothing was typed)."""
    must: list[tuple[Occur, Query]] = [(Occur.Must, _word_query(schema, searcher, term, languages))
                                       for term in parsed.terms]
    for phrase in parsed.phrases:
        must.append((Occur.Must, Query.phrase_query(schema, "text", list(phrase))))
    if parsed.tickets:
        must.append((Occur.Must, Query.boost_query(_term_any(schema, "ticket", parsed.tickets), 2.0)))
    return Query.boolean_query(must) if must else None


def filter_clauses(schema: tantivy.Schema, query: SearchQuery, exclusions: Exclusions,
                   skip: str = "") -> list[tuple[Occur, Query]]:
    """The non-scoring clauses: organisation, filters (except ``skip``, for its own facet), visibility, erasures."""
    clauses: list[tuple[Occur, Query]] = [(Occur.Must, Query.term_query(schema, "org", query.organisation_id))]
    wanted: dict[str, tuple[Any, ...]] = {
        "channel": query.channels, "language": query.languages, "sentiment": query.sentiments,
        "intent": query.intents, "status": query.statuses,
        "team": tuple(pk or 0 for pk in query.team_ids), "assignee": tuple(pk or 0 for pk in query.assignee_ids),
    }
    for facet, values in wanted.items():
        if values and facet != skip:
            clauses.append((Occur.Must, _const(_term_any(schema, facet, values))))
    if (query.since or query.until) and skip != "date":
        clauses.append((Occur.Must, _const(Query.range_query(
            schema, "sent_at", tantivy.FieldType.Date, lower_bound=_ms(query.since) if query.since else None,
            upper_bound=_ms(query.until) if query.until else None, include_lower=True,
            include_upper=query.until is None))))
    if query.visibility is not None:
        seen = Query.boolean_query([
            (Occur.Should, _term_any(schema, "team", (0, *query.visibility.team_ids))),
            (Occur.Should, Query.term_query(schema, "assignee", query.visibility.user_id)),
        ])
        clauses.append((Occur.Must, _const(seen)))
    if exclusions.message_ids:
        clauses.append((Occur.MustNot, _term_any(schema, "id", sorted(exclusions.message_ids))))
    if exclusions.customer_ids:
        clauses.append((Occur.MustNot, _term_any(schema, "customer", sorted(exclusions.customer_ids))))
    return clauses


def _combine(scoring: Query | None, clauses: list[tuple[Occur, Query]]) -> Query:
    if scoring is None:
        return Query.boolean_query(clauses)
    return Query.boolean_query([(Occur.Must, scoring), *clauses])


def _languages(query: SearchQuery) -> tuple[str, ...]:
    """The stemmed fields worth asking: the filtered languages if any, else all eight."""
    chosen = tuple(language for language in query.languages if language in analysis.STEMMERS)
    return chosen or LANGUAGES


# -- facets ------------------------------------------------------------------------------------------------------

_AGG_FIELDS: Final = {"channel": "channel", "language": "language", "sentiment": "sentiment", "intent": "intent",
                      "status": "status", "team": "team", "assignee": "assignee"}


def _aggregation(facet: str) -> dict[str, Any]:
    if facet == "date":
        return {"date_histogram": {"field": "sent_at", "fixed_interval": "1d", "min_doc_count": 1}}
    return {"terms": {"field": _AGG_FIELDS[facet], "size": FACET_SIZE}}


def _facet_value(facet: str, key: Any) -> str:
    if facet in ("team", "assignee"):
        return "none" if int(key) == 0 else str(int(key))
    return str(key)


def facet_counts(facet: str, result: dict[str, Any], now: datetime) -> list[FacetCount]:
    buckets = result.get("buckets", [])
    if facet == "date":
        return date_buckets(((datetime.fromtimestamp(b["key"] / 1000, tz=UTC), int(b["doc_count"]))
                             for b in buckets if b["doc_count"]), now)
    counts = [FacetCount(_facet_value(facet, b["key"]), int(b["doc_count"])) for b in buckets if b["doc_count"]]
    return sort_counts(facet, counts)


def _filter_set(query: SearchQuery, facet: str) -> bool:
    if facet == "date":
        return bool(query.since or query.until)
    return bool({"channel": query.channels, "language": query.languages, "sentiment": query.sentiments,
                 "intent": query.intents, "status": query.statuses, "team": query.team_ids,
                 "assignee": query.assignee_ids}[facet])


class TantivyBackend:
    """The :class:`~webcare.search.backend.Backend` over one tantivy index directory."""

    name = "tantivy"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.store = open_index(path)
        self.schema = self.store.schema

    # -- writing ---------------------------------------------------------------------------------------------------

    def write(self, docs: Iterable[IndexDoc], *, replace_tickets: Iterable[int] = ()) -> int:
        docs = list(docs)
        with self.store.writer() as writer:
            for ticket_id in sorted(set(replace_tickets)):
                writer.delete_documents_by_term("ticket", ticket_id)
            for doc in docs:
                writer.delete_documents_by_term("id", doc.message_id)
            for doc in docs:
                writer.add_document(to_document(doc))
            writer.commit()
        return len(docs)

    def delete(self, *, ticket_ids: Iterable[int] = (), customer_ids: Iterable[int] = (),
               message_ids: Iterable[int] = ()) -> int:
        searcher = self.store.searcher()
        gone = 0
        with self.store.writer() as writer:
            for field, ids in (("ticket", ticket_ids), ("customer", customer_ids), ("id", message_ids)):
                for pk in sorted({int(pk) for pk in ids if pk}):
                    gone += searcher.doc_freq(field, pk)
                    writer.delete_documents_by_term(field, pk)
            writer.commit()
        return gone

    def clear(self) -> None:
        with self.store.writer() as writer:
            writer.delete_all_documents()
            writer.commit()

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        written = 0
        with self.store.writer() as writer:
            writer.delete_all_documents()
            for doc in docs:
                writer.add_document(to_document(doc))
                written += 1
            writer.commit()
        return written

    # -- reading ---------------------------------------------------------------------------------------------------

    def count(self, organisation_id: int | None = None) -> int:
        searcher = self.store.searcher()
        if organisation_id is None:
            return int(searcher.num_docs)
        found: Any = searcher.search(Query.term_query(self.schema, "org", organisation_id), 1, count=True)
        return int(found.count)

    def empty(self) -> bool:
        return int(self.store.searcher().num_docs) == 0

    def size_bytes(self) -> int:
        return self.store.size_bytes()

    def _scoring(self, query: SearchQuery, searcher: tantivy.Searcher) -> tuple[analysis.ParsedQuery, Query | None]:
        parsed = analysis.parse(query.text, prefix=query.prefix)
        return parsed, text_query(self.schema, parsed, _languages(query), searcher)

    def _run(self, searcher: tantivy.Searcher, full: Query, query: SearchQuery, limit: int,
             offset: int, scored: bool, count: bool = True) -> Any:
        if query.order == "newest" or not scored:
            return searcher.search(full, limit, count=count, order_by_field="sent_at", offset=offset,
                                   order=tantivy.Order.Desc)
        return searcher.search(full, limit, count=count, offset=offset)

    def search(self, query: SearchQuery, exclusions: Exclusions = NO_EXCLUSIONS) -> SearchResult:
        searcher = self.store.searcher()
        parsed, scoring = self._scoring(query, searcher)
        full = _combine(scoring, filter_clauses(self.schema, query, exclusions))
        found = self._run(searcher, full, query, query.limit, query.offset, scoring is not None)
        matcher = analysis.Matcher(parsed, {language: {s for t in parsed.terms if (s := stem(t.typed, language))}
                                            for language in _languages(query)}, _stem_word)
        hits = [self._hit(searcher, score, address, matcher, scoring is not None and query.order != "newest")
                for score, address in found.hits]
        facets = self._facets(searcher, scoring, query, exclusions, full) if query.facets else {}
        return SearchResult(hits=hits, total=int(found.count or 0), facets=facets)

    def _hit(self, searcher: tantivy.Searcher, score: Any, address: Any, matcher: analysis.Matcher,
             ranked: bool) -> Hit:
        doc: Any = searcher.doc(address)
        text = doc.get_first("text") or ""
        language = doc.get_first("language") or ""
        language = "" if language == "none" else language
        snippet, ranges = analysis.snippet(text, analysis.highlight(text, language, matcher))
        sent_at = doc.get_first("sent_at")
        ticket = doc.get_first("ticket") or None
        customer = doc.get_first("customer") or None
        return Hit(message_id=int(doc.get_first("id")), ticket_id=ticket, conversation_id=int(
            doc.get_first("conversation")), customer_id=customer, channel=doc.get_first("channel") or "",
            language=language, sent_at=_ms(sent_at), score=float(score) if ranked else 0.0, snippet=snippet,
            highlights=ranges)

    def _facets(self, searcher: tantivy.Searcher, scoring: Query | None, query: SearchQuery,
                exclusions: Exclusions, full: Query) -> dict[str, list[FacetCount]]:
        """One aggregation request for the facets whose filter is not set, one per facet whose filter is set (its
        own filter left out)."""
        now = datetime.now(UTC)
        shared = [facet for facet in ("channel", "language", "sentiment", "intent", "status", "team", "assignee",
                                      "date") if not _filter_set(query, facet)]
        results: dict[str, Any] = {}
        if shared:
            results |= searcher.aggregate(full, {facet: _aggregation(facet) for facet in shared})
        for facet in [f for f in ("channel", "language", "sentiment", "intent", "status", "team", "assignee",
                                  "date") if f not in shared]:
            loose = _combine(scoring, filter_clauses(self.schema, query, exclusions, skip=facet))
            results |= searcher.aggregate(loose, {facet: _aggregation(facet)})
        return {facet: facet_counts(facet, results.get(facet, {}), now) for facet in FACETS}

    def ranked_tickets(self, query: SearchQuery, limit: int, exclusions: Exclusions = NO_EXCLUSIONS) -> list[int]:
        searcher = self.store.searcher()
        _, scoring = self._scoring(query, searcher)
        full = _combine(scoring, filter_clauses(self.schema, query, exclusions))
        found = self._run(searcher, full, query, limit * 3, 0, scoring is not None, count=False)
        addresses = [address for _, address in found.hits]
        tickets = searcher.fast_field_values("ticket", addresses) if addresses else []
        ranked = [int(t) for t in dict.fromkeys(tickets) if t]
        return ranked[:limit]


def _stem_word(word: str, language: str) -> str:
    return stem(word, language)
