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

**Speed at 10M documents.** With facets, the page of hits is a top-k search that does not count, and the exact
total comes from the facets' aggregation pass, which does not score (counting inside the top-k search made tantivy
score every match). Several set filters among channel, language, sentiment and status are counted in one pass over
every combination of their values, not one pass each. When the index holds one organisation (the list beside
``meta.json``), its clause is left out: it matches everything yet led every intersection. Multi-valued filters are
unions of terms, not term sets (a term set reads all postings of its values first). A word the messages hold in
:data:`TYPO_SKIP_DOCS` or more is not also looked for with typos, so a common word alone is a union of terms that
tantivy can skip through.

**Processes.** tantivy allows one writer per index at a time (a lock file in the directory): the indexer holds it
(``webcare serve``'s thread or one ``webcare searchindex follow``); anything else that must write waits for it or
queues its change (erasures: :mod:`webcare.search.hooks`). Readers in any process reload when ``meta.json`` changes
(each commit rewrites it), so a search sees a commit within one request.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Collection, Iterable, Iterator
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
#: A word the index holds exactly in at least this many messages (of a field) is not also looked for with typos
#: there: its own matches fill many pages, misspellings of it would rank below them (FUZZY_BOOST) anyway, and a typo
#: clause over a common word reads every posting of every nearby term — at 10M messages more than half of a common
#: word's query time — and keeps the engine from skipping (block-WAND). Typesense's ``typo_tokens_threshold`` and
#: Algolia's minimum-typo ranking make the same trade. A misspelt word (held rarely or not at all) keeps its typos.
TYPO_SKIP_DOCS: Final = 1_000
PREFIX_BOOST: Final = 0.6

#: The organisations with documents in the index (a JSON list beside ``meta.json``), kept by the writer: when it
#: holds only the searching organisation, the organisation clause matches every document and is left out.
ORGANISATIONS_FILE: Final = "webcare-organisations.json"

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
        self._organisations: frozenset[int] | None = None
        self._read_lock = threading.Lock()
        self._writer: tantivy.IndexWriter | None = None
        self.keep_writer = False

    # -- reading ---------------------------------------------------------------------------------------------------

    def searcher(self) -> tantivy.Searcher:
        """A searcher on the newest commit (from any process): reloaded when ``meta.json`` changed."""
        return self.reader()[0]

    def reader(self) -> tuple[tantivy.Searcher, frozenset[int] | None]:
        """A searcher on the newest commit and the organisations that may have documents in it (None: unknown).

        The list is read *after* the reload, and the writer writes it *before* each commit, so it always covers
        the commit the searcher sees (it may name more: an organisation whose documents were deleted)."""
        with self._read_lock:
            try:
                meta = (self.path / "meta.json").stat()
                # tantivy replaces meta.json by a rename on every commit: a new inode, even within one clock tick.
                stamp: tuple[int, ...] = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
            except FileNotFoundError:
                stamp = ()
            if stamp != self._seen:
                self.index.reload()
                self._organisations = self.read_organisations()
                self._seen = stamp
            return self.index.searcher(), self._organisations

    def read_organisations(self) -> frozenset[int] | None:
        try:
            return frozenset(int(pk) for pk in json.loads((self.path / ORGANISATIONS_FILE).read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return None

    def write_organisations(self, organisations: Iterable[int]) -> None:
        """Replace the list (only while holding the writer, and before the commit that adds an organisation)."""
        temporary = self.path / f"{ORGANISATIONS_FILE}.tmp"
        temporary.write_text(json.dumps(sorted(set(organisations))))
        temporary.replace(self.path / ORGANISATIONS_FILE)

    def _list_organisations(self) -> None:
        """An index without the list (made before it existed): count its organisations once, holding the writer, so
        no other process adds one meanwhile."""
        if self.read_organisations() is not None:
            return
        self.index.reload()
        counts: Any = self.index.searcher().aggregate(Query.all_query(), {"org": {"terms": {"field": "org",
                                                                                              "size": 10_000}}})
        if int(counts["org"].get("sum_other_doc_count", 0)) == 0:
            self.write_organisations(int(b["key"]) for b in counts["org"].get("buckets", []))
        self._seen = None

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
                self._list_organisations()
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


def _any_of(schema: tantivy.Schema, field: str, values: Iterable[Any]) -> Query:
    """A filter's few values as a union of term queries rather than a term set: a term set reads every posting of
    its values into a bitset first (millions for a common language), a union is only advanced to the documents the
    words match."""
    values = list(dict.fromkeys(values))
    if len(values) == 1:
        return Query.term_query(schema, field, values[0])
    return Query.boolean_query([(Occur.Should, Query.term_query(schema, field, value)) for value in values])


def with_typos(searcher: tantivy.Searcher | None, term: analysis.Term) -> bool:
    """Whether a typed word is also looked for with typos: long enough to have a typo distance, and not a word the
    messages already hold in :data:`TYPO_SKIP_DOCS` or more (then in no field: a typo clause on the names alone
    would still keep the engine from skipping)."""
    if term.prefix or not term.distance:
        return False
    return searcher is None or searcher.doc_freq("text", term.folded) < TYPO_SKIP_DOCS


def _word_query(schema: tantivy.Schema, searcher: tantivy.Searcher | None, term: analysis.Term,
                languages: tuple[str, ...]) -> Query:
    """One typed word: any of its forms in the text, the names or a language's stemmed field. An exact term the
    index does not hold at all is left out (a dictionary lookup): fewer clauses to merge for every matching
    document, the same hits."""

    def held(field: str, value: str) -> bool:
        return searcher is None or searcher.doc_freq(field, value) > 0

    typos = with_typos(searcher, term)
    clauses: list[Query] = []
    for field, boost in (("text", 1.0), ("names", NAME_BOOST)):
        if held(field, term.folded):
            clauses.append(Query.boost_query(Query.term_query(schema, field, term.folded), boost))
        if term.prefix:
            clauses.append(Query.boost_query(
                Query.fuzzy_term_query(schema, field, term.folded, distance=0, prefix=True), PREFIX_BOOST))
        elif typos:
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
    if len(must) == 1:
        return must[0][1]  # one word: its union of terms itself, which tantivy can prune (see _combine)
    return Query.boolean_query(must) if must else None


def filter_clauses(schema: tantivy.Schema, query: SearchQuery, exclusions: Exclusions,
                   skip: Collection[str] = (), whole_index: bool = False) -> list[tuple[Occur, Query]]:
    """The non-scoring clauses: organisation, filters (except those in ``skip``, for their own facets), visibility,
    erasures.

    ``whole_index``: every document is the organisation's, so its clause is left out. It would match everything
    and still cost the most: its postings (every document) lead the intersection, and a query with it is no
    longer a plain union of terms, which tantivy's top-k pruning (block-WAND) needs."""
    clauses: list[tuple[Occur, Query]] = []
    if not whole_index:
        clauses.append((Occur.Must, Query.term_query(schema, "org", query.organisation_id)))
    wanted: dict[str, tuple[Any, ...]] = {
        "channel": query.channels, "language": query.languages, "sentiment": query.sentiments,
        "intent": query.intents, "status": query.statuses,
        "team": tuple(pk or 0 for pk in query.team_ids), "assignee": tuple(pk or 0 for pk in query.assignee_ids),
    }
    for facet, values in wanted.items():
        if values and facet not in skip:
            clauses.append((Occur.Must, _const(_any_of(schema, facet, values))))
    if (query.since or query.until) and "date" not in skip:
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


def _prunable(parsed: analysis.ParsedQuery, clauses: list[tuple[Occur, Query]], searcher: tantivy.Searcher) -> bool:
    """A query that is a plain union of term queries at the top (one exact word, no filter clause): the only shape
    tantivy's block-WAND prunes. A typo or prefix clause reads its matches into a bitset, a filter or a second
    word makes it an intersection."""
    return (not clauses and not parsed.phrases and not parsed.tickets and len(parsed.terms) == 1
            and not parsed.terms[0].prefix and not with_typos(searcher, parsed.terms[0]))


def _combine(scoring: Query | None, clauses: list[tuple[Occur, Query]]) -> Query:
    """The scoring part and the clauses as one query; the scoring part alone when there are no clauses (no nested
    boolean: tantivy prunes a top-level union of terms only)."""
    if scoring is None:
        return Query.boolean_query(clauses) if clauses else Query.all_query()
    if not clauses:
        return scoring
    return Query.boolean_query([(Occur.Must, scoring), *clauses])


def _languages(query: SearchQuery) -> tuple[str, ...]:
    """The stemmed fields worth asking: the filtered languages if any, else all eight."""
    chosen = tuple(language for language in query.languages if language in analysis.STEMMERS)
    return chosen or LANGUAGES


# -- facets ------------------------------------------------------------------------------------------------------

_AGG_FIELDS: Final = {"channel": "channel", "language": "language", "sentiment": "sentiment", "intent": "intent",
                      "status": "status", "team": "team", "assignee": "assignee"}


#: The total rides along with the facets' aggregation: an unscored pass over the matches, far cheaper than counting
#: them alongside the top-k search.
TOTAL: Final = "_total"
_TOTAL_AGGREGATION: Final = {"value_count": {"field": "id"}}


def _total_of(results: dict[str, Any]) -> int:
    return int((results.get(TOTAL) or {}).get("value") or 0)


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


#: Facets with one value per message and a handful of values: when several of their filters are set, their counts
#: come from one pass that leaves all of those filters out and counts each combination of values (a "cube", at most
#: 11 channels × the languages × 3 sentiments × 6 statuses cells), instead of one pass per filter.
CUBE_FACETS: Final = ("channel", "language", "sentiment", "status")
CUBE_SIZE: Final = 1_000


def _selected(query: SearchQuery) -> dict[str, frozenset[str]]:
    return {"channel": frozenset(query.channels), "language": frozenset(query.languages),
            "sentiment": frozenset(query.sentiments), "status": frozenset(query.statuses)}


def _cube_aggregation(facets: list[str]) -> dict[str, Any]:
    """Terms of the first facet, within each the terms of the next, and so on."""
    inner: dict[str, Any] = {}
    for facet in reversed(facets):
        level: dict[str, Any] = {"terms": {"field": _AGG_FIELDS[facet], "size": CUBE_SIZE}}
        if inner:
            level["aggs"] = inner
        inner = {facet: level}
    return inner


def cube_counts(result: dict[str, Any], facets: list[str],
                selected: dict[str, frozenset[str]]) -> dict[str, Any] | None:
    """Each facet's counts from the cube: the cells whose *other* facets' values are chosen, summed per value of
    this one — what a pass with only this facet's filter left out counts. None when a level was cut short (more
    values than :data:`CUBE_SIZE`): the per-facet passes count exactly instead."""
    counts: dict[str, dict[str, int]] = {facet: {} for facet in facets}

    def walk(level: dict[str, Any], depth: int, path: tuple[str, ...]) -> bool:
        if int(level.get("sum_other_doc_count", 0)):
            return False
        for bucket in level.get("buckets", []):
            cell = (*path, str(bucket["key"]))
            if depth + 1 < len(facets):
                if not walk(bucket.get(facets[depth + 1], {}), depth + 1, cell):
                    return False
                continue
            for i, facet in enumerate(facets):
                if all(cell[j] in selected[other] for j, other in enumerate(facets) if j != i):
                    counts[facet][cell[i]] = counts[facet].get(cell[i], 0) + int(bucket["doc_count"])
        return True

    if not walk(result.get(facets[0], {}), 0, ()):
        return None
    return {facet: {"buckets": [{"key": value, "doc_count": count} for value, count in found.items()]}
            for facet, found in counts.items()}


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

    def _add_organisations(self, organisations: set[int]) -> None:
        """Before a commit that may add documents of ``organisations``: the list on disk covers them."""
        known = self.store.read_organisations()
        if known is not None and not organisations <= known:
            self.store.write_organisations(known | organisations)

    def write(self, docs: Iterable[IndexDoc], *, replace_tickets: Iterable[int] = ()) -> int:
        docs = list(docs)
        with self.store.writer() as writer:
            self._add_organisations({doc.organisation_id for doc in docs})
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
            self.store.write_organisations(())

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        written = 0
        organisations: set[int] = set()
        with self.store.writer() as writer:
            writer.delete_all_documents()
            for doc in docs:
                writer.add_document(to_document(doc))
                organisations.add(doc.organisation_id)
                written += 1
            # The list only ever grows: narrowing it to this rebuild's organisations, even after the commit, would
            # race a reader that reloaded just before the commit (old documents, new list) into leaving out the
            # organisation clause over another organisation's documents. A stale name only costs that clause.
            self._add_organisations(organisations)
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
        """The page of hits and the exact total. With facets, the top-k search does not count: the total comes from
        the facets' aggregation pass, which does not score. Without facets it is one pass that counts too, unless
        the query is one that tantivy's top-k pruning (block-WAND) can skip through — then a pruned top-k search and
        an unscored count. (Two passes where pruning cannot apply measured no faster than one.)"""
        searcher, organisations = self.store.reader()
        whole = organisations == frozenset({query.organisation_id})
        parsed, scoring = self._scoring(query, searcher)
        clauses = filter_clauses(self.schema, query, exclusions, whole_index=whole)
        full = _combine(scoring, clauses)
        ranked = scoring is not None and query.order != "newest"
        count_now = not query.facets and not (ranked and _prunable(parsed, clauses, searcher))
        found = self._run(searcher, full, query, query.limit, query.offset, scoring is not None, count=count_now)
        matcher = analysis.Matcher(parsed, {language: {s for t in parsed.terms if (s := stem(t.typed, language))}
                                            for language in _languages(query)}, _stem_word)
        hits = [self._hit(searcher, score, address, matcher, scoring is not None and query.order != "newest")
                for score, address in found.hits]
        if query.facets:
            total, facets = self._facets(searcher, scoring, query, exclusions, full, whole)
        elif count_now:
            total, facets = int(found.count or 0), {}
        else:
            total, facets = self._total(searcher, full, query, len(hits)), {}
        return SearchResult(hits=hits, total=total, facets=facets)

    @staticmethod
    def _total(searcher: tantivy.Searcher, full: Query, query: SearchQuery, found: int) -> int:
        """The number of matches: known from the page when it is the first and not full, else counted."""
        if query.offset == 0 and found < query.limit:
            return found
        counted: Any = searcher.aggregate(full, {TOTAL: _TOTAL_AGGREGATION})
        return _total_of(counted)

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
                exclusions: Exclusions, full: Query, whole: bool) -> tuple[int, dict[str, list[FacetCount]]]:
        """The total and the facets: one aggregation request for the total and the facets whose filter is not set,
        one per facet whose filter is set (its own filter left out)."""
        now = datetime.now(UTC)
        shared = [facet for facet in FACETS if not _filter_set(query, facet)]
        results: dict[str, Any] = searcher.aggregate(
            full, {TOTAL: _TOTAL_AGGREGATION} | {facet: _aggregation(facet) for facet in shared})
        alone = [facet for facet in FACETS if facet not in shared]
        cube = [facet for facet in alone if facet in CUBE_FACETS]
        if len(cube) > 1:
            loose = _combine(scoring, filter_clauses(self.schema, query, exclusions, skip=cube, whole_index=whole))
            counted = cube_counts(searcher.aggregate(loose, _cube_aggregation(cube)), cube, _selected(query))
            if counted is not None:
                results |= counted
                alone = [facet for facet in alone if facet not in cube]
        for facet in alone:
            loose = _combine(scoring, filter_clauses(self.schema, query, exclusions, skip=(facet,),
                                                     whole_index=whole))
            results |= searcher.aggregate(loose, {facet: _aggregation(facet)})
        return _total_of(results), {facet: facet_counts(facet, results.get(facet, {}), now) for facet in FACETS}

    def ranked_tickets(self, query: SearchQuery, limit: int, exclusions: Exclusions = NO_EXCLUSIONS) -> list[int]:
        searcher, organisations = self.store.reader()
        _, scoring = self._scoring(query, searcher)
        full = _combine(scoring, filter_clauses(self.schema, query, exclusions,
                                                whole_index=organisations == frozenset({query.organisation_id})))
        found = self._run(searcher, full, query, limit * 3, 0, scoring is not None, count=False)
        addresses = [address for _, address in found.hits]
        tickets = searcher.fast_field_values("ticket", addresses) if addresses else []
        ranked = [int(t) for t in dict.fromkeys(tickets) if t]
        return ranked[:limit]


def _stem_word(word: str, language: str) -> str:
    return stem(word, language)
