"""``GET /api/v1/search``: token auth, the typed answer (hits, total, facets), filters by name, clear refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient
from tests.search_support import NOW, make_message
from webcare.core.models import ApiToken
from webcare.search import indexer

URL = "/api/v1/search"

#: The search fixtures (search_backend: each backend with a fresh index; tantivy_index).
pytest_plugins = ["tests.search_support"]


def test_it_needs_a_token_and_sees_only_its_organisation(search_backend: str, personas: Any, api: ApiClient) -> None:
    make_message(personas.org, "Fakturaen er feil", language="nb")
    indexer.sync()
    assert Client().get(URL, {"q": "faktura"}).status_code == 401
    _, other = ApiToken.issue(personas.other_org, "other")
    response = ApiClient(other).get(URL, {"q": "faktura"})
    assert response.status_code == 200 and response.json()["total"] == 0
    assert api.get(URL, {"q": "faktura"}).json()["total"] == 1


def test_hits_total_and_facets_in_the_documented_shape(search_backend: str, personas: Any, api: ApiClient) -> None:
    org = personas.org
    message = make_message(org, "Ruteren på hytta er ødelagt", language="nb", kind="x", team=personas.team,
                           assignee=personas.agent, sentiment="negative", intents=("complaint",), sent_at=NOW)
    make_message(org, "Ruteren virker igjen", language="nb", kind="facebook", sent_at=NOW - timedelta(days=1))
    indexer.sync()
    response = api.get(URL, {"q": "odelagt ruter", "limit": 5})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"hits", "total", "facets", "took_ms"} and body["total"] == 1
    hit = body["hits"][0]
    assert set(hit) == {"message_id", "ticket_id", "conversation_id", "customer_id", "channel", "language",
                        "sent_at", "score", "snippet", "highlights"}
    assert (hit["message_id"], hit["ticket_id"], hit["channel"], hit["language"]) == (
        message.pk, message.ticket_id, "x", "nb")
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["Ruteren", "ødelagt"]
    assert set(body["facets"]) == {"channel", "language", "sentiment", "intent", "status", "team", "assignee", "date"}
    assert body["facets"]["team"] == [{"value": str(personas.team.pk), "count": 1, "label": "customer-service"}]
    assert body["facets"]["assignee"] == [{"value": str(personas.agent.pk), "count": 1, "label": "kari"}]


def test_filters_take_names_lists_and_dates(search_backend: str, personas: Any, api: ApiClient) -> None:
    org = personas.org
    mine = make_message(org, "Ruteren blinker", language="nb", kind="x", status="open", team=personas.team,
                        assignee=personas.agent, sentiment="negative", intents=("complaint",), sent_at=NOW)
    other = make_message(org, "Ruteren blinker ikke", language="da", kind="email", status="solved",
                         sentiment="positive", intents=("praise",), sent_at=NOW - timedelta(days=10))
    indexer.sync()

    def found(**params: Any) -> list[int]:
        response = api.get(URL, {"q": "ruteren", **params})
        assert response.status_code == 200, response.content
        return [hit["message_id"] for hit in response.json()["hits"]]

    assert found(channel="x,facebook") == [mine.pk]
    assert found(language="da") == [other.pk]
    assert found(sentiment="negative") == [mine.pk]
    assert found(intent="praise") == [other.pk]
    assert found(status=["open", "new"]) == [mine.pk]
    assert found(team="customer-service") == [mine.pk] == found(team=str(personas.team.pk))
    assert found(team="none") == [other.pk]
    assert found(assignee="kari") == [mine.pk]
    assert found(assignee="none") == [other.pk]
    assert found(since=(NOW - timedelta(days=2)).date().isoformat()) == [mine.pk]
    assert found(until="2026-11-15T00:00:00+00:00") == [other.pk]
    assert found(order="newest") == [mine.pk, other.pk]
    assert found(order="newest", offset=1) == [other.pk]


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"limit": 0}, 422, "limit"), ({"limit": 500}, 422, "limit"), ({"offset": -1}, 422, "offset"),
    ({"order": "oldest"}, 422, "order"), ({"since": "yesterday"}, 422, "since"),
    ({"channel": "myspace"}, 400, "channel"), ({"status": "gone"}, 400, "status"), ({"q": "#12x"}, 400, "q"),
    ({"team": "nobody"}, 400, "team"), ({"assignee": "nobody"}, 400, "assignee"),
    ({"since": "2026-11-20", "until": "2026-11-01"}, 400, "until"),
])
def test_bad_parameters_are_refused_naming_the_parameter(search_backend: str, personas: Any, api: ApiClient,
                                                         params: dict[str, Any], status: int, field: str) -> None:
    response = api.get(URL, params)
    assert response.status_code == status, response.content
    assert field in response.json()["fields"], response.json()
