"""Fast bulk INSERT and UPDATE for the ingestion worker's hot path.

Why not Django's ``bulk_create``/``bulk_update``: profiling the worker showed ``bulk_update`` building one
``CASE WHEN id=… THEN …`` expression per row and field (6 s of 9.9 s for 5,000 messages on SQLite), and
``bulk_create`` spending most of its time compiling per-field SQL for every object. Here each model gets one
statement shape, values are adapted once per field kind, and the driver does the rest: ``executemany`` for updates
(psycopg 3 pipelines it) and, on SQLite, multi-row ``INSERT … RETURNING id`` for inserts (on PostgreSQL Django's own
``bulk_create`` already sends one array per column, which measured faster there).

Only for plain models: no multi-table inheritance, no ``auto_now`` fields, no signals — which is what the ingestion
models are. Everything else keeps using the ORM. Fields encrypted at rest (:mod:`webcare.keys.fields`) are written
through their ``pre_save``, as ``save()`` would: this custom SQL must never store their plaintext.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

#: Field types whose Python value the drivers take as it is (no conversion needed).
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey,
          models.AutoField, models.BigAutoField)
#: Rows per INSERT statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
_INSERT_ROWS = 500


def _adapter(field: models.Field, connection: BaseDatabaseWrapper, add: bool) -> Callable[[models.Model], Any]:
    """How to get ``field``'s database value from an object: as it is for plain types, through ``pre_save`` (which
    encrypts) for encrypted fields, through Django's conversion for the rest."""
    attname = field.attname
    if getattr(field, "encrypted", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, add), connection)
    if isinstance(field, _PLAIN) and not isinstance(field, models.JSONField):
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)


def update_rows(objs: Sequence[models.Model], field_names: Sequence[str]) -> int:
    """Write ``field_names`` of each object in ``objs`` (all of one model) to its row. Returns the number of objects."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(meta.pk.column))} = %s"  # noqa: S608  # nosec B608
    adapters = [_adapter(field, connection, add=False) for field in fields]  # type: ignore[arg-type]
    rows = [[adapt(obj) for adapt in adapters] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


def insert_rows(objs: Sequence[models.Model]) -> None:
    """INSERT ``objs`` (all of one model, primary keys unset) and set their primary keys from ``RETURNING``.

    Raises ``IntegrityError`` like ``bulk_create`` when a constraint fails; the caller's transaction decides what
    happens next.
    """
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        # Django's bulk_create sends PostgreSQL one array per column (INSERT … SELECT FROM UNNEST), a statement whose
        # text does not grow with the rows; a long VALUES list made psycopg spend ~30 % of an import parsing it.
        model._default_manager.bulk_create(objs)
        return
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    adapters = [_adapter(field, connection, add=True) for field in fields]
    columns = ", ".join(quote(str(field.column)) for field in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = quote(str(meta.pk.column))  # type: ignore[union-attr]
    # A related object saved after it was assigned (obj.customer = new_customer, then new_customer inserted) has its
    # id only on the related object: copy it over, as bulk_create does.
    relations = [field for field in fields if field.many_to_one]
    for obj in objs:
        for field in relations:
            if getattr(obj, field.attname) is None and field.is_cached(obj):  # type: ignore[attr-defined]
                related = field.get_cached_value(obj)  # type: ignore[attr-defined]
                if related is not None:
                    setattr(obj, field.attname, related.pk)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), _INSERT_ROWS):
            chunk = objs[start : start + _INSERT_ROWS]
            params: list[Any] = []
            for obj in chunk:
                params.extend(adapt(obj) for adapt in adapters)
            values = ", ".join([one_row] * len(chunk))
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} RETURNING {pk}",  # noqa: S608  # nosec B608
                params,
            )
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) != len(chunk):
                raise RuntimeError(f"inserted {len(chunk)} {meta.model_name} rows but got {len(ids)} ids back")
            for obj, new_id in zip(chunk, ids, strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias
