"""The one change log of the data-file loaders (plans, org units, the unit table): every
created, updated or deleted row with its changes field by field (old → new), and the rows
left as they were, counted by kind; and `upsert`, which loads one row by its natural key so
that loading a file twice changes nothing and an edited file updates rows in place."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models


def shown(value: Any) -> str:
    """A value in a change line: dates ISO, decimals without trailing zeros, texts quoted
    (and shortened)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return str(value)


def same(old: Any, new: Any) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (old is None and new is None) or (
            old is not None and new is not None and Decimal(old) == Decimal(new))
    return bool(old == new)


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.field.removesuffix('_id')}: {shown(self.old)} → {shown(self.new)}"


@dataclass
class Change:
    """One created, updated or deleted row: `model` a kind of row ("unit", "task"), `key`
    its natural key; an update lists its field changes or says what changed (`note`)."""

    model: str
    key: str
    action: str  # created | updated | deleted
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.model} {self.key}"

    def __str__(self) -> str:
        detail = self.note or "; ".join(str(c) for c in self.changes)
        return f"{self.label}: {detail}" if self.action == "updated" and detail else self.label


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class ChangeLog:
    """What a load did."""

    changes: list[Change] = field(default_factory=list)
    kept: Counter[str] = field(default_factory=Counter)  # rows left as they were, by model

    def record(self, model: str, key: str, action: str, changes: list[FieldChange] | None = None,
               note: str = "") -> Change:
        change = Change(model, str(key), action, list(changes or []), note)
        self.changes.append(change)
        return change

    def keep(self, model: str) -> None:
        self.kept[model] += 1

    def has(self, model: str, key: str, action: str) -> bool:
        return any(c.model == model and c.key == key and c.action == action
                   for c in self.changes)

    def tally(self, model: str) -> Tally:
        actions = Counter(c.action for c in self.changes if c.model == model)
        return Tally(actions["created"], actions["updated"], self.kept[model])

    def _of(self, action: str) -> list[str]:
        return [str(c) for c in self.changes if c.action == action]

    @property
    def created(self) -> list[str]:
        return self._of("created")

    @property
    def updated(self) -> list[str]:
        return self._of("updated")

    @property
    def deleted(self) -> list[str]:
        return self._of("deleted")

    @property
    def unchanged(self) -> int:
        return sum(self.kept.values())

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def lines(self) -> list[str]:
        marks = {"created": "+", "updated": "~", "deleted": "-"}
        return [f"{marks[c.action]} {c}" for c in self.changes]

    def upsert(self, model: type[models.Model], what: str, key: str, lookup: dict[str, Any],
               values: dict[str, Any]) -> Any:
        """Create the row found by `lookup` with `values`, or update only the fields whose
        value differs (saving nothing when none does); log it as `what` `key`."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
            self.record(what, key, "created")
            return obj
        changes = [FieldChange(name, getattr(obj, name), new) for name, new in values.items()
                   if not same(getattr(obj, name), new)]
        if changes:
            for change in changes:
                setattr(obj, change.field, change.new)
            obj.save()
            self.record(what, key, "updated", changes)
        else:
            self.keep(what)
        return obj
