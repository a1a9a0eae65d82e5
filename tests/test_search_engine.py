"""One search over every channel: what the engine finds, how it ranks, counts and restricts — on each backend.

The pure core (query parsing, folding, typo distance, snippets) is tested without a database first; then each
behaviour runs on tantivy and, where the database is PostgreSQL, on PostgreSQL's full-text backend.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.search_support import NOW, make_message
from webcare.core.models import Team
from webcare.search import analysis, engine, indexer
from webcare.search.facets import date_buckets, sort_counts
from webcare.search.types import FacetCount, SearchQuery, SearchQueryError, Visibility

# -- the pure core ------------------------------------------------------------------------------------------------

#: The search fixtures (search_backend: each backend with a fresh index; tantivy_index).
pytest_plugins = ["tests.search_support"]


def test_folding_removes_diacritics_the_way_the_index_does() -> None:
    assert analysis.fold("Ødelagt PÅ Rückseite, Æble og Straße") == "odelagt pa ruckseite, aeble og strasse"


def test_typo_distance_grows_with_the_word() -> None:
    assert [analysis.fuzzy_distance(w) for w in ("bil", "nett", "faktura", "abonnement", "1234567")] == [0, 1, 1, 2, 0]
    assert analysis.edit_distance("fakturq", "faktura", 1) == 1
    assert analysis.edit_distance("fatkura", "faktura", 1) == 1  # a transposition is one edit
    assert analysis.edit_distance("fkatrua", "faktura", 1) == 2


def test_parse_reads_words_phrases_ticket_numbers_and_the_prefix() -> None:
    parsed = analysis.parse('Faktura "ikke  kommet" #123 #45, C# stor', prefix=True)
    assert [t.folded for t in parsed.terms] == ["faktura", "c", "stor"]
    assert parsed.terms[-1].prefix and not parsed.terms[0].prefix
    assert parsed.phrases == (("ikke", "kommet"),)
    assert parsed.tickets == (123, 45)
    assert not analysis.parse("stor ", prefix=True).terms[-1].prefix  # a space ends the word


@pytest.mark.parametrize(("text", "message"), [
    ("#12a", "#12a is not a ticket number"),
    ("x" * 501, "at most 500"),
    (" ".join(f"w{i}" for i in range(17)), "at most 16"),
])
def test_parse_refuses_what_cannot_run(text: str, message: str) -> None:
    with pytest.raises(analysis.QueryTextError, match=message):
        analysis.parse(text)


def test_snippet_is_cut_around_the_first_highlight_with_ranges_inside_it() -> None:
    text = "Hei. " + "lang tekst uten treff " * 20 + "her er fakturaen som er feil " + "mer tekst " * 20
    matcher = analysis.Matcher(analysis.parse("fakturaen"))
    snippet, ranges = analysis.snippet(text, analysis.highlight(text, "nb", matcher))
    assert len(snippet) <= analysis.SNIPPET_CHARS + 2 and snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[a:b] for a, b in ranges] == ["fakturaen"]


def test_date_facet_keeps_the_last_thirty_days_and_groups_older_ones_by_month() -> None:
    days = [(NOW - timedelta(days=d), 1) for d in (0, 0, 3, 40, 45, 80)]
    assert date_buckets(days, NOW) == [FacetCount("2026-11-20", 2), FacetCount("2026-11-17", 1),
                                       FacetCount("2026-10", 2), FacetCount("2026-09", 1)]


def test_facet_values_are_sorted_by_count_without_empty_languages() -> None:
    counts = [FacetCount("nb", 1), FacetCount("none", 5), FacetCount("en", 3)]
    assert sort_counts("language", counts) == [FacetCount("en", 3), FacetCount("nb", 1)]
    assert sort_counts("team", [FacetCount("none", 2)]) == [FacetCount("none", 2)]


@pytest.mark.parametrize(("changes", "part"), [
    ({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"offset": -1}, "offset"), ({"order": "oldest"}, "order"),
    ({"channels": ("myspace",)}, "channel"), ({"sentiments": ("angry",)}, "sentiment"),
    ({"intents": ("chat",)}, "intent"), ({"statuses": ("gone",)}, "status"), ({"languages": ("Norsk",)}, "language"),
    ({"team_ids": (0,)}, "team"), ({"since": NOW.replace(tzinfo=None)}, "since"),
    ({"since": NOW, "until": NOW}, "until"), ({"text": "#x1"}, "q"),
])
def test_a_query_that_cannot_run_names_the_bad_part(changes: dict[str, Any], part: str) -> None:
    with pytest.raises(SearchQueryError, match=f"^{part}: "):
        engine.validate(SearchQuery(organisation_id=1, **changes))


# -- on each backend ----------------------------------------------------------------------------------------------


def find(org: Any, text: str = "", **kwargs: Any) -> Any:
    return engine.search(SearchQuery(organisation_id=org.pk, text=text, **kwargs))


def ids(result: Any) -> set[int]:
    return {hit.message_id for hit in result.hits}


STEMMING = [
    ("nb", "Fakturaen min har ikke kommet", "faktura"),
    ("nb", "Det er en storing i nettet", "storingen"),
    ("nn", "Straumen er borte i heile bygda", "bygd"),
    ("da", "Regningen er alt for høj", "regninger"),
    ("sv", "Alla fakturorna är fel", "faktura"),
    ("fi", "Laskussa on virhe", "lasku"),
    ("nl", "De facturen kloppen niet", "factuur"),
    ("de", "Die Rechnungen sind falsch", "Rechnung"),
    ("en", "All my invoices are wrong", "invoice"),
]


@pytest.mark.parametrize(("language", "text", "typed"), STEMMING)
def test_a_word_is_found_in_its_inflected_form_in_each_language(search_backend: str, personas: Any, language: str,
                                                                 text: str, typed: str) -> None:
    message = make_message(personas.org, text, language=language)
    make_message(personas.org, "Something else entirely", language="en")
    indexer.sync()
    result = find(personas.org, typed)
    assert ids(result) == {message.pk}
    assert result.hits[0].highlights, "the matched word is highlighted"


def test_letters_with_diacritics_match_when_typed_without(search_backend: str, personas: Any) -> None:
    norwegian = make_message(personas.org, "Ruteren på hytta er ødelagt", language="nb")
    finnish = make_message(personas.org, "Yhteys ei toimi, häiriö jatkuu", language="fi")
    indexer.sync()
    assert ids(find(personas.org, "odelagt pa")) == {norwegian.pk}
    assert ids(find(personas.org, "hairio")) == {finnish.pk}
    hit = find(personas.org, "odelagt").hits[0]
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["ødelagt"]


def test_a_typo_still_finds_the_word_but_short_words_must_be_exact(search_backend: str, personas: Any) -> None:
    message = make_message(personas.org, "Abonnementet mitt ble sagt opp uten grunn", language="nb")
    indexer.sync()
    assert ids(find(personas.org, "abonemnentet")) == {message.pk}  # two edits in a long word
    assert ids(find(personas.org, "grunm")) == {message.pk}  # one edit in a five-letter word
    assert ids(find(personas.org, "opp")) == {message.pk}
    assert ids(find(personas.org, "ops")) == set()  # three letters: no typo allowed


def test_the_last_word_is_a_prefix_while_typing(search_backend: str, personas: Any) -> None:
    message = make_message(personas.org, "Mobilabonnementet er for dyrt", language="nb")
    indexer.sync()
    assert ids(find(personas.org, "mobilab", prefix=True)) == {message.pk}
    assert ids(find(personas.org, "mobilab")) == set()
    assert ids(find(personas.org, "dyrt mobil", prefix=True)) == {message.pk}


def test_a_phrase_must_match_as_consecutive_words(search_backend: str, personas: Any) -> None:
    together = make_message(personas.org, "Pakken har ikke kommet fram", language="nb")
    apart = make_message(personas.org, "Kommet hit, men pakken er ikke her", language="nb")
    indexer.sync()
    assert ids(find(personas.org, '"ikke kommet"')) == {together.pk}
    assert ids(find(personas.org, "ikke kommet")) == {together.pk, apart.pk}


def test_a_ticket_number_finds_the_tickets_messages(search_backend: str, personas: Any) -> None:
    first = make_message(personas.org, "Hei", language="nb")
    second = make_message(personas.org, "Hallo igjen", language="nb", ticket=first.ticket)
    make_message(personas.org, "Hei", language="nb")
    indexer.sync()
    assert ids(find(personas.org, f"#{first.ticket_id}")) == {first.pk, second.pk}
    assert engine.ticket_ids(personas.org.pk, f"#{first.ticket_id}", None) == [first.ticket_id]


def test_customer_names_and_handles_are_found(search_backend: str, personas: Any) -> None:
    kari = make_message(personas.org, "Hei", language="nb", name="Kari Nordmann", handle="@karinord")
    make_message(personas.org, "Hei", language="nb", name="Ola Hansen", handle="@olah")
    indexer.sync()
    assert ids(find(personas.org, "Nordmann")) == {kari.pk}
    assert ids(find(personas.org, "@karinord")) == {kari.pk}
    assert ids(find(personas.org, "nordman")) == {kari.pk}  # a typo in a name too


def test_every_filter_narrows_and_its_facet_counts(search_backend: str, personas: Any) -> None:
    org = personas.org
    other_team = Team.objects.create(organisation=org, slug="billing", name="Billing")
    a = make_message(org, "Nettet er nede", language="nb", kind="x", status="open", team=personas.team,
                     assignee=personas.agent, sentiment="negative", intents=("complaint",), sent_at=NOW)
    b = make_message(org, "Nettet virker igjen, takk", language="nb", kind="facebook", status="solved",
                     team=other_team, sentiment="positive", intents=("praise", "other"),
                     sent_at=NOW - timedelta(days=2))
    c = make_message(org, "The network is down", language="en", kind="x", status="new",
                     sentiment="negative", intents=("complaint",), sent_at=NOW - timedelta(days=60))
    indexer.sync()
    everything = find(org)
    assert everything.total == 3
    facets = {name: {f.value: f.count for f in values} for name, values in everything.facets.items()}
    assert facets["channel"] == {"x": 2, "facebook": 1}
    assert facets["language"] == {"nb": 2, "en": 1}
    assert facets["sentiment"] == {"negative": 2, "positive": 1}
    assert facets["intent"] == {"complaint": 2, "praise": 1, "other": 1}
    assert facets["status"] == {"open": 1, "solved": 1, "new": 1}
    assert facets["team"] == {str(personas.team.pk): 1, str(other_team.pk): 1, "none": 1}
    assert facets["assignee"] == {str(personas.agent.pk): 1, "none": 2}
    assert sum(facets["date"].values()) == 3
    cases: list[tuple[dict[str, Any], set[int]]] = [
        ({"channels": ("x",)}, {a.pk, c.pk}), ({"languages": ("en",)}, {c.pk}),
        ({"sentiments": ("positive",)}, {b.pk}), ({"intents": ("complaint",)}, {a.pk, c.pk}),
        ({"statuses": ("solved", "new")}, {b.pk, c.pk}), ({"team_ids": (personas.team.pk, None)}, {a.pk, c.pk}),
        ({"assignee_ids": (None,)}, {b.pk, c.pk}), ({"assignee_ids": (personas.agent.pk,)}, {a.pk}),
        ({"since": NOW - timedelta(days=3)}, {a.pk, b.pk}), ({"until": NOW - timedelta(days=3)}, {c.pk}),
    ]
    for filters, expected in cases:
        result = find(org, **filters)
        assert (ids(result), result.total) == (expected, len(expected)), filters
    narrowed = find(org, "nettet", channels=("x",))
    assert narrowed.total == 1
    counts = {name: {f.value: f.count for f in values} for name, values in narrowed.facets.items()}
    assert counts["channel"] == {"x": 1, "facebook": 1}  # its own filter left out: the other choice stays visible
    assert counts["status"] == {"open": 1}  # the other facets count within the filter


def test_relevance_ranks_the_better_match_first_and_newest_orders_by_time(search_backend: str,
                                                                           personas: Any) -> None:
    org = personas.org
    weak = make_message(org, "Fakturaen kom i dag, ellers alt vel med leveransen og kundeservicen",
                        language="nb", sent_at=NOW)
    strong = make_message(org, "Faktura faktura: feil faktura igjen", language="nb", sent_at=NOW - timedelta(days=5))
    indexer.sync()
    ranked = find(org, "faktura")
    assert [h.message_id for h in ranked.hits] == [strong.pk, weak.pk]
    assert ranked.hits[0].score > ranked.hits[1].score
    newest = find(org, "faktura", order="newest")
    assert [h.message_id for h in newest.hits] == [weak.pk, strong.pk]
    assert engine.ticket_ids(org.pk, "faktura", None) == [strong.ticket_id, weak.ticket_id]


def test_limit_and_offset_page_through_the_hits(search_backend: str, personas: Any) -> None:
    made = [make_message(personas.org, f"Melding nummer {i}", language="nb", sent_at=NOW - timedelta(hours=i))
            for i in range(5)]
    indexer.sync()
    page = find(personas.org, "melding", order="newest", limit=2, offset=2)
    assert [h.message_id for h in page.hits] == [made[2].pk, made[3].pk] and page.total == 5
    # A full first page: the total is counted beyond it; a page with room to spare is the total itself.
    assert find(personas.org, "melding", limit=2).total == 5 and find(personas.org, "melding", limit=20).total == 5
    assert find(personas.org, "melding", limit=2, facets=False).total == 5


def test_several_filters_each_leave_only_their_own_out_of_their_counts(search_backend: str, personas: Any) -> None:
    """Channel, language and status set together (counted in one pass over every combination on tantivy): each
    facet counts within the *other* filters, as if its own were not set."""
    org = personas.org
    rows = [("x", "nb", "open"), ("x", "nb", "solved"), ("x", "en", "open"), ("facebook", "nb", "open"),
            ("facebook", "sv", "new"), ("email", "nb", "open"), ("email", "en", "solved")]
    for kind, lang, status in rows:
        make_message(org, "Ruteren blinker", language=lang, kind=kind, status=status)
    indexer.sync()
    result = find(org, "ruteren", channels=("x", "facebook"), languages=("nb",), statuses=("open", "new"))
    counts = {name: {f.value: f.count for f in values} for name, values in result.facets.items()}
    assert result.total == 2  # x/nb/open, facebook/nb/open
    assert counts["channel"] == {"x": 1, "facebook": 1, "email": 1}  # nb and open|new, any channel
    assert counts["language"] == {"nb": 2, "en": 1, "sv": 1}  # x|facebook and open|new, any language
    assert counts["status"] == {"open": 2, "solved": 1}  # x|facebook and nb, any status


def test_cube_counts_give_way_to_one_pass_per_filter_when_a_level_was_cut_short() -> None:
    from webcare.search.tantivy_backend import cube_counts

    selected = {"channel": frozenset({"x"}), "status": frozenset({"open"})}
    cut = {"channel": {"buckets": [{"key": "x", "doc_count": 3, "status": {"buckets": [], "sum_other_doc_count": 3}}],
                       "sum_other_doc_count": 0}}
    assert cube_counts(cut, ["channel", "status"], selected) is None
    whole = {"channel": {"buckets": [
        {"key": "x", "doc_count": 3, "status": {"buckets": [{"key": "open", "doc_count": 2},
                                                            {"key": "new", "doc_count": 1}]}},
        {"key": "email", "doc_count": 4, "status": {"buckets": [{"key": "open", "doc_count": 4}]}}]}}
    assert cube_counts(whole, ["channel", "status"], selected) == {
        "channel": {"buckets": [{"key": "x", "doc_count": 2}, {"key": "email", "doc_count": 4}]},
        "status": {"buckets": [{"key": "open", "doc_count": 2}, {"key": "new", "doc_count": 1}]}}


def test_a_second_organisation_in_a_one_organisation_index_stays_apart(tantivy_index: str, personas: Any) -> None:
    """With one organisation in the index its clause is left out of queries (it matches everything); the list of
    organisations grows before the commit that adds another, so neither ever sees the other's messages."""
    from webcare.search.tantivy_backend import open_index

    make_message(personas.org, "Strømbrudd i Bergen", language="nb")
    indexer.sync()
    assert open_index(tantivy_index).reader()[1] == frozenset({personas.org.pk})
    assert find(personas.org, "strømbrudd").total == 1 and find(personas.org).total == 1
    make_message(personas.other_org, "Strømbrudd i Tromsø", language="nb")
    indexer.sync()
    assert open_index(tantivy_index).reader()[1] == frozenset({personas.org.pk, personas.other_org.pk})
    assert [h.snippet for h in find(personas.org, "strømbrudd").hits] == ["Strømbrudd i Bergen"]
    assert [h.snippet for h in find(personas.other_org, "strømbrudd").hits] == ["Strømbrudd i Tromsø"]
    assert find(personas.org).total == 1 and find(personas.other_org).total == 1


def test_an_agent_sees_only_their_teams_theirs_and_teamless_tickets_in_hits_totals_and_facets(
        search_backend: str, personas: Any) -> None:
    org = personas.org
    other_team = Team.objects.create(organisation=org, slug="billing", name="Billing")
    mine = make_message(org, "Ruteren blinker rødt", language="nb", team=personas.team)
    teamless = make_message(org, "Ruteren er død", language="nb")
    assigned = make_message(org, "Ruteren igjen", language="nb", team=other_team, assignee=personas.agent)
    hidden = make_message(org, "Ruteren brant opp", language="nb", team=other_team, kind="x")
    indexer.sync()
    agent = Visibility(user_id=personas.agent.pk, team_ids=(personas.team.pk,))
    result = find(org, "ruteren", visibility=agent)
    assert ids(result) == {mine.pk, teamless.pk, assigned.pk} and result.total == 3
    assert {f.value for f in result.facets["channel"]} == {"api"}
    assert sum(f.count for f in result.facets["team"]) == 3
    assert hidden.ticket_id not in engine.ticket_ids(org.pk, "ruteren", agent)
    assert ids(find(org, "ruteren")) == {mine.pk, teamless.pk, assigned.pk, hidden.pk}


def test_another_organisation_never_finds_these_messages(search_backend: str, personas: Any) -> None:
    make_message(personas.org, "Hemmelig leveranse", language="nb")
    make_message(personas.other_org, "Annen leveranse", language="nb")
    indexer.sync()
    assert find(personas.other_org, "hemmelig").total == 0
    assert find(personas.org, "leveranse").total == 1


def test_personal_data_is_never_indexed(search_backend: str, personas: Any) -> None:
    """The index gets the masked text only: the number the customer typed is not findable, and the original text
    is stored nowhere in the index."""
    message = make_message(personas.org, "Ring meg på [PHONE] om regningen", language="nb",
                           original="Ring meg på 912 34 567 om regningen")
    indexer.sync()
    assert find(personas.org, "912 34 567").total == 0
    assert find(personas.org, "91234567").total == 0
    hit = find(personas.org, "regningen").hits[0]
    assert hit.message_id == message.pk and "912" not in hit.snippet
    if search_backend == "tantivy":
        from pathlib import Path

        from django.conf import settings

        stored = b"".join(p.read_bytes() for p in Path(settings.WEBCARE_SEARCH_DIR).iterdir() if p.is_file())
        assert b"regningen" in stored.lower() or b"regning" in stored  # the index does hold the masked words …
        assert b"912 34 567" not in stored and b"34 567" not in stored  # … never the original


def test_empty_text_lists_every_message_newest_first(search_backend: str, personas: Any) -> None:
    old = make_message(personas.org, "Gammel", language="nb", sent_at=NOW - timedelta(days=1))
    new = make_message(personas.org, "Ny", language="nb", sent_at=NOW)
    indexer.sync()
    assert [h.message_id for h in find(personas.org).hits] == [new.pk, old.pk]
    assert engine.ticket_ids(personas.org.pk, "", None) == []


def test_a_common_word_is_not_also_looked_for_with_typos(tantivy_index: str, personas: Any, monkeypatch: Any) -> None:
    """A word the messages hold often enough fills pages on its own: its misspellings are left out (and the engine
    can skip through its matches), while a rare or misspelt word keeps its typos."""
    from webcare.search import tantivy_backend

    exact = {make_message(personas.org, f"Fakturaen er feil {n}", language="nb").pk for n in range(3)}
    misspelt = make_message(personas.org, "Fakturraen kom aldri", language="nb").pk
    indexer.sync()
    assert ids(find(personas.org, "fakturaen")) == exact | {misspelt}  # three exact: under the threshold
    monkeypatch.setattr(tantivy_backend, "TYPO_SKIP_DOCS", 3)
    assert ids(find(personas.org, "fakturaen")) == exact
    assert ids(find(personas.org, "fakturraen")) == exact | {misspelt}  # held once: typos still forgiven
    assert find(personas.org, "fakturaen").total == 3
