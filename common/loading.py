"""Shared by the loaders of data files (plans, org units, the unit table): upsert one row
by its natural key and say what changed, so loading a file twice changes nothing and an
edited file updates rows in place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Upserted:
    obj: Any
    created: bool
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)

    def describe(self) -> str:
        """`field: 'old' → 'new'; …` for a report line."""
        return "; ".join(f"{name.removesuffix('_id')}: {short(old)} → {short(new)}"
                         for name, old, new in self.changes)


def upsert(model: type[models.Model], *, lookup: dict[str, Any], values: dict[str, Any]
           ) -> Upserted:
    """Create the row found by `lookup` with `values`, or update only the fields whose
    value differs (saving nothing when none does)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return Upserted(model._default_manager.create(**lookup, **values), created=True)
    changes = [(name, getattr(obj, name), new) for name, new in values.items()
               if getattr(obj, name) != new]
    if changes:
        for name, _old, new in changes:
            setattr(obj, name, new)
        obj.save()
    return Upserted(obj, created=False, changes=changes)


def short(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


@dataclass
class ChangeLog:
    """What a load did, one line per created, updated or deleted row."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def lines(self) -> list[str]:
        return ([f"+ {line}" for line in self.created] + [f"~ {line}" for line in self.updated]
                + [f"- {line}" for line in self.deleted])

    def upsert(self, model: type[models.Model], label: str, lookup: dict[str, Any],
               values: dict[str, Any]) -> Any:
        """`upsert` and log the outcome under `label`; returns the row."""
        result = upsert(model, lookup=lookup, values=values)
        if result.created:
            self.created.append(label)
        elif result.changes:
            self.updated.append(f"{label}: {result.describe()}")
        else:
            self.unchanged += 1
        return result.obj
