"""Hand-written SQL for the few statements on the intake path (benchmark B2).

Building a filtered, ordered queryset costs Django 0.3-0.6 ms of Python on this kind of
machine, more than the query itself takes in PostgreSQL; an intake made four of them and two
INSERTs. Those statements are written once as SQL text: rows read become model instances the
way the ORM makes them for `.only(...)` (the selected fields loaded, the others deferred), and
rows written get each field's own conversion. Everything else stays on the ORM.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)

# The statements a PostgreSQL connection prepares and keeps a plan for (see `plan_cached`).
PLAN_CACHED: set[str] = set()


def plan_cached(sql: str) -> str:
    """Mark `sql` to be prepared on each PostgreSQL connection and run with the plan the
    server keeps for it (beatbook.core.postgresql): after five runs a generic plan, when it
    costs no more than one made for the values. Every other statement is planned for its own
    values on each run.

    Planning was most of what the intake's statements cost the database (0.1-0.13 ms each for
    the duplicate check and the nearest address, 17 indexes to weigh on `calls_call`; 0.01-0.08
    ms to run them). Only for statements of a fixed shape whose best plan does not depend on
    the values, each with a test of its generic plan: the Open311 list, whose window and
    type do change the best plan, ran five times slower on a generic one (benchmark B3)."""
    PLAN_CACHED.add(sql)
    return sql


def fetch_instances(
    model: type[M], fields: Sequence[str], sql: str, params: Sequence[Any]
) -> list[M]:
    """`model` instances from `sql`, whose columns are `fields` (attnames) in that order.

    Only plain columns (numbers, text, keys) may be selected: no database converters run."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [model.from_db(connection.alias, list(fields), row) for row in rows]


def db_datetime(value: dt.datetime) -> Any:
    """A datetime as the database compares it (SQLite keeps naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def columns(model: type[Model], fields: Sequence[str]) -> str:
    """The quoted table-qualified columns of `fields`, for a SELECT list."""
    quote = connection.ops.quote_name
    column = {f.attname: str(f.column) for f in model._meta.concrete_fields}
    return ", ".join(f"{table(model)}.{quote(column[name])}" for name in fields)


def insert_statement(
    model: type[Model],
    rows: int,
    *,
    expressions: Mapping[str, str] | None = None,
    returning: str | None = None,
) -> str:
    """An INSERT of `rows` rows of `model` whose values are the parameters `insert_params`
    gives, except the fields named in `expressions` (attname: SQL), which take that SQL in
    every row; it returns `returning` (default: the primary key)."""
    expressions = expressions or {}
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in _insert_fields(model))
    row = "(" + ", ".join(expressions.get(f.attname, "%s") for f in _insert_fields(model)) + ")"
    pk = quote(str(model._meta.pk.column))  # type: ignore[union-attr]
    return (
        f"INSERT INTO {table(model)} ({names}) "  # noqa: S608
        f"VALUES {', '.join([row] * rows)} RETURNING {returning or pk}"
    )


def insert_params(objs: Sequence[Model], *, skip: Collection[str] = ()) -> list[Any]:
    """The values of `objs` for `insert_statement`, each converted by its field as Django
    does (`skip`: the fields given by an expression)."""
    fields = [f for f in _insert_fields(type(objs[0])) if f.attname not in skip]
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]


def inserted(obj: Model, pk: Any) -> None:
    """Mark `obj` as written with primary key `pk`, as `save()` leaves it."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


@functools.cache
def _insert_sql(model: type[Model], rows: int) -> str:
    return insert_statement(model, rows)


@functools.cache
def _insert_fields(model: type[Model]) -> list[Field[Any, Any]]:
    return [f for f in model._meta.local_concrete_fields if not f.primary_key]


def saves_itself(model: type[Model]) -> bool:
    """Whether writing `model` other than by `save()` would skip its own code: its own
    `save()` or a pre/post-save receiver."""
    return (
        model.save is not Model.save
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
    )


def insert(objs: Sequence[Model], *, as_save: bool = False) -> None:
    """Write new `objs` (all of one model, no primary key set, no parent model) in one INSERT
    and give them their primary keys:
    what `bulk_create` does (no signals), without building the query each time (about 0.3 ms
    a call here). Values are converted by each field, as Django does.

    `as_save`: stand in for `save(force_insert=True)`; when the model has its own `save()` or
    a pre/post-save receiver, each object is saved by the ORM instead, so nothing is skipped."""
    if not objs:
        return
    model = type(objs[0])
    if as_save and saves_itself(model):
        for obj in objs:
            obj.save(force_insert=True)
        return
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35
        model._base_manager.bulk_create(objs)
        return
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(model, len(objs)), insert_params(objs))
        keys = cursor.fetchall()
    for obj, (pk,) in zip(objs, keys, strict=True):
        inserted(obj, pk)
