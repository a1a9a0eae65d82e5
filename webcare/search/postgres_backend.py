"""The PostgreSQL full-text backend (``WEBCARE_SEARCH_BACKEND=postgres``): no component beside the database.

Documents are rows of ``search_searchdocument`` (:class:`~webcare.search.models.SearchDocument`) with a ``tsvector``
of three parts: the masked text stemmed with the message language's text-search configuration (``norwegian`` for
nb/nn, ``danish``, ``swedish``, ``finnish``, ``dutch``, ``german``, ``english``; ``simple`` otherwise) weighted A;
the same text lowercased and folded (no diacritics), unstemmed, weighted B; the customer's names and handles folded,
weighted C. A GIN index serves ``@@``.

A typed word matches any of: its folded form, its stem in each configuration (and the stem of that stem, as
Snowball strips one suffix per pass: "fakturaen" → "faktura" → "faktur"), the word itself against stemmed lexemes,
a prefix while typing (``:*``), and — for words of four letters or more — a word within 1 (2 from eight letters) edits
in the folded text: a trigram index (``pg_trgm``) finds candidate rows, ``levenshtein_less_equal`` (``fuzzystrmatch``)
checks their words. Ranking is ``ts_rank``; facets are one ``GROUP BY`` each, with the same conditions.

Measured against tantivy in docs/benchmarks.md: it is the slower option, for deployments that want nothing extra.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from django.db import connection, transaction

from webcare.search import analysis
from webcare.search.backend import NO_EXCLUSIONS, Exclusions, IndexDoc
from webcare.search.facets import date_buckets, sort_counts
from webcare.search.models import SearchDocument
from webcare.search.types import FACETS, FacetCount, Hit, SearchQuery, SearchResult

TABLE: Final = "search_searchdocument"
CONFIGS: Final = tuple(dict.fromkeys(analysis.PG_CONFIGS.values()))
#: Trigram word similarity that makes a row a typo candidate (checked exactly by edit distance afterwards).
TRGM_THRESHOLD: Final = 0.3
BATCH: Final = 1_000

_COLUMNS: Final = ("message_id", "organisation_id", "ticket_id", "conversation_id", "customer_id", "channel",
                   "language", "sentiment", "intents", "status", "team_id", "assignee_id", "sent_at", "text", "names",
                   "folded")
_INSERT: Final = (
    f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}, vector) VALUES ({', '.join(['%s'] * len(_COLUMNS))}, "  # noqa: S608  # nosec B608
    "setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector('simple', %s), 'B') "
    "|| setweight(to_tsvector('simple', %s), 'C')) "
    f"ON CONFLICT (message_id) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in _COLUMNS[1:])}, "
    "vector = EXCLUDED.vector"
)


def _row(doc: IndexDoc) -> tuple[Any, ...]:
    folded_text = analysis.fold(doc.text)
    folded_names = analysis.fold(" ".join(doc.names))
    config = analysis.PG_CONFIGS.get(doc.language, "simple")
    return (doc.message_id, doc.organisation_id, doc.ticket_id, doc.conversation_id, doc.customer_id, doc.channel,
            doc.language, doc.sentiment, json.dumps(list(doc.intents)), doc.status, doc.team_id, doc.assignee_id,
            doc.sent_at, doc.text, " ".join(doc.names), f"{folded_text} {folded_names}".strip(),
            config, doc.text, folded_text, folded_names)


class _Sql:
    """A WHERE clause being built: SQL fragments and their parameters, in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) or "TRUE"


def _term_tsquery(term: analysis.Term, configs: tuple[str, ...]) -> tuple[str, list[Any]]:
    """One word's alternatives as a tsquery expression."""
    parts = ["plainto_tsquery('simple', %s)", "plainto_tsquery('simple', %s)"]
    params: list[Any] = [term.folded, term.typed.lower()]
    for config in configs:
        parts.append(f"plainto_tsquery('{config}', %s)")
        parts.append(f"to_tsquery('{config}', plainto_tsquery('{config}', %s)::text)")
        params += [term.typed, term.typed]
    if term.prefix:
        parts.append("to_tsquery('simple', %s)")
        params.append(f"'{term.folded}':*")
    return "(" + " || ".join(parts) + ")", params


def _text_conditions(where: _Sql, parsed: analysis.ParsedQuery, configs: tuple[str, ...]) -> tuple[str, list[Any]]:
    """Add the typed words, phrases and ticket numbers to ``where``; returns the tsquery used for ranking."""
    rank_parts: list[str] = []
    rank_params: list[Any] = []
    for term in parsed.terms:
        tsquery, params = _term_tsquery(term, configs)
        rank_parts.append(tsquery)
        rank_params += params
        if term.distance:
            where.add(
                f"(vector @@ {tsquery} OR (%s <%% folded AND EXISTS (SELECT 1 FROM unnest(tsvector_to_array(vector)) "  # noqa: S608  # nosec B608
                "AS lexeme WHERE levenshtein_less_equal(lexeme, %s, %s) <= %s)))",
                *params, term.folded, term.folded, term.distance, term.distance)
        else:
            where.add(f"vector @@ {tsquery}", *params)
    for phrase in parsed.phrases:
        where.add("vector @@ phraseto_tsquery('simple', %s)", " ".join(phrase))
        rank_parts.append("phraseto_tsquery('simple', %s)")
        rank_params.append(" ".join(phrase))
    if parsed.tickets:
        where.add("ticket_id = ANY(%s)", list(parsed.tickets))
    return " || ".join(rank_parts), rank_params


def _filters(where: _Sql, query: SearchQuery, exclusions: Exclusions, skip: str = "") -> None:
    where.add("organisation_id = %s", query.organisation_id)
    for facet, column, values in (("channel", "channel", query.channels), ("language", "language", query.languages),
                                  ("sentiment", "sentiment", query.sentiments), ("status", "status", query.statuses)):
        if values and facet != skip:
            where.add(f"{column} = ANY(%s)", list(values))
    if query.intents and skip != "intent":
        where.add("intents ?| %s", list(query.intents))
    for facet, column, ids in (("team", "team_id", query.team_ids), ("assignee", "assignee_id", query.assignee_ids)):
        if ids and facet != skip:
            real = [pk for pk in ids if pk is not None]
            if None in ids:
                where.add(f"({column} = ANY(%s) OR {column} IS NULL)", real)
            else:
                where.add(f"{column} = ANY(%s)", real)
    if skip != "date":
        if query.since:
            where.add("sent_at >= %s", query.since)
        if query.until:
            where.add("sent_at < %s", query.until)
    if query.visibility is not None:
        where.add("(team_id IS NULL OR team_id = ANY(%s) OR assignee_id = %s)",
                  list(query.visibility.team_ids), query.visibility.user_id)
    if exclusions.message_ids:
        where.add("NOT (message_id = ANY(%s))", sorted(exclusions.message_ids))
    if exclusions.customer_ids:
        where.add("(customer_id IS NULL OR NOT (customer_id = ANY(%s)))", sorted(exclusions.customer_ids))


def _configs(query: SearchQuery) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(analysis.PG_CONFIGS[lang] for lang in query.languages if lang in analysis.PG_CONFIGS))
    return chosen or CONFIGS


_FACET_SQL: Final = {
    "channel": "channel", "language": "language", "sentiment": "sentiment", "status": "status",
    "team": "COALESCE(team_id::text, 'none')", "assignee": "COALESCE(assignee_id::text, 'none')",
}


class PostgresBackend:
    """The :class:`~webcare.search.backend.Backend` in PostgreSQL's full-text search."""

    name = "postgres"

    # -- writing ---------------------------------------------------------------------------------------------------

    def write(self, docs: Iterable[IndexDoc], *, replace_tickets: Iterable[int] = ()) -> int:
        docs = list(docs)
        with transaction.atomic(), connection.cursor() as cursor:
            tickets = sorted(set(replace_tickets))
            if tickets:
                cursor.execute(f"DELETE FROM {TABLE} WHERE ticket_id = ANY(%s)", [tickets])  # noqa: S608  # nosec B608
            for start in range(0, len(docs), BATCH):
                cursor.executemany(_INSERT, [_row(doc) for doc in docs[start:start + BATCH]])
        return len(docs)

    def delete(self, *, ticket_ids: Iterable[int] = (), customer_ids: Iterable[int] = (),
               message_ids: Iterable[int] = ()) -> int:
        gone = 0
        with transaction.atomic(), connection.cursor() as cursor:
            for column, ids in (("ticket_id", ticket_ids), ("customer_id", customer_ids),
                                ("message_id", message_ids)):
                wanted = sorted({int(pk) for pk in ids if pk})
                if wanted:
                    cursor.execute(f"DELETE FROM {TABLE} WHERE {column} = ANY(%s)", [wanted])  # noqa: S608  # nosec B608
                    gone += cursor.rowcount
        return gone

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def rebuild(self, docs: Iterable[IndexDoc]) -> int:
        written = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")
            batch: list[tuple[Any, ...]] = []
            for doc in docs:
                batch.append(_row(doc))
                if len(batch) >= BATCH:
                    cursor.executemany(_INSERT, batch)
                    written += len(batch)
                    batch = []
            if batch:
                cursor.executemany(_INSERT, batch)
                written += len(batch)
        return written

    # -- reading ---------------------------------------------------------------------------------------------------

    def count(self, organisation_id: int | None = None) -> int:
        rows = SearchDocument.objects.all()
        if organisation_id is not None:
            rows = rows.filter(organisation_id=organisation_id)
        return rows.count()

    def empty(self) -> bool:
        return not SearchDocument.objects.exists()

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
            return int(cursor.fetchone()[0])

    def _where(self, query: SearchQuery, exclusions: Exclusions, skip: str = "") -> tuple[_Sql, str, list[Any]]:
        parsed = analysis.parse(query.text, prefix=query.prefix)
        where = _Sql()
        rank, rank_params = _text_conditions(where, parsed, _configs(query))
        _filters(where, query, exclusions, skip)
        return where, rank, rank_params

    def _order(self, query: SearchQuery, rank: str) -> str:
        if query.order == "newest" or not rank:
            return "sent_at DESC, message_id DESC"
        return "score DESC, sent_at DESC, message_id DESC"

    def search(self, query: SearchQuery, exclusions: Exclusions = NO_EXCLUSIONS) -> SearchResult:
        parsed = analysis.parse(query.text, prefix=query.prefix)
        where, rank, rank_params = self._where(query, exclusions)
        score = f"ts_rank(vector, {rank})" if rank else "0"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TRGM_THRESHOLD)])
            cursor.execute(
                f"SELECT message_id, ticket_id, conversation_id, customer_id, channel, language, sent_at, text, "  # noqa: S608  # nosec B608
                f"{score} AS score FROM {TABLE} WHERE {where.sql} ORDER BY {self._order(query, rank)} "
                "LIMIT %s OFFSET %s", [*rank_params, *where.params, query.limit, query.offset])
            rows = cursor.fetchall()
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where.sql}", where.params)  # noqa: S608  # nosec B608
            total = int(cursor.fetchone()[0])
            facets = self._facets(cursor, query, exclusions) if query.facets else {}
        from webcare.search.tantivy_backend import stem

        matcher = analysis.Matcher(parsed, {language: {s for t in parsed.terms if (s := stem(t.typed, language))}
                                            for language in analysis.STEMMERS}, stem)
        hits = []
        for message_id, ticket_id, conversation_id, customer_id, channel, language, sent_at, text, value in rows:
            snippet, ranges = analysis.snippet(text, analysis.highlight(text, language, matcher))
            hits.append(Hit(message_id=message_id, ticket_id=ticket_id, conversation_id=conversation_id,
                            customer_id=customer_id, channel=channel, language=language,
                            sent_at=sent_at.astimezone(UTC), score=float(value) if query.order != "newest" else 0.0,
                            snippet=snippet, highlights=ranges))
        return SearchResult(hits=hits, total=total, facets=facets)

    def _facets(self, cursor: Any, query: SearchQuery, exclusions: Exclusions) -> dict[str, list[FacetCount]]:
        found: dict[str, list[FacetCount]] = {}
        now = datetime.now(UTC)
        for facet in FACETS:
            where, _, _ = self._where(query, exclusions, skip=facet)
            if facet == "intent":
                cursor.execute(f"SELECT value, count(*) FROM {TABLE}, jsonb_array_elements_text(intents) AS value "  # noqa: S608  # nosec B608
                               f"WHERE {where.sql} GROUP BY value", where.params)
                found[facet] = sort_counts(facet, [FacetCount(str(v), int(n)) for v, n in cursor.fetchall()])
            elif facet == "date":
                cursor.execute(f"SELECT date_trunc('day', sent_at AT TIME ZONE 'UTC') AS day, count(*) FROM {TABLE} "  # noqa: S608  # nosec B608
                               f"WHERE {where.sql} GROUP BY day", where.params)
                found[facet] = date_buckets(((day.replace(tzinfo=UTC), int(n)) for day, n in cursor.fetchall()),
                                            now)
            else:
                cursor.execute(f"SELECT {_FACET_SQL[facet]} AS value, count(*) FROM {TABLE} WHERE {where.sql} "  # noqa: S608  # nosec B608
                               "GROUP BY value", where.params)
                found[facet] = sort_counts(facet, [FacetCount(str(v), int(n)) for v, n in cursor.fetchall()])
        return found

    def ranked_tickets(self, query: SearchQuery, limit: int, exclusions: Exclusions = NO_EXCLUSIONS) -> list[int]:
        where, rank, rank_params = self._where(query, exclusions)
        ranked = bool(rank) and query.order != "newest"
        best = f"max(ts_rank(vector, {rank}))" if ranked else "max(extract(epoch FROM sent_at))"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TRGM_THRESHOLD)])
            cursor.execute(f"SELECT ticket_id, {best} AS best, max(sent_at) AS newest FROM {TABLE} WHERE {where.sql} "  # noqa: S608  # nosec B608
                           "GROUP BY ticket_id ORDER BY best DESC, newest DESC, ticket_id DESC LIMIT %s",
                           [*(rank_params if ranked else []), *where.params, limit])
            return [int(row[0]) for row in cursor.fetchall()]
