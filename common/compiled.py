"""Hot queries compiled to SQL once per process and run again with new values.

On the busiest paths (the signed-in user of every page, a report's own row on every form
and save) the ORM spends more time compiling a query (its joins, the columns of each
`select_related` model, its lookups) than the database spends running it. A `Compiled`
query is built by an ordinary queryset the first time, from stand-in values, and its SQL
and column layout are kept; later calls put the real values in place of the stand-ins and
build the model objects as the ORM does (`select_related` objects included).

Only for values compared whole with integer or text columns (`pk=`, `code=`, `digest=`):
a value the ORM would transform (a `LIKE` pattern, a date) is refused when the query is
first compiled, so the compiled query can never differ from the queryset it stands for."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# stand-ins: integers inside a 32-bit column's range (the ORM drops a lookup on a value
# out of a column's range), text no input can hold (NUL is refused everywhere)
_INT_BASE = -2_000_000_000
_BIGINT = (-(2**63), 2**63 - 1)


@dataclass
class _Plan:
    sql: str
    params: list[Any]
    slots: list[tuple[int, str]]
    compiler: Any
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]


class Compiled(Generic[M]):
    """`build(**values)`'s queryset, compiled once per process and thread (and database);
    `params` names each value and its type (`int` or `str`)."""

    def __init__(self, build: Callable[..., QuerySet[M]], **params: type) -> None:
        if not params or any(kind not in (int, str) for kind in params.values()):
            raise TypeError("Compiled takes int or str parameters")
        self._build = build
        self._params = params
        self._local = threading.local()

    def _standins(self) -> dict[str, Any]:
        return {name: (_INT_BASE + i if kind is int else f"\x00compiled:{name}\x00")
                for i, (name, kind) in enumerate(self._params.items())}

    def _plan(self, alias: str) -> _Plan:
        plans = self._local.__dict__.setdefault("plans", {})
        if (plan := plans.get(alias)) is not None:
            return plan
        standins = self._standins()
        queryset = self._build(**standins)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        by_value = {(type(v), v): name for name, v in standins.items()}
        slots = [(i, by_value[(type(p), p)]) for i, p in enumerate(params)
                 if (type(p), p) in by_value]
        missing = set(standins) - {name for _i, name in slots}
        altered = [p for i, p in enumerate(params) if isinstance(p, str) and "\x00compiled:"
                   in p and i not in dict(slots)]
        bad = missing | {name for name, v in standins.items()
                         if isinstance(v, str) and any(v in p for p in altered)}
        if bad:  # a value the ORM transformed or dropped: not for this
            raise ValueError(f"Compiled: parameters {sorted(bad)} are not compared whole")
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        plan = _Plan(sql=sql, params=list(params), slots=slots, compiler=compiler,
                     init_list=[f[0].target.attname for f in select[start:end]],
                     start=start, end=end,
                     # Django 5.2's signature (the stubs follow a later release)
                     populators=get_related_populators(  # type: ignore[call-arg]
                         klass_info, select, alias),
                     annotations=dict(compiler.annotation_col_map or {}))
        plans[alias] = plan
        return plan

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[M]:
        """The rows for `values`, as the queryset would return them."""
        if values.keys() != self._params.keys():
            raise TypeError(f"Compiled takes {sorted(self._params)}")
        for name, value in values.items():
            if type(value) is not self._params[name]:
                raise TypeError(f"{name}: {self._params[name].__name__} expected")
            # what the ORM would match nothing for, rather than a database error
            if isinstance(value, int) and not _BIGINT[0] <= value <= _BIGINT[1]:
                return []
            if isinstance(value, str) and "\x00" in value:
                return []
        plan = self._plan(using)
        params = list(plan.params)
        for i, name in plan.slots:
            params[i] = values[name]
        with connections[using].cursor() as cursor:
            cursor.execute(plan.sql, params)
            fetched = cursor.fetchall()
        model = plan.compiler.klass_info["model"]
        out = []
        for row in plan.compiler.results_iter([fetched]):
            obj = model.from_db(using, plan.init_list, row[plan.start:plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            out.append(obj)
        return out

    def one(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> M | None:
        """The row for `values`, or None, where the query's filter names one row at most
        (a key or a unique constraint)."""
        found = self.rows(using=using, **values)
        return found[0] if found else None
