"""The search page (/search/): one box over every channel, filters with counts, order, need-to-know, masked text,
errors beside the box, htmx partials, saving a search as an inbox view — and the pure parts behind them (highlighting,
the query text rewritten by the filters)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.conftest import Personas, client_for, ingest_ticket, make_user
from tests.search_support import NOW, make_message, tantivy_index  # noqa: F401 — a fixture, through index()
from webcare.core.models import Agent, Role, Team
from webcare.inbox import search as language
from webcare.inbox.models import SavedSearch
from webcare.search import forms, indexer
from webcare.search.types import FacetCount
from webcare.search.views import highlight

RESULTS = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def index(request: pytest.FixtureRequest) -> str:
    """A fresh tantivy index of the test's own (``tantivy_index``, tests/search_support.py): its directory."""
    return str(request.getfixturevalue("tantivy_index"))


# -- the pure parts -----------------------------------------------------------------------------------------------

def test_it_escapes_the_snippet_before_marking_the_matched_words() -> None:
    html = highlight("<b>Fakturaen</b> & [PHONE] igjen", ((3, 12), (28, 99), (40, 50)))
    assert html.startswith("&lt;b&gt;<mark>Fakturaen</mark>&lt;/b&gt; &amp; ")
    assert 'data-pii="PHONE"' in html and "[PHONE]" not in html  # placeholders as chips, like everywhere
    assert html.endswith(" i<mark>gjen</mark>")  # ranges beyond the end are clipped or dropped, not an error


def test_it_merges_overlapping_ranges_into_one_mark() -> None:
    assert highlight("dobbelt trekk", ((0, 7), (3, 13), (8, 13))) == "<mark>dobbelt trekk</mark>"
    assert highlight("nede", ()) == "nede"


def test_it_writes_a_clicked_filter_into_the_query_and_takes_it_out_again() -> None:
    parsed = language.parse('faktura "dobbelt trekk" #12')
    narrowed = language.with_filter(language.with_filter(parsed, "lang", "nb"), "channel", "x")
    assert language.to_text(narrowed) == 'faktura "dobbelt trekk" #12 channel:x lang:nb'
    assert language.parse(language.to_text(narrowed)) == narrowed
    assert language.to_text(language.without_filter(narrowed, "channel", "x")) == 'faktura "dobbelt trekk" #12 lang:nb'
    day = language.with_filter(language.with_filter(narrowed, "since", "2026-11-01"), "since", "2026-11-20")
    assert day.filters["since"] == ("2026-11-20",)  # a date range has one start


def test_it_searches_the_finished_part_while_the_last_one_is_typed() -> None:
    assert forms.typed_prefix_fallbacks("faktura status:op") == ["faktura"]
    assert forms.typed_prefix_fallbacks('"dobbelt tre') == ['"dobbelt tre"', '"dobbelt']
    assert forms.typed_prefix_fallbacks("stat") == [""]


@pytest.mark.parametrize(("raw", "typing"), [
    ("fakt", True), ("faktura ", False), ('"dobbelt trekk"', False), ("faktura lang:nb", False), ("faktura #12", False),
    ("faktura kl:12", True), ("", False),
])
def test_only_a_word_being_typed_is_a_prefix(raw: str, typing: bool) -> None:
    assert forms.still_typing_a_word(raw) is typing


def test_a_month_of_the_date_filter_covers_its_first_to_its_last_day() -> None:
    assert forms.days_of("2026-02") == ("2026-02-01", "2026-02-28")
    assert forms.days_of("2026-12") == ("2026-12-01", "2026-12-31")
    assert forms.days_of("2026-11-26") == ("2026-11-26", "2026-11-26")


def test_facet_links_narrow_and_an_active_value_widens() -> None:
    names = forms.Names(teams={7: ("billing", "Billing")}, people={3: ("Kari", "Kari", "Kari Nordmann")})
    understood = forms.understand("faktura team:billing", names, user_id=3)
    groups = forms.facet_groups({"team": [FacetCount("7", 4), FacetCount("none", 2)],
                                 "assignee": [FacetCount("3", 1)], "date": [FacetCount("2026-11-26", 5)]},
                                understood, names, path="/search/", order="relevance")
    team, assignee, date = groups
    assert [(link.label, link.count, link.active) for link in team.links] == [("Billing", 4, True),
                                                                               ("No team", 2, False)]
    assert team.links[0].url == "/search/?q=faktura"
    assert team.links[1].url == "/search/?q=faktura+team%3Abilling+team%3Anone"
    assert assignee.links[0].url.endswith("assignee%3Akari")  # people by username: how a saved search reads
    assert date.links[0].url.endswith("since%3A2026-11-26+until%3A2026-11-26")


@pytest.mark.parametrize(("text", "says"), [
    ("faktura label:billing", "label: filters the inbox's list only"),
    ("team:nobody", "no team 'nobody'"),
    ("assignee:ghost", "no agent 'ghost'"),
    ("channel:pigeon", "no channel 'pigeon'"),
])
def test_it_names_a_filter_the_page_cannot_use(text: str, says: str) -> None:
    with pytest.raises(language.SearchError, match=says):
        forms.understand(text, forms.Names(), user_id=1)


# -- the page -----------------------------------------------------------------------------------------------------

def hits(html: str) -> list[int]:
    """The tickets of the hits, in the page's order."""
    return [int(pk) for pk in re.findall(r'<li class="hit" data-message="\d+" data-ticket="(\d+)"', html)]


def page(client: Client, text: str, **params: str) -> str:
    response = client.get("/search/", {"q": text, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def invoices(personas: Personas, index: str) -> dict[str, Any]:
    """Three messages about invoices on three tickets (two on Facebook in Norwegian, one on X in English) and one
    about something else; indexed."""
    sales = Team.objects.create(organisation=personas.org, slug="sales", name="Sales")
    found = {
        "fb_old": make_message(personas.org, "Fakturaen er trukket to ganger", kind="facebook", sentiment="negative",
                               intents=("complaint",), sent_at=NOW - timedelta(days=2), team=personas.team,
                               name="Sigrid Hansen", handle="@sigrid_h"),
        "fb_new": make_message(personas.org, "Hvor finner jeg faktura for november?", kind="facebook",
                               intents=("question",), sent_at=NOW - timedelta(hours=1), status="pending"),
        "x_en": make_message(personas.org, "My faktura (invoice) never arrived", kind="x", language="en",
                             sent_at=NOW - timedelta(days=1), team=sales),
        "other": make_message(personas.org, "Nettet er nede i Bergen", kind="facebook",
                              sent_at=NOW - timedelta(minutes=5)),
    }
    indexer.sync()
    return {key: message.ticket for key, message in found.items()} | {"sales": sales}


def test_it_finds_a_word_in_any_inflection_across_channels(personas: Personas, invoices: dict[str, Any]) -> None:
    html = page(client_for(personas.supervisor), "fakturaen")
    assert set(hits(html)) == {invoices["fb_old"].pk, invoices["fb_new"].pk, invoices["x_en"].pk}
    assert "3 results" in html
    hit = html[html.index(f'data-ticket="{invoices["fb_old"].pk}"'):]
    hit = hit[:hit.index("</li>")]
    assert "<mark>Fakturaen</mark> er trukket" in hit
    assert "Sigrid Hansen" in hit and "@sigrid_h" in hit and "Facebook" in hit
    assert f"Ticket #{invoices['fb_old'].pk}" in hit and ">Open<" in hit
    assert f"/inbox/?view=search&amp;q=fakturaen&amp;ticket={invoices['fb_old'].pk}" in hit
    assert '<time datetime="2026-11-18T' in hit


def test_filters_show_counts_and_narrow_the_results(personas: Personas, invoices: dict[str, Any]) -> None:
    client = client_for(personas.supervisor)
    html = page(client, "faktura")
    facets = html[html.index('class="facets"'):html.index('class="hits"')]
    assert re.search(r'q=faktura\+channel%3Afacebook"[^>]*>\s*<span class="value">Facebook</span>\s*'
                     r'<span class="count" aria-hidden="true">2</span>', facets)
    assert re.search(r'<span class="value">X</span>\s*<span class="count" aria-hidden="true">1</span>', facets)
    assert re.search(r'<span class="value">Complaint</span>\s*<span class="count" aria-hidden="true">1</span>', facets)
    narrowed = page(client, "faktura channel:facebook")
    assert set(hits(narrowed)) == {invoices["fb_old"].pk, invoices["fb_new"].pk}
    assert "2 results" in narrowed
    # The filter in force is a link that removes it again, and its value is marked as chosen.
    assert 'href="/search/?q=faktura" hx-get="/search/?q=faktura" data-focus="remove-channel-facebook"' in narrowed
    assert 'aria-current="true" class="on"' in narrowed
    assert hits(page(client, "faktura channel:facebook lang:nb sentiment:negative")) == [invoices["fb_old"].pk]
    assert hits(page(client, "faktura status:pending")) == [invoices["fb_new"].pk]
    assert hits(page(client, "faktura team:sales")) == [invoices["x_en"].pk]
    assert set(hits(page(client, "faktura since:2026-11-19"))) == {invoices["fb_new"].pk, invoices["x_en"].pk}


def test_it_orders_by_relevance_or_newest_first(personas: Personas, invoices: dict[str, Any]) -> None:
    client = client_for(personas.supervisor)
    newest = hits(page(client, "faktura", order="newest"))
    assert newest == [invoices["fb_new"].pk, invoices["x_en"].pk, invoices["fb_old"].pk]
    assert 'option value="newest" selected' in page(client, "faktura", order="newest")
    # Filters alone have nothing to rank: newest first.
    assert hits(page(client, "channel:facebook")) == [invoices["other"].pk, invoices["fb_new"].pk,
                                                      invoices["fb_old"].pk]


def test_an_agent_neither_sees_nor_counts_another_teams_ticket(personas: Personas,
                                                                invoices: dict[str, Any]) -> None:
    html = page(client_for(personas.agent), "faktura")
    assert set(hits(html)) == {invoices["fb_old"].pk, invoices["fb_new"].pk}  # kari's team and the shared queue
    assert "2 results" in html
    assert "Sales" not in html and "channel%3Ax" not in html  # no facet counts the sales team's ticket
    assert hits(page(client_for(personas.agent), f"#{invoices['x_en'].pk}")) == []
    assert set(hits(page(client_for(personas.supervisor), "faktura"))) >= {invoices["x_en"].pk}


def test_an_analyst_sees_the_masked_text_only(personas: Personas, index: str) -> None:
    ticket = ingest_ticket(personas, 1, text="Fakturaen min er feil, ring meg på 412 34 567")
    indexer.sync()
    html = page(client_for(personas.analyst), "fakturaen")
    assert hits(html) == [ticket.pk]
    assert 'data-pii="PHONE"' in html
    assert "412 34 567" not in html and "34 567" not in html
    assert hits(page(client_for(personas.analyst), "412")) == []


@pytest.mark.parametrize(("text", "says"), [
    ("faktura stauts:open", "unknown filter stauts: — did you mean status:?"),
    ("faktura lang:klingon", "unknown language &#x27;klingon&#x27;"),
    (" ".join(f"ord{n}" for n in range(30)), "q: "),  # refused by the engine (too many words)
])
def test_a_query_that_cannot_run_shows_why_beside_the_box(personas: Personas, invoices: dict[str, Any], text: str,
                                                           says: str) -> None:
    html = page(client_for(personas.agent), text)
    error = html[html.index('id="search-error"'):html.index('id="result-count"')]
    assert says in error
    assert 'aria-invalid="true"' in html
    assert hits(html) == [] and "Save as inbox view" not in html


def test_an_empty_box_shows_how_to_search(personas: Personas) -> None:
    html = page(client_for(personas.agent), "")
    assert "How to search" in html and 'href="?q=fakturaen"' in html
    assert 'class="hit"' not in html


def test_a_search_saved_as_an_inbox_view_lists_and_counts_the_same_tickets(personas: Personas,
                                                                          invoices: dict[str, Any]) -> None:
    client = client_for(personas.agent)
    assert "Save as inbox view" in page(client, "faktura channel:facebook")
    response = client.post("/search/save/", {"q": "faktura channel:facebook", "name": "Fakturaer på Facebook"})
    saved = SavedSearch.objects.get(owner=personas.agent)
    assert response.status_code == 302 and response["Location"] == f"/inbox/?view=saved%3A{saved.pk}"
    assert (saved.query, saved.shared) == ("faktura channel:facebook", False)
    nav = client.get("/inbox/views/").content.decode()
    assert f'data-view="saved:{saved.pk}">2<' in nav  # both open (new or pending) and in kari's scope
    listed = client.get(f"/inbox/list/?view=saved:{saved.pk}").content.decode()
    assert {int(pk) for pk in re.findall(r'<li class="row[^"]*" data-ticket="(\d+)"', listed)} == {
        invoices["fb_old"].pk, invoices["fb_new"].pk}


def test_a_view_without_a_name_is_refused_beside_the_field(personas: Personas, invoices: dict[str, Any]) -> None:
    response = client_for(personas.agent).post("/search/save/", {"q": "faktura", "name": " "})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="save-error" role="alert">give the search a name<' in html
    assert set(hits(html)) == {invoices["fb_old"].pk, invoices["fb_new"].pk}  # the search is still shown
    assert not SavedSearch.objects.exists()


def test_htmx_gets_the_results_alone_and_the_address_follows(personas: Personas, invoices: dict[str, Any]) -> None:
    client = client_for(personas.supervisor)
    sent = client.get("/search/", {"q": "faktura channel:x"}, headers=RESULTS)
    html = sent.content.decode()
    assert "<html" not in html and hits(html) == [invoices["x_en"].pk]
    assert 'id="result-count" hx-swap-oob="innerHTML">1 result<' in html  # announced outside the swapped part
    assert sent["HX-Push-Url"] == "/search/?q=faktura+channel%3Ax"
    # While typing the last word is a prefix, and the address is replaced rather than pushed.
    typing = client.get("/search/", {"q": "fakt"}, headers={**RESULTS, "X-Search-Typing": "1"})
    assert len(hits(typing.content.decode())) == 3
    assert typing["HX-Replace-Url"] == "/search/?q=fakt" and "HX-Push-Url" not in typing
    assert hits(client.get("/search/", {"q": "fakt"}, headers=RESULTS).content.decode()) == []
    # An unfinished filter while typing: the words before it are searched, no error yet.
    unfinished = client.get("/search/", {"q": "faktura status:op"}, headers={**RESULTS, "X-Search-Typing": "1"})
    assert len(hits(unfinished.content.decode())) == 3 and "unknown status" not in unfinished.content.decode()
    full = page(client, "faktura")
    assert full.startswith("<!doctype html>") and 'id="results"' in full


def test_more_results_adds_the_next_page(personas: Personas, index: str) -> None:
    for n in range(25):
        make_message(personas.org, f"Ruteren blinker rødt ({n})", kind="facebook")
    indexer.sync()
    client = client_for(personas.supervisor)
    first = page(client, "ruteren", order="newest")
    assert len(hits(first)) == 20 and "25 results" in first
    more = re.search(r'<li id="more" class="more"><a href="([^"]+)"', first)
    assert more is not None and "offset=20" in more.group(1)
    rest = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true", "HX-Target": "more"})
    html = rest.content.decode()
    assert html.lstrip().startswith("<li class=\"hit\"") and len(hits(html)) == 5 and 'id="more"' not in html
    assert not set(hits(html)) & set(hits(first))


@pytest.mark.parametrize(("who", "status"), [("agent", 200), ("supervisor", 200), ("admin", 200), ("analyst", 200)])
def test_every_role_of_the_desk_may_search(personas: Personas, index: str, who: str, status: int) -> None:
    assert client_for(getattr(personas, who)).get("/search/").status_code == status


def test_signing_in_comes_first_and_another_brand_sees_nothing(personas: Personas,
                                                                invoices: dict[str, Any]) -> None:
    anonymous = Client().get("/search/?q=faktura")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Client().post("/search/save/", {"q": "faktura", "name": "x"}).status_code == 302
    assert not SavedSearch.objects.exists()
    outsider = page(client_for(personas.outsider), "faktura")
    assert hits(outsider) == [] and "0 results" in outsider
    plain = make_user("nobody", personas.org, Role.AGENT)
    Agent.objects.filter(user=plain).delete()
    assert client_for(plain).get("/search/").status_code == 403
