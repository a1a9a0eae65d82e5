"""Searching the inbox and saved searches: the query language, what it finds, saving, sharing and deleting."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import screenshot, sign_in
from tests.conftest import Personas, client_for, ingest_ticket
from webcare.inbox import saved_searches, search
from webcare.inbox.models import SavedSearch
from webcare.tickets.actions import ActionError
from webcare.tickets.models import Label, Status, Ticket

HTMX = {"HX-Request": "true"}


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
])
def test_it_names_what_is_wrong_with_a_query(query: str, says: str) -> None:
    with pytest.raises(search.SearchError, match=says):
        search.parse(query)


@pytest.fixture
def three(personas: Personas) -> dict[str, Ticket]:
    invoice = ingest_ticket(personas, 1, conversation="c-1", author="u-1", text="Fakturaen er dobbelt trukket")
    outage = ingest_ticket(personas, 2, conversation="c-2", author="u-2", text="Nettet er nede i Bergen")
    outage.labels.add(Label.objects.create(organisation=personas.org, name="outage"))
    Ticket.objects.filter(pk=outage.pk).update(assignee=personas.agent, priority=1)
    solved = ingest_ticket(personas, 3, conversation="c-3", author="u-3", text="Takk for hjelpen med fakturaen")
    Ticket.objects.filter(pk=solved.pk).update(status=Status.SOLVED)
    return {"invoice": invoice, "outage": outage, "solved": solved}


def found(personas: Personas, query: str) -> set[int]:
    return {t.pk for t in saved_searches.tickets(personas.org, query, personas.agent)}


def test_it_finds_words_in_messages_subjects_and_handles(personas: Personas, three: dict[str, Ticket]) -> None:
    assert found(personas, "FAKTURA") == {three["invoice"].pk, three["solved"].pk}
    assert found(personas, "faktura dobbelt") == {three["invoice"].pk}
    assert found(personas, "@u-2") == {three["outage"].pk}
    assert found(personas, "nothing-like-this") == set()


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
def test_it_searches_and_saves_the_search_in_the_browser(browser: Any, live_server: Any, personas: Personas) -> None:
    invoice = ingest_ticket(personas, 1, conversation="c-1", author="u-1", text="Fakturaen er dobbelt trukket")
    other = ingest_ticket(personas, 2, conversation="c-2", author="u-2", text="Nettet er nede i Bergen")
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
