"""Values built from whole small tables that change a few times a year but are read on most
requests (org units and successions, a plan's questions), kept by each process and built
again only when one of the tables has changed.

Each use costs one small query that fingerprints the tables: their row counts and last
changes (`updated_at`, auto_now). Every write path saves through the models or sets
`updated_at` itself, so any change moves the fingerprint, in this process or another; a
rolled-back change moves it back with the rows it wrote."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model

T = TypeVar("T")


def tables_fingerprint(*models: type[Model]) -> tuple[Any, ...]:
    """Row counts and last changes of the models' tables, in one query."""
    parts = ", ".join(f"(SELECT COUNT(*) FROM {t}), (SELECT MAX(updated_at) FROM {t})"
                      for t in (connection.ops.quote_name(m._meta.db_table) for m in models))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")  # table names from the models, not input
        row = cursor.fetchone()
    return (connection.alias, *row)


class Kept(Generic[T]):
    """`build()`'s result, shared by every request of a process while the fingerprint of
    `models` stays the same; read-only for its users (copy an object before changing it)."""

    def __init__(self, build: Callable[[], T], *models: type[Model]) -> None:
        self._build = build
        self._models = models
        self._held: tuple[tuple[Any, ...], T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        fingerprint = tables_fingerprint(*self._models)
        held = self._held
        if held is not None and held[0] == fingerprint:
            return held[1]
        with self._lock:
            value = self._build()
            self._held = (fingerprint, value)
        return value
