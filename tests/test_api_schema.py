"""The OpenAPI schema and the docs page: complete, public, consistent, and served without any CDN."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from tests.conftest import ApiClient

SCHEMA_URL = "/api/v1/openapi.json"
METHODS = ("get", "post", "patch", "put", "delete")

EXPECTED = {
    ("post", "/api/v1/inbound"),
    ("post", "/api/v1/messages/{message_id}/retry"), ("post", "/api/v1/messages/{message_id}/moderate"),
    ("get", "/api/v1/tickets"), ("get", "/api/v1/tickets/{ticket_id}"), ("patch", "/api/v1/tickets/{ticket_id}"),
    ("post", "/api/v1/tickets/{ticket_id}/replies"), ("post", "/api/v1/tickets/{ticket_id}/notes"),
    ("post", "/api/v1/tickets/{ticket_id}/no-reply-needed"),
    ("post", "/api/v1/tickets/{ticket_id}/links"), ("post", "/api/v1/tickets/{ticket_id}/protect"),
    ("get", "/api/v1/conversations"), ("get", "/api/v1/conversations/{conversation_id}"),
    ("get", "/api/v1/conversations/{conversation_id}/messages"), ("get", "/api/v1/messages"),
    ("get", "/api/v1/customers"), ("get", "/api/v1/customers/{customer_id}"),
    ("patch", "/api/v1/customers/{customer_id}"), ("post", "/api/v1/customers/{customer_id}/merge"),
    ("post", "/api/v1/customers/{customer_id}/split"),
    ("get", "/api/v1/events"), ("get", "/api/v1/events/{event_id}"), ("post", "/api/v1/events/{event_id}/retry"),
    ("get", "/api/v1/incidents"), ("get", "/api/v1/incidents/{incident_id}"), ("get", "/api/v1/search"),
}


@pytest.fixture
def schema(client: Client, db: None) -> dict[str, Any]:
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return dict(response.json())


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, operation) for path, item in schema["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_it_serves_the_schema_without_a_token_and_lists_every_endpoint(schema: dict[str, Any]) -> None:
    assert schema["info"]["title"] == "webcare API"
    assert {(method, path) for method, path, _ in operations(schema)} == EXPECTED


def test_it_declares_token_auth_and_the_error_format_on_every_operation(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"error", "fields"}
    operation_ids = []
    for method, path, operation in operations(schema):
        assert operation["security"] == [{"TokenAuth": []}], (method, path)
        for status in ("401", "422"):
            error = operation["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
        operation_ids.append(operation["operationId"])
        assert re.fullmatch(r"[a-z_]+", operation["operationId"])
    assert len(set(operation_ids)) == len(operation_ids)


def test_every_list_pages_with_a_cursor_and_never_an_offset(schema: dict[str, Any]) -> None:
    lists = 0
    for method, path, operation in operations(schema):
        if method != "get":
            continue
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"].get("$ref", "")
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else {}
        if set(component.get("properties", {})) != {"items", "next_cursor"}:
            continue
        lists += 1
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert {"cursor", "limit"} <= set(parameters), path
        assert not {"offset", "page"} & set(parameters), path
        assert (parameters["limit"]["schema"]["minimum"], parameters["limit"]["schema"]["maximum"]) == (1, 200)
    assert lists == 7


def test_it_documents_the_inbound_body_as_the_message_format_plus_the_envelope(schema: dict[str, Any]) -> None:
    body = schema["components"]["schemas"]["InboundIn"]
    assert {"message_id", "conversation_id", "conversation_kind", "author", "sent_at", "channel", "event_id"} <= set(
        body["properties"])
    assert set(body["required"]) == {"message_id", "conversation_id", "conversation_kind", "author", "sent_at"}
    assert body["additionalProperties"] is False


def test_every_operation_refuses_a_request_without_a_token(schema: dict[str, Any]) -> None:
    client = Client()
    for method, path, _ in operations(schema):
        url = re.sub(r"\{[a-z_]+\}", "1", path)
        response = getattr(client, method)(url, data="{}", content_type="application/json") if method != "get" else (
            client.get(url))
        assert response.status_code == 401, (method, path)
        assert response.json()["error"].startswith("missing API token")


class _Assets(HTMLParser):
    """Collects every URL an HTML page makes the browser load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_the_docs_page_loads_only_local_static_files(client: Client, db: None) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)
    assert parser.urls, "the page should load Swagger UI"
    for url in parser.urls:
        assert url.startswith("/static/"), url
        assert client.get(url).status_code == 200, url
    assert "//" not in "".join(parser.urls)
    assert '"url": "/api/v1/openapi.json"' in html
    # Swagger UI would otherwise show a badge loaded from validator.swagger.io.
    assert '"validatorUrl": null' in html


def test_it_answers_an_unknown_api_path_with_a_json_404(api: ApiClient) -> None:
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": "no such API endpoint: GET /api/v1/no-such-thing"}
