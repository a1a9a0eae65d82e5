"""Searching the inbox and saved searches: the query language, what it finds (free words through the search engine,
filters in the database), saving, sharing and deleting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, client_for, ingest_ticket
from tests.search_support import NOW, make_message, tantivy_index  # noqa: F401 — a fixture, through index()
from webcare.conversations.models import Message
from webcare.customers.models import Customer
from webcare.inbox import saved_searches, search
from webcare.inbox.models import SavedSearch
from webcare.search import indexer
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Label, Status, Ticket

HTMX = {"HX-Request": "true"}


@pytest.fixture
def index(request: pytest.FixtureRequest) -> str:
    """A fresh tantivy index of the test's own (``tantivy_index``, tests/search_support.py): its directory."""
    return str(request.getfixturevalue("tantivy_index"))


def test_it_splits_words_filters_and_ticket_numbers() -> None:
    parsed = search.parse('faktura "dobbelt trekk" status:open label:Outage #42 assignee:me status:pending')
    assert parsed.words == ("faktura", "dobbelt trekk")
    assert parsed.numbers == (42,)
    assert parsed.filters == {"status": ("open", "pending"), "label": ("Outage",), "assignee": ("me",)}


def test_it_keeps_a_colon_word_that_is_no_filter() -> None:
    assert search.parse("https://fjordnett.no/faktura kl:12").words == ("https://fjordnett.no/faktura", "kl:12")


@pytest.mark.parametrize(("query", "says"), [
    ("status:opne", "unknown status 'opne'"),
    ("stauts:open", "did you mean status:"),
    ("priority:asap", "unknown priority 'asap'"),
    ("is:mien", "unknown is:mien"),
    ("label:", "label: needs a value"),
    ('"unclosed', "quotation mark is not closed"),
    ("x" * 501, "at most 500 characters"),
    ("lang:klingon", "unknown language 'klingon'"),
    ("sentiment:grumpy", "unknown sentiment 'grumpy'"),
    ("intent:gossip", "unknown intent 'gossip'"),
    ("since:yesterday", "since: needs a date like since:2026-11-20"),
    ("until:2026-W48-1", "until: needs a date"),
    ("since:2026-11-20 since:2026-11-21", "since: can be given once"),
    ("since:2026-11-21 until:2026-11-20", "until: is before since:"),
    ("lnag:nb", "did you mean lang:"),
])
def test_it_names_what_is_wrong_with_a_query(query: str, says: str) -> None:
    with pytest.raises(search.SearchError, match=says):
        search.parse(query)


def test_it_reads_the_filters_of_the_search_page(personas: Personas) -> None:
    parsed = search.parse("faktura LANG:nb sentiment:negative intent:complaint intent:question since:2026-11-20 "
                          "until:2026-11-26")
    assert parsed.filters == {"lang": ("nb",), "sentiment": ("negative",), "intent": ("complaint", "question"),
                              "since": ("2026-11-20",), "until": ("2026-11-26",)}
    start, end = search.day_range(parsed)
    assert start is not None and end is not None
    assert (start.isoformat(), end.isoformat()) == ("2026-11-20T00:00:00+01:00", "2026-11-27T00:00:00+01:00")


def test_it_gives_the_engine_the_words_only() -> None:
    parsed = search.parse('faktura "dobbelt trekk" #42 status:open lang:nb')
    assert search.free_text(parsed) == 'faktura "dobbelt trekk"'
    assert search.engine_text(parsed) == 'faktura "dobbelt trekk" #42'
    assert search.to_text(parsed) == 'faktura "dobbelt trekk" #42 lang:nb status:open'


def ticket_of(message: Message) -> Ticket:
    """The ticket a message made (make_message always makes one)."""
    assert message.ticket is not None
    return message.ticket


@pytest.fixture
def three(personas: Personas, index: str) -> dict[str, Ticket]:
    invoice = ingest_ticket(personas, 1, conversation="c-1", author="u-1", text="Fakturaen er dobbelt trukket")
    outage = ingest_ticket(personas, 2, conversation="c-2", author="u-2", text="Nettet er nede i Bergen")
    outage.labels.add(Label.objects.create(organisation=personas.org, name="outage"))
    Ticket.objects.filter(pk=outage.pk).update(assignee=personas.agent, priority=1)
    solved = ingest_ticket(personas, 3, conversation="c-3", author="u-3", text="Takk for hjelpen med fakturaen")
    Ticket.objects.filter(pk=solved.pk).update(status=Status.SOLVED)
    indexer.sync()
    return {"invoice": invoice, "outage": outage, "solved": solved}


def found(personas: Personas, query: str) -> set[int]:
    return {t.pk for t in saved_searches.tickets(personas.org, query, personas.agent)}


def test_it_finds_words_in_messages_and_handles(personas: Personas, three: dict[str, Ticket]) -> None:
    assert found(personas, "FAKTURA") == {three["invoice"].pk, three["solved"].pk}
    assert found(personas, "faktura dobbelt") == {three["invoice"].pk}
    assert found(personas, "@u-2") == {three["outage"].pk}
    assert found(personas, "nothing-like-this") == set()


def test_it_matches_words_as_the_search_page_does(personas: Personas, three: dict[str, Ticket]) -> None:
    # Stemmed (fakturaer, fakturaene → faktura), typo-tolerant (fakturaenn), folded (nettett, bérgen).
    assert found(personas, "fakturaene") == {three["invoice"].pk, three["solved"].pk}
    assert found(personas, "fakturaenn") == {three["invoice"].pk, three["solved"].pk}
    assert found(personas, "bérgen nettett") == {three["outage"].pk}
    assert found(personas, '"dobbelt trukket"') == {three["invoice"].pk}
    assert found(personas, '"trukket dobbelt"') == set()


def test_a_word_that_is_a_customer_number_finds_that_customers_tickets(personas: Personas,
                                                                        three: dict[str, Ticket]) -> None:
    Customer.objects.filter(tickets=three["outage"]).update(customer_number="K-4411")
    assert found(personas, "k-4411") == {three["outage"].pk}


def test_the_engine_gives_at_most_the_ticket_limit_best_matches(personas: Personas, three: dict[str, Ticket],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "TICKET_LIMIT", 1)
    assert len(found(personas, "faktura")) == 1
    # A ticket number goes to the engine with the words, so the limit is not spent on other tickets.
    assert found(personas, f"faktura #{three['solved'].pk}") == {three["solved"].pk}


def test_a_query_the_engine_refuses_is_shown_with_its_reason(personas: Personas, three: dict[str, Ticket]) -> None:
    with pytest.raises(search.SearchError, match="#abc"):
        found(personas, "faktura #abc")
    page = client_for(personas.agent).get("/inbox/list/?view=search&q=faktura+%23abc").content.decode()
    assert "#abc" in page and "data-ticket=" not in page


def test_message_filters_must_hold_for_one_message_of_the_ticket(personas: Personas, index: str) -> None:
    org = personas.org
    nb_angry = ticket_of(make_message(org, "Fakturaen er feil", sentiment="negative", intents=("complaint",),
                                      sent_at=NOW - timedelta(days=3)))
    make_message(org, "Invoice is wrong", language="en", sentiment="neutral", ticket=nb_angry,
                 sent_at=NOW - timedelta(days=1))
    en_question = ticket_of(make_message(org, "Where is my invoice?", language="en",
                                         intents=("question", "complaint"), sent_at=NOW))
    indexer.sync()
    assert found(personas, "lang:nb") == {nb_angry.pk}
    assert found(personas, "lang:en") == {nb_angry.pk, en_question.pk}
    assert found(personas, "lang:en sentiment:negative") == set()  # the English message of nb_angry is neutral
    assert found(personas, "lang:nb sentiment:negative intent:complaint") == {nb_angry.pk}
    assert found(personas, "intent:question") == {en_question.pk}
    assert found(personas, "intent:complaint") == {nb_angry.pk, en_question.pk}
    assert found(personas, "since:2026-11-19") == {nb_angry.pk, en_question.pk}
    assert found(personas, "lang:nb since:2026-11-19") == set()
    assert found(personas, "until:2026-11-18") == {nb_angry.pk}
    assert found(personas, "invoice lang:en intent:question") == {en_question.pk}


def test_it_narrows_with_filters(personas: Personas, three: dict[str, Ticket]) -> None:
    assert found(personas, "faktura status:solved") == {three["solved"].pk}
    assert found(personas, "label:OUTAGE") == {three["outage"].pk}
    assert found(personas, "assignee:me") == {three["outage"].pk}
    assert found(personas, "assignee:none") == {three["invoice"].pk, three["solved"].pk}
    assert found(personas, "priority:urgent") == {three["outage"].pk}
    assert found(personas, "status:new status:solved") == {three["invoice"].pk, three["outage"].pk, three["solved"].pk}
    assert found(personas, f"#{three['invoice'].pk}") == {three["invoice"].pk}
    assert found(personas, "channel:api is:unassigned") == {three["invoice"].pk}


def test_it_never_finds_another_organisations_tickets(personas: Personas, three: dict[str, Ticket]) -> None:
    assert {t.pk for t in saved_searches.tickets(personas.other_org, "faktura", personas.outsider)} == set()
    page = client_for(personas.outsider).get("/inbox/list/?view=search&q=faktura").content.decode()
    assert f'data-ticket="{three["invoice"].pk}"' not in page


def test_it_lists_matches_in_the_list_pane(personas: Personas, three: dict[str, Ticket]) -> None:
    page = client_for(personas.agent).get("/inbox/list/?view=search&q=faktura").content.decode()
    assert f'data-ticket="{three["invoice"].pk}"' in page
    assert f'data-ticket="{three["outage"].pk}"' not in page
    assert "2 matches" in page


def test_it_shows_why_a_query_finds_nothing(personas: Personas, three: dict[str, Ticket]) -> None:
    page = client_for(personas.agent).get("/inbox/list/?view=search&q=stauts:open").content.decode()
    assert "did you mean status:" in page
    assert "data-ticket=" not in page


def test_it_saves_a_search_as_a_view_with_an_open_count(personas: Personas, three: dict[str, Ticket]) -> None:
    client = client_for(personas.agent)
    response = client.post("/inbox/searches/", {"name": "Invoices", "q": "faktura"}, headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "views-changed"
    saved = SavedSearch.objects.get(owner=personas.agent)
    assert (saved.name, saved.query, saved.shared) == ("Invoices", "faktura", False)
    nav = client.get("/inbox/views/").content.decode()
    # Two match, one of them solved: the count is the open work, like the fixed views' counts.
    assert f'data-view="saved:{saved.pk}">1<' in nav
    listed = client.get(f"/inbox/list/?view=saved:{saved.pk}").content.decode()
    assert f'data-ticket="{three["solved"].pk}"' in listed


@pytest.mark.parametrize(("name", "query", "field", "says"), [
    ("", "faktura", "name", "give the search a name"),
    ("x" * 81, "faktura", "name", "at most 80 characters"),
    ("Empty", "  ", "q", "type a search first"),
    ("Typo", "status:opne", "q", "unknown status"),
])
def test_it_refuses_a_bad_saved_search_and_stores_nothing(personas: Personas, name: str, query: str, field: str,
                                                          says: str) -> None:
    with pytest.raises(ActionError) as refused:
        saved_searches.do_save(personas.org, personas.agent, name, query)
    assert refused.value.field == field
    assert says in refused.value.message
    assert not SavedSearch.objects.exists()


def test_it_refuses_a_second_search_of_the_same_name_in_the_page(personas: Personas) -> None:
    client = client_for(personas.agent)
    client.post("/inbox/searches/", {"name": "Invoices", "q": "faktura"}, headers=HTMX)
    response = client.post("/inbox/searches/", {"name": "Invoices", "q": "regning"}, headers=HTMX)
    assert response.status_code == 422
    assert "already have a saved search called" in response.content.decode()
    assert SavedSearch.objects.get().query == "faktura"


def test_it_shows_shared_searches_to_colleagues_and_private_ones_to_nobody_else(personas: Personas) -> None:
    mine = saved_searches.do_save(personas.org, personas.agent, "Mine only", "faktura")
    shared = saved_searches.do_save(personas.org, personas.agent, "Outages", "label:outage", shared=True)
    colleague = client_for(personas.supervisor).get("/inbox/views/").content.decode()
    assert "Outages" in colleague and "Mine only" not in colleague
    assert client_for(personas.supervisor).get(f"/inbox/list/?view=saved:{mine.pk}").status_code == 404
    assert client_for(personas.outsider).get(f"/inbox/list/?view=saved:{shared.pk}").status_code == 404


def test_it_lets_only_the_owner_or_an_admin_delete(personas: Personas) -> None:
    shared = saved_searches.do_save(personas.org, personas.agent, "Outages", "label:outage", shared=True)
    refused = client_for(personas.supervisor).post(f"/inbox/searches/{shared.pk}/delete/", headers=HTMX)
    assert refused.status_code == 422
    assert "only the owner or an admin" in refused.content.decode()
    assert SavedSearch.objects.filter(pk=shared.pk).exists()
    assert client_for(personas.admin).post(f"/inbox/searches/{shared.pk}/delete/", headers=HTMX).status_code == 200
    assert not SavedSearch.objects.filter(pk=shared.pk).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_searches_and_saves_the_search_in_the_browser(browser: Any, live_server: Any, personas: Personas,
                                                         index: str) -> None:
    invoice = ingest_ticket(personas, 1, conversation="c-1", author="u-1", text="Fakturaen er dobbelt trukket")
    other = ingest_ticket(personas, 2, conversation="c-2", author="u-2", text="Nettet er nede i Bergen")
    indexer.sync()
    page = sign_in(browser, live_server, "kari", viewport={"width": 1280, "height": 720})
    page.locator(f'#list .row[data-ticket="{other.pk}"]').wait_for()
    page.keyboard.press("/")
    page.keyboard.type("faktura")
    page.keyboard.press("Enter")
    page.locator(f'#list .row[data-ticket="{other.pk}"]').wait_for(state="detached")
    assert page.locator("#list .row").count() == 1
    assert "view=search" in page.url and "q=faktura" in page.url

    page.get_by_label("Save as").fill("Invoices")
    page.get_by_role("button", name="Save search").click()
    saved = page.locator("#views a", has_text="Invoices")
    saved.wait_for()
    assert saved.locator(".count").inner_text() == "1"
    screenshot(page, "inbox-saved-search")
    page.reload()  # the address names the saved search, so a reload shows it again
    page.locator(f'#list .row[data-ticket="{invoice.pk}"]').wait_for()
    assert page.locator(".search-name").inner_text().startswith("Invoices")
