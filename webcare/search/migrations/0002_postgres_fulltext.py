"""PostgreSQL only: the ``tsvector`` column of the full-text backend, its GIN index, and a trigram index on the folded
text for typo-tolerant matching (``pg_trgm``, ``fuzzystrmatch``: PostgreSQL's own contrib extensions, trusted, so the
database owner may create them). On SQLite nothing happens: the PostgreSQL backend refuses to run there."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
    "ALTER TABLE search_searchdocument ADD COLUMN vector tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX searchdoc_vector ON search_searchdocument USING gin (vector)",
    "CREATE INDEX searchdoc_folded_trgm ON search_searchdocument USING gin (folded gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS searchdoc_folded_trgm",
    "DROP INDEX IF EXISTS searchdoc_vector",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector",
]


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
