"""The REST API (django-ninja): typed schemas, an OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs.

Every endpoint needs an API token (``Authorization: Bearer wc_…``) and sees only its organisation's data: another
organisation's objects answer 404, exactly like missing ones. The schema and the docs page are public (they describe
the API, not data); the docs page loads Swagger UI from ninja's bundled static files, never from a CDN, and has
Swagger UI's online validator switched off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ninja import NinjaAPI, Swagger

from webcare.api import (
    conversations,
    customers,
    errors,
    events,
    inbound,
    incidents,
    messages,
    protect,
    search,
    tickets,
)
from webcare.api.auth import TokenAuth

if TYPE_CHECKING:
    from ninja.operation import Operation

DESCRIPTION = """\
webcare's REST API. Authenticate with an organisation's API token: `Authorization: Bearer wc_…`
(`webcare apitoken --org SLUG --name NAME` issues one).

Errors are always `{"error": "…", "fields": {"path.to.field": "…"}}`. Lists are paginated with cursors: pass the
`next_cursor` of a page as `cursor` to get the next one; it is null on the last page.

Personal data is masked by default: a message's `text` is its masked text (`[PHONE]`, `[EMAIL]` …), e-mail addresses
and phone numbers in identities, author names, customer numbers and notes are partly hidden (`k•••@example.no`).
A token issued with `--can-reveal` may ask for originals per request with `reveal=<purpose>` (and `reveal_reason=…`
where the purpose needs one: legal_request, other); each such request is recorded as a reveal and in the audit log.
"""


class WebcareAPI(NinjaAPI):
    """ninja's API with short operation ids (``list_tickets``, not ``webcare_api_tickets_list_tickets``)."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = WebcareAPI(
    title="webcare API", version="1", description=DESCRIPTION, urls_namespace="api", auth=TokenAuth(),
    parser=errors.JsonParser(),
    # No validator badge: Swagger UI would otherwise load it from validator.swagger.io, telling a third party the
    # schema's URL; the docs page must work offline and call nothing but this server.
    docs=Swagger(settings={"validatorUrl": None}),
)
errors.install(api)
api.add_router("", inbound.router)
api.add_router("/tickets", tickets.router)
api.add_router("/tickets", protect.router)
api.add_router("", conversations.router)
api.add_router("/messages", messages.router)
api.add_router("/customers", customers.router)
api.add_router("/events", events.router)
api.add_router("/incidents", incidents.router)
api.add_router("", search.router)
