"""The customer endpoints: search, one customer, edits, merge and split."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import ApiClient, Personas, inbound_payload
from webcare.conversations.models import Conversation
from webcare.core.models import Channel
from webcare.customers.merge import do_merge
from webcare.customers.models import Customer, CustomerHistory, Identity
from webcare.ingest.receive import receive
from webcare.ingest.worker import drain

URL = "/api/v1/customers"



def ingest(channel: Channel, *payloads: dict[str, Any]) -> None:
    for payload in payloads:
        receive(channel, payload, external_id=payload["message_id"])
    drain()


def message(n: int, author: str, name: str, handle: str, conversation: str = "") -> dict[str, Any]:
    payload = inbound_payload(n, conversation=conversation or f"c-{n}", author=author)
    payload["author"] = {"id": author, "handle": handle, "name": name}
    return payload


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def people(personas: Personas) -> dict[str, Customer]:
    """Kari (two threads), Ola and Åse, each with one identity on the API channel."""
    ingest(personas.channel,
           message(1, "u-1", "Kari Nordmann", "@kari"),
           message(2, "u-1", "Kari Nordmann", "@kari"),
           message(3, "u-2", "Ola Hansen", "@olah"),
           message(4, "4790000000", "Åse Berg", "+47 900 00 000"))
    return {c.name.split()[0]: c for c in Customer.objects.all()}


def test_it_lists_customers_by_name_with_their_identities(api: ApiClient, people: dict[str, Customer]) -> None:
    data = api.get(URL).json()
    assert [item["name"] for item in data["items"]] == ["Kari Nordmann", "Ola Hansen", "Åse Berg"]
    kari = data["items"][0]
    assert kari["identities"] == [{"id": Identity.objects.get(external_id="u-1").pk, "platform": "api",
                                   "external_id": "u-1", "handle": "@kari", "display_name": "Kari Nordmann"}]
    assert kari["merged_into"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=nordmann", ["Kari"]), ("q=OLAH", ["Ola"]), ("q=4790", ["Åse"]), ("q=a", ["Kari", "Ola"]),
        ("q=Berg", ["Åse"]), ("q=zzz", []), ("identity=u-2", ["Ola"]), ("identity=@kari", ["Kari"]), ("identity=u", []),
        ("q=kari&identity=u-2", []),
    ],
)
def test_it_searches_names_handles_and_platform_ids(api: ApiClient, people: dict[str, Customer], query: str,
                                                    expected: list[str]) -> None:
    assert ids(api.get(f"{URL}?{query}")) == [people[name].pk for name in expected]


def test_it_lists_a_customer_once_however_many_identities_match(api: ApiClient, personas: Personas,
                                                                people: dict[str, Customer]) -> None:
    Identity.objects.create(organisation=personas.org, customer=people["Kari"], platform="x", external_id="k2",
                            handle="@kari_x")
    assert ids(api.get(f"{URL}?q=kari")) == [people["Kari"].pk]


def test_it_pages_customers_by_name_and_hides_merged_ones(api: ApiClient, personas: Personas) -> None:
    names = ["b", "a", "c", "a", "b", "d", "a"]
    made = [Customer.objects.create(organisation=personas.org, name=n) for n in names]
    Customer.objects.create(organisation=personas.other_org, name="a")
    do_merge(made[5], made[2], None)
    expected = [c.pk for c in sorted(made, key=lambda c: (c.name, c.pk)) if c.pk != made[2].pk]
    assert ids(api.get(URL)) == expected
    seen: list[int] = []
    cursor = ""
    while True:
        data = api.get(f"{URL}?limit=2&cursor={cursor}").json()
        seen += [item["id"] for item in data["items"]]
        cursor = data["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_it_lists_customers_in_a_constant_number_of_queries(api: ApiClient, personas: Personas) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            api.get(URL)
        return len(queries)

    api.get(URL)
    ingest(personas.channel, message(1, "u-1", "A", "@a"))
    few = count()
    ingest(personas.channel, *(message(n, f"u-{n}", f"N{n}", f"@{n}") for n in range(2, 12)))
    assert count() == few


def test_it_shows_a_customer_with_identities_conversation_count_and_history(
        api: ApiClient, personas: Personas, people: dict[str, Customer]) -> None:
    do_merge(people["Kari"], people["Ola"], personas.agent)
    data = api.get(f"{URL}/{people['Kari'].pk}").json()
    assert data["conversations_count"] == 3
    assert [i["external_id"] for i in data["identities"]] == ["u-1", "u-2"]
    assert [(h["kind"], h["customer"], h["other"], h["actor"]) for h in data["history"]] == [
        ("merge", people["Kari"].pk, people["Ola"].pk, "kari")]
    merged = api.get(f"{URL}/{people['Ola'].pk}").json()  # still readable, pointing at where it went
    assert (merged["merged_into"], merged["identities"], len(merged["history"])) == (people["Kari"].pk, [], 1)


def test_it_edits_a_customer(api: ApiClient, people: dict[str, Customer]) -> None:
    kari = people["Kari"]
    response = api.patch_json(f"{URL}/{kari.pk}", {"customer_number": "10042", "notes": "Foretrekker e-post."})
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["customer_number"], response.json()["notes"]) == (
        "Kari Nordmann", "•••42", "Foretrekker e-post.")  # the answer masks the number (webcare/access)
    kari.refresh_from_db()
    assert kari.customer_number == "10042"
    assert api.patch_json(f"{URL}/{kari.pk}", {"notes": ""}).json()["notes"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": None}, "name"), ({"name": "x" * 201}, "name"), ({"customer_number": 42}, "customer_number"),
     ({"email": "x@example.test"}, "email"), ({"notes": ["a"]}, "notes")],
)
def test_it_refuses_an_invalid_customer_edit_with_422(api: ApiClient, people: dict[str, Customer],
                                                      body: dict[str, Any], field: str) -> None:
    response = api.patch_json(f"{URL}/{people['Kari'].pk}", {"customer_number": "1", **body})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {field}
    people["Kari"].refresh_from_db()
    assert people["Kari"].customer_number == ""


def test_it_refuses_to_edit_a_merged_customer(api: ApiClient, people: dict[str, Customer]) -> None:
    do_merge(people["Kari"], people["Ola"], None)
    response = api.patch_json(f"{URL}/{people['Ola'].pk}", {"name": "Ola"})
    assert response.status_code == 400
    assert "merged into" in response.json()["error"]


def test_it_merges_a_customer_into_another(api: ApiClient, people: dict[str, Customer]) -> None:
    kari, ola = people["Kari"], people["Ola"]
    response = api.post_json(f"{URL}/{kari.pk}/merge", {"other": ola.pk})
    assert response.status_code == 200, response.content
    data = response.json()
    assert len(data["identities"]) == 2
    assert data["conversations_count"] == 3
    assert data["history"][0]["kind"] == "merge"
    ola.refresh_from_db()
    assert ola.merged_into_id == kari.pk


def test_it_refuses_bad_merges(api: ApiClient, personas: Personas, people: dict[str, Customer]) -> None:
    kari, ola, ase = people["Kari"], people["Ola"], people["Åse"]
    theirs = Customer.objects.create(organisation=personas.other_org, name="Theirs")
    itself = api.post_json(f"{URL}/{kari.pk}/merge", {"other": kari.pk})
    assert (itself.status_code, set(itself.json()["fields"])) == (400, {"other"})
    foreign = api.post_json(f"{URL}/{kari.pk}/merge", {"other": theirs.pk})
    assert (foreign.status_code, foreign.json()["fields"]) == (404, {"other": "no such customer"})
    into_foreign = api.post_json(f"{URL}/{theirs.pk}/merge", {"other": kari.pk})
    assert into_foreign.status_code == 404
    assert api.post_json(f"{URL}/{kari.pk}/merge", {"other": "ola"}).status_code == 422
    assert api.post_json(f"{URL}/{kari.pk}/merge", {}).json()["fields"] == {"other": "Field required"}
    api.post_json(f"{URL}/{kari.pk}/merge", {"other": ola.pk})
    again = api.post_json(f"{URL}/{ase.pk}/merge", {"other": ola.pk})
    assert (again.status_code, "already merged" in again.json()["error"]) == (400, True)
    assert CustomerHistory.objects.count() == 1


def test_it_splits_identities_off_into_a_new_customer(api: ApiClient, personas: Personas,
                                                      people: dict[str, Customer]) -> None:
    kari, ola = people["Kari"], people["Ola"]
    do_merge(kari, ola, None)
    ola_identity = Identity.objects.get(external_id="u-2")
    response = api.post_json(f"{URL}/{kari.pk}/split", {"identities": [ola_identity.pk]})
    assert response.status_code == 201, response.content
    new = response.json()
    assert (new["name"], [i["id"] for i in new["identities"]], new["conversations_count"]) == (
        "Ola Hansen", [ola_identity.pk], 1)
    assert new["history"][0]["kind"] == "split"
    assert Conversation.objects.filter(customer=kari).count() == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"identities": []}, 422, "identities"),
        ({"identities": "1"}, 422, "identities"),
        ({"identities": ["first"]}, 422, "identities.0"),
        ({}, 422, "identities"),
        ({"identities": [999999]}, 400, "identities"),
        ("own", 400, "identities"),  # every identity of the customer
    ],
)
def test_it_refuses_bad_splits(api: ApiClient, people: dict[str, Customer], body: Any, status: int,
                               field: str) -> None:
    kari = people["Kari"]
    if body == "own":
        body = {"identities": [Identity.objects.get(customer=kari).pk]}
    response = api.post(f"{URL}/{kari.pk}/split", data=json.dumps(body), content_type="application/json")
    assert response.status_code == status, response.content
    assert set(response.json()["fields"]) == {field}
    assert Customer.objects.count() == 3


@pytest.mark.parametrize("action", ["get", "patch", "merge", "split"])
def test_it_answers_404_for_another_organisations_customer(api: ApiClient, personas: Personas,
                                                           people: dict[str, Customer], action: str) -> None:
    theirs = Customer.objects.create(organisation=personas.other_org, name="Theirs")
    url = f"{URL}/{theirs.pk}"
    response = {
        "get": lambda: api.get(url),
        "patch": lambda: api.patch_json(url, {"name": "Mine now"}),
        "merge": lambda: api.post_json(f"{url}/merge", {"other": people["Kari"].pk}),
        "split": lambda: api.post_json(f"{url}/split", {"identities": [1]}),
    }[action]()
    assert (response.status_code, response.json()) == (404, {"error": "not found", "fields": {}})
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


@pytest.mark.parametrize(("method", "url"), [("get", URL), ("get", f"{URL}/1"), ("patch", f"{URL}/1"),
                                             ("post", f"{URL}/1/merge"), ("post", f"{URL}/1/split")])
def test_it_refuses_requests_without_a_valid_token(personas: Personas, method: str, url: str) -> None:
    for client in (Client(), ApiClient("wc_nope"), Client(headers={"Authorization": "Basic a2FyaTpwdw=="})):
        if method == "get":
            response = client.get(url)
        else:
            response = getattr(client, method)(url, data="{}", content_type="application/json")
        assert response.status_code == 401
