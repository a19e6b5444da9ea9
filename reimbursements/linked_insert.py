"""Insert a row and the rows that point at it in one SQL statement (one round trip).

The fast answers (a re-upload answered from the cache) write a document together with its
scan verdict, extraction and audit events. With the ORM that is BEGIN, four INSERTs and
COMMIT: six round trips to PostgreSQL, most of that path's time. Here the rows go in as
one statement of data-modifying CTEs, which PostgreSQL runs atomically on its own:

    WITH p AS (INSERT INTO document (...) VALUES (...) RETURNING id),
         c0 AS (INSERT INTO scanresult (document_id, ...) VALUES ((SELECT id FROM p), ...)
                RETURNING id),
         ...
    SELECT (SELECT id FROM p), (SELECT id FROM c0), ...

Values are prepared by each model field exactly as ``Model.save()`` would prepare them
(``pre_save`` for ``auto_now_add``, ``get_db_prep_save`` for JSON, dates and the rest),
so a field added to a model later is written here too. PostgreSQL runs it as one
statement; other databases (SQLite in development has no data-modifying CTEs) get the
same rows from ``save()`` calls in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Field, Model, TextField

# psycopg remembers how it split a statement around its parameters only for statements with
# at most 50 of them (``psycopg._queries.MAX_CACHED_STATEMENT_PARAMS``, guarding its
# 128-entry LRU against bulk INSERTs of varying length). A cache hit's statement has ~70,
# so every hit split ~2 kB of SQL again: 0.5 ms p50, 1.2 ms p99 of the insert (measured
# over 300 hits). ``tests/reimbursements/test_linked_insert.py`` fails if psycopg renames it.
STATEMENT_PARAMS_CACHED = 100


def cache_long_statements() -> None:
    """Let psycopg cache the split of statements with up to ``STATEMENT_PARAMS_CACHED``
    parameters (called once, when the app is ready)."""
    from psycopg import _queries

    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < STATEMENT_PARAMS_CACHED:
        _queries.MAX_CACHED_STATEMENT_PARAMS = STATEMENT_PARAMS_CACHED


@dataclass(frozen=True)
class Child:
    """A row to insert with ``links``: the attributes (``attname``, e.g. ``document_id`` or a
    text ``object_id``) that take the parent's new primary key."""

    obj: Model
    links: tuple[str, ...]


def _insert(obj: Model, *, parent_alias: str | None, links: Sequence[str]) -> tuple[str, list[Any]]:
    meta = obj._meta
    quote = connection.ops.quote_name
    columns: list[str] = []
    values: list[str] = []
    params: list[Any] = []
    for field in meta.local_concrete_fields:
        assert isinstance(field, Field)
        if field.primary_key and obj.pk is None:
            continue  # the database assigns it
        columns.append(quote(field.column))
        if field.attname in links:
            assert parent_alias is not None
            as_text = isinstance(field, CharField | TextField)
            cast = "::text" if as_text else ""
            values.append(f"(SELECT id{cast} FROM {parent_alias})")  # noqa: S608 (no input)
            continue
        values.append("%s")
        params.append(field.get_db_prep_save(field.pre_save(obj, True), connection=connection))
    pk_column = quote(meta.pk.column) if meta.pk is not None else "id"
    # Only quoted identifiers from the model's metadata are spliced in; values are params.
    sql = f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "
    sql += f"VALUES ({', '.join(values)}) RETURNING {pk_column} AS id"
    return sql, params


def insert_linked(parent: Model, children: Sequence[Child]) -> None:
    """Insert ``parent`` and ``children`` atomically and fill in their primary keys and
    links, as ``save()`` would have: one statement on PostgreSQL."""
    if connection.vendor != "postgresql":
        save_linked(parent, children)
        return
    parts: list[str] = []
    params: list[Any] = []
    sql, part_params = _insert(parent, parent_alias=None, links=())
    parts.append(f"p AS ({sql})")
    params.extend(part_params)
    for index, child in enumerate(children):
        sql, part_params = _insert(child.obj, parent_alias="p", links=child.links)
        parts.append(f"c{index} AS ({sql})")
        params.extend(part_params)
    aliases = ["p"] + [f"c{i}" for i in range(len(children))]
    selects = [f"(SELECT id FROM {alias})" for alias in aliases]  # noqa: S608 (no input)
    statement = f"WITH {', '.join(parts)} SELECT {', '.join(selects)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    assert row is not None
    parent_pk, *child_pks = row
    _saved(parent, parent_pk)
    for child, pk in zip(children, child_pks, strict=True):
        for attname in child.links:
            _link(child.obj, attname, parent_pk)
        _saved(child.obj, pk)


def save_linked(parent: Model, children: Sequence[Child]) -> None:
    """The same rows through ``save()``, one statement each, in one transaction."""
    with transaction.atomic():
        parent.save(force_insert=True)
        for child in children:
            for attname in child.links:
                _link(child.obj, attname, parent.pk)
            child.obj.save(force_insert=True)


def _link(obj: Model, attname: str, pk: object) -> None:
    field = next(f for f in obj._meta.concrete_fields if f.attname == attname)
    setattr(obj, attname, field.to_python(pk))


def _saved(obj: Model, pk: object) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
