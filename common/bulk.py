"""Storing many rows at once (an import's entries, lines and audit records): new ones
(`rows_insert`; `values_insert` for rows of plain values, no objects made) and changed
ones (`rows_update`), a few statements whatever their number.

On PostgreSQL the rows go through COPY (new rows with ids taken from the table's sequence
in one query first; changed rows into a scratch table that one UPDATE joins): Django's
bulk_create and bulk_update build and escape every value of every row in Python (JSON
texts worst: an audit record's changes cost more than the row itself), COPY hands them
to the server as they are. Elsewhere (SQLite), and for a few rows (one form's save), it
is bulk_create and bulk_update. Either way the objects come back as after `save()`: ids
set, `auto_now` dates and a `NamedModel`'s sort and search keys made. Like bulk_create,
no signals are sent."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import connections, models, router

from common.models import NamedModel

# below this many rows, COPY's extra round trips cost more than it saves
COPY_FROM = 100


def rows_insert(*, objs: Sequence[models.Model], batch_size: int = 1000) -> None:
    """Insert `objs` (new objects of one model, without ids) inside the caller's
    transaction; a unique value already taken raises IntegrityError, as a save would."""
    if not objs:
        return
    model = type(objs[0])
    _keys_refresh(objs)
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    opts = model._meta
    pk = opts.pk
    assert pk is not None and pk.column is not None
    fields = [cast(models.Field, f) for f in opts.concrete_fields if f is not pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM "
                       "generate_series(1, %s)", [opts.db_table, pk.column, len(objs)])
        for obj, (pk_value,) in zip(objs, cursor.fetchall(), strict=True):
            setattr(obj, pk.attname, pk_value)
        for obj in objs:  # a reference to an object stored since it was set: its id
            _references_take_ids(obj, "rows_insert")
        values = _readers(fields, connection, add=True)
        _copy(connection, cursor, model, [pk, *fields],
              ([obj.pk, *(value(obj) for value in values)] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def values_insert(*, model: type[models.Model], fields: Sequence[str],
                  rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows`, each the values of `fields` (names or attnames: `enterprise_id`) as
    the database stores them (ids, numbers, texts), inside the caller's transaction. On
    PostgreSQL no object is made: a derived table's tens of thousands of rows (the
    progress summary of an import) cost more as objects than as the COPY itself."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
        model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=1000)
        return
    targets = [cast(models.Field, model._meta.get_field(name)) for name in fields]
    with connection.cursor() as cursor:
        _copy(connection, cursor, model, targets, rows)


def _copy(connection: Any, cursor: Any, model: type[models.Model],
          fields: Sequence[models.Field], rows: Any) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or "") for f in fields)
    with connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# fields whose stored value is the attribute's as it is (psycopg adapts it)
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _readers(fields: Sequence[models.Field], connection: Any, *, add: bool
             ) -> list[Callable[[models.Model], Any]]:
    """Per field, what gives an object's value as the database stores it: what `save()`
    sends, read without Django's conversions where they change nothing (a reference's
    id, a text, a number), which an import would pay for every cell."""
    readers: list[Callable[[models.Model], Any]] = []
    for field in fields:
        if field.is_relation or isinstance(field, _AS_IS):
            readers.append(operator.attrgetter(field.attname))
        else:
            # pre_save sets auto_now(_add) dates on the object too, as save() does
            readers.append(functools.partial(_prepared, field, connection, add))
    return readers


def _prepared(field: models.Field, connection: Any, add: bool, obj: models.Model) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, add=add), connection=connection)


def _references_take_ids(obj: models.Model, operation: str) -> None:
    # what save() and bulk_create do first (Django's own, not in its type stubs); raises
    # ValueError for a reference to an object never stored
    obj._prepare_related_fields_for_save(operation_name=operation)  # type: ignore[attr-defined]


def _keys_refresh(objs: Sequence[models.Model]) -> None:
    for obj in objs:
        if isinstance(obj, NamedModel):
            obj.text_keys_refresh()


def rows_update(*, objs: Sequence[models.Model], fields: Sequence[str],
                batch_size: int = 1000) -> None:
    """Store `fields` of `objs` (stored objects of one model) inside the caller's
    transaction, in a few statements whatever their number. `updated_at` (auto_now) is
    set and stored too, and a `NamedModel`'s sort and search keys, as by `save()`."""
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    names = list(dict.fromkeys(fields))
    for field in opts.concrete_fields:
        if getattr(field, "auto_now", False) and field.name not in names:
            names.append(field.name)
    if issubclass(model, NamedModel):
        names += [n for n in ("name_sort", "search_text") if n not in names]
    _keys_refresh(objs)
    connection = connections[router.db_for_write(model)]
    targets = [cast(models.Field, opts.get_field(n)) for n in names]
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        for obj in objs:
            for field in targets:
                field.pre_save(obj, add=False)
        if len(objs) == 1:  # the usual save: a plain UPDATE costs half a one-row CASE's
            model._default_manager.filter(pk=objs[0].pk).update(
                **{f.attname: getattr(objs[0], f.attname) for f in targets})
        else:
            model._default_manager.bulk_update(objs, names, batch_size=batch_size)
        return
    pk = opts.pk
    assert pk is not None
    quote = connection.ops.quote_name
    table, scratch = quote(opts.db_table), quote(f"rows_update_{opts.db_table}")
    columns = [quote(f.column or "") for f in [pk, *targets]]
    with connection.cursor() as cursor:
        # the new values go to a scratch table shaped like the columns written, then one
        # UPDATE joins it (a failure rolls the scratch table back with the rest)
        cursor.execute(f"CREATE TEMP TABLE {scratch} AS SELECT {', '.join(columns)} "
                       f"FROM {table} WITH NO DATA")
        for obj in objs:
            _references_take_ids(obj, "rows_update")
        values = _readers(targets, connection, add=False)
        with connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY {scratch} ({', '.join(columns)}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([obj.pk, *(value(obj) for value in values)])
        assignments = ", ".join(f"{c} = s.{c}" for c in columns[1:])
        cursor.execute(f"UPDATE {table} t SET {assignments} FROM {scratch} s "
                       f"WHERE t.{columns[0]} = s.{columns[0]}")
        cursor.execute(f"DROP TABLE {scratch}")
