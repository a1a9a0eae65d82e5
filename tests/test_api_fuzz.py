"""Schemathesis over the REST API's own OpenAPI schema (``/api/v1/openapi.json``), with a valid token: every
operation gets generated requests — valid and invalid bodies, queries and paths — and each answer must be no 5xx,
carry a status code and content type the schema declares, and match the schema's body for that status.

Bounded: a few examples per operation (``EXAMPLES``), so the whole run takes about a minute on two cores. It runs
in-process through the WSGI application against the test database, with a small organisation of real data (a ticket
from the ingestion path), so paths with real ids are exercised too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Personas, ingest_ticket
from webcare.core.models import ApiToken

#: Generated requests per operation: enough to find a crash on a malformed field, small enough for ~a minute.
EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_token(personas: Personas) -> Iterator[str]:
    """A valid token of an organisation with one ticket. The WSGI handler closes the database connection after
    each request (``close_old_connections``), which would end the test's transaction: Django's test client turns
    that off around its requests, and so does this, around the whole test."""
    ingest_ticket(personas, 1)
    _, plain = ApiToken.issue(personas.org, "fuzz")
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield plain
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


#: The schema as the running application serves it (read once, at collection; it needs no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_the_api_answers_every_generated_request_as_its_schema_says(case: Any, api_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
