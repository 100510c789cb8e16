"""Reads on organisation units: who existed on a day, who took over from whom, and "who is
responsible on date D" for a unit named in a plan of an earlier year.

Org units and successions change a few times a year but are walked on most pages, so they
are read once per process (`orgunit_graph`, `common.kept`) and read again only when either
table has changed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, IntegerField, OrderBy, Value, When

from common.kept import Kept
from common.text import sort_key
from orgunits.models import OrgUnit, OrgUnitKind, Succession

_KIND_ORDER = {kind.value: i for i, kind in enumerate(OrgUnitKind)}


def orgunit_sort_key(unit: OrgUnit) -> tuple[int, str, str]:
    """Kind in the order OrgUnitKind declares them (province … special zone, enterprise),
    then the name in the order of the Vietnamese alphabet (common.text.sort_key)."""
    return (_KIND_ORDER.get(unit.kind, len(_KIND_ORDER)), unit.name_sort or sort_key(unit.name),
            unit.code)


def orgunit_ordering(prefix: str = "") -> list[OrderBy]:
    """`orgunit_sort_key` as a database ordering, for a queryset of units or of rows
    pointing at one (`prefix` such as "org_unit__"); the stored name key keeps both equal."""
    kind = Case(*(When(**{f"{prefix}kind": value}, then=Value(rank))
                  for value, rank in _KIND_ORDER.items()),
                default=Value(len(_KIND_ORDER)), output_field=IntegerField())
    return [kind.asc(), F(f"{prefix}name_sort").asc(), F(f"{prefix}code").asc()]


@dataclass(frozen=True)
class OrgUnitGraph:
    """Every org unit and succession. Shared by every request of a process: read-only
    (copy a unit before changing it)."""

    units: dict[int, OrgUnit]
    outgoing: dict[int, list[Succession]]  # by predecessor id, in date order
    incoming: dict[int, list[Succession]]  # by successor id, in date order


def _graph_build() -> OrgUnitGraph:
    units = {u.pk: u for u in OrgUnit.objects.select_related("parent")}
    outgoing: dict[int, list[Succession]] = defaultdict(list)
    incoming: dict[int, list[Succession]] = defaultdict(list)
    for row in Succession.objects.order_by("date", "pk"):
        row.predecessor = units[row.predecessor_id]
        row.successor = units[row.successor_id]
        outgoing[row.predecessor_id].append(row)
        incoming[row.successor_id].append(row)
    return OrgUnitGraph(units, dict(outgoing), dict(incoming))


_graph = Kept(_graph_build, OrgUnit, Succession)


def orgunit_graph() -> OrgUnitGraph:
    """The org units and successions, read again only when they changed: one query when
    nothing changed, three when something did."""
    return _graph.get()


def orgunit_within_ids(*, unit: OrgUnit) -> set[int]:
    """The ids of `unit` and every unit below it (its children, theirs, ...), from the
    cached graph."""
    children: dict[int, list[int]] = defaultdict(list)
    for other in orgunit_graph().units.values():
        if other.parent_id is not None:
            children[other.parent_id].append(other.pk)
    found, todo = {unit.pk}, [unit.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _outgoing() -> dict[int, list[Succession]]:
    """Every succession, with its successor, grouped by predecessor id."""
    return orgunit_graph().outgoing


def _walk(unit: OrgUnit, day: dt.date, outgoing: dict[int, list[Succession]],
          found: dict[int, OrgUnit], seen: set[int], task: str | None = None) -> None:
    """Collect in `found` who holds `unit`'s duties on `day`. A transfer that names tasks
    moves only those: with `task`, one that names it and is in force takes the task away
    from `unit` (open or closed); otherwise such transfers are not followed."""
    if unit.pk in seen:
        return
    seen.add(unit.pk)
    rows = outgoing.get(unit.pk, [])
    if task is not None:
        moved = [r for r in rows if task in r.tasks and r.date <= day]
        if moved:
            for row in moved:
                _walk(row.successor, day, outgoing, found, seen, task)
            return
    if unit.is_active_on(day):
        found.setdefault(unit.pk, unit)
        return
    if unit.valid_from is not None and unit.valid_from > day:
        return  # not yet opened
    for row in rows:
        if row.date <= day and not row.tasks:
            _walk(row.successor, day, outgoing, found, seen, task)


def orgunit_successors_on(*, unit: OrgUnit, day: dt.date) -> list[OrgUnit]:
    """Who holds `unit`'s duties on `day`: the unit itself if it is active that day; if it
    closed on or before `day`, its successors on `day`, following chains (tx-dong-trieu →
    tp-dong-trieu → its wards); [] if it had not yet opened, or closed with no successor.
    One query (the graph's fingerprint)."""
    found: dict[int, OrgUnit] = {}
    _walk(unit, day, _outgoing(), found, set())
    return sorted(found.values(), key=orgunit_sort_key)


class SuccessionGraph:
    """Every succession (`orgunit_graph`), for callers that walk many units:
    `responsible_on` answers as `orgunits_responsible_on` with no further query."""

    def __init__(self) -> None:
        self.outgoing = _outgoing()
        self.transferred_tasks = frozenset(
            task for rows in self.outgoing.values() for row in rows for task in row.tasks
        )

    def responsible_on(self, units: Iterable[OrgUnit], day: dt.date,
                       task: str | None = None) -> list[OrgUnit]:
        """With `task` ("141/KH-UBND IV.7.1"), transfers of that task are followed too."""
        found: dict[int, OrgUnit] = {}
        for unit in units:
            _walk(unit, day, self.outgoing, found, set(), task)
        return sorted(found.values(), key=orgunit_sort_key)


def orgunits_responsible_on(*, units: Iterable[OrgUnit], day: dt.date) -> list[OrgUnit]:
    """The union of `orgunit_successors_on` for every unit, without duplicates, ordered by
    kind then name. One query (the graph's fingerprint), however many units."""
    return SuccessionGraph().responsible_on(units, day)


def orgunits_of_kinds_on(*, kinds: Iterable[str], day: dt.date) -> list[OrgUnit]:
    """Units of the given kinds active on `day`, ordered by kind then name. One query."""
    units = OrgUnit.objects.active_on(day).filter(kind__in=list(kinds))
    return sorted(units, key=orgunit_sort_key)


def orgunits_active_on(*, day: dt.date | None, kinds: Iterable[str] | None = None
                       ) -> list[OrgUnit]:
    """Units active on `day` (all units if `day` is None), optionally only some kinds,
    with their parent; ordered by kind then name. One query."""
    qs = OrgUnit.objects.select_related("parent")
    if day is not None:
        qs = qs.active_on(day)
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    return sorted(qs, key=orgunit_sort_key)


def orgunit_by_code(*, code: str) -> OrgUnit | None:
    return OrgUnit.objects.select_related("parent").filter(code=code).first()


@dataclass(frozen=True)
class HistoryLink:
    """One step of a unit's history: the other unit, when, how, and what share."""

    unit: OrgUnit
    date: dt.date
    kind: str
    share: Decimal | None
    uncertain: bool
    note: str

    def kind_label(self) -> str:
        return str(dict(Succession._meta.get_field("kind").flatchoices).get(self.kind, self.kind))


@dataclass(frozen=True)
class UnitHistory:
    unit: OrgUnit
    predecessors: list[HistoryLink]
    successors: list[HistoryLink]


def orgunit_history(*, unit: OrgUnit) -> UnitHistory:
    """The units `unit` took over from and the units that took over from it, with dates,
    for a unit page. One query."""
    preds: list[HistoryLink] = []
    succs: list[HistoryLink] = []
    rows = Succession.objects.filter(predecessor=unit) | Succession.objects.filter(
        successor=unit
    )
    for row in rows.select_related("predecessor", "successor").order_by("date", "pk"):
        if row.successor_id == unit.pk:
            preds.append(HistoryLink(row.predecessor, row.date, row.kind, row.share,
                                     row.uncertain, row.note))
        else:
            succs.append(HistoryLink(row.successor, row.date, row.kind, row.share,
                                     row.uncertain, row.note))
    preds.sort(key=lambda link: (link.date, orgunit_sort_key(link.unit)))
    succs.sort(key=lambda link: (link.date, orgunit_sort_key(link.unit)))
    return UnitHistory(unit=unit, predecessors=preds, successors=succs)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _share(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def orgunit_tree(*, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Every unit as plain data (for JSON exports), ordered by kind then name: code, names,
    kind, parent code, validity, official code, uncertainty, and its successors and
    predecessors (code, date, kind, share). With `day`, only the units active that day.
    Two queries."""
    units = list(OrgUnit.objects.all())
    code_of = {u.pk: u.code for u in units}
    successors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    predecessors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in Succession.objects.order_by("date", "pk"):
        successors[row.predecessor_id].append({
            "code": code_of[row.successor_id], "date": row.date.isoformat(),
            "kind": row.kind, "share": _share(row.share), "uncertain": row.uncertain,
            "tasks": list(row.tasks),
        })
        predecessors[row.successor_id].append({
            "code": code_of[row.predecessor_id], "date": row.date.isoformat(),
            "kind": row.kind, "share": _share(row.share), "uncertain": row.uncertain,
            "tasks": list(row.tasks),
        })
    if day is not None:
        units = [u for u in units if u.is_active_on(day)]
    return [
        {
            "code": u.code,
            "name": u.name,
            "name_en": u.name_en,
            "short_name": u.short_name,
            "kind": u.kind,
            "parent": code_of.get(u.parent_id) if u.parent_id else None,
            "valid_from": _iso(u.valid_from),
            "valid_to": _iso(u.valid_to),
            "official_code": u.official_code,
            "email": u.email,
            "uncertain": u.uncertain,
            "successors": successors.get(u.pk, []),
            "predecessors": predecessors.get(u.pk, []),
        }
        for u in sorted(units, key=orgunit_sort_key)
    ]
