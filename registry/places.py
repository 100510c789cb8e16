"""Where a registry entry lies on a given day.

An entry keeps its place as recorded (a district before 1 July 2025, a commune-level unit
after). On day D it lies in:
- the recorded unit itself, if that unit exists on D;
- if the unit had closed by D, its successors on D (followed through chains of
  successions, as `orgunits.selectors.orgunit_successors_on` does); when there is exactly
  one, that one; when the unit was split among several, the entry's `later_place` (the
  unit it lies in after the split), itself resolved on D;
- if the unit did not yet exist on D (an entry recorded in a ward of 2025 counted in 2023),
  the unit(s) it was formed from, walked backwards the same way.
When several units remain and no `later_place` says which, the place is ambiguous: counts
show the entry under its recorded place, marked as divided.

The org units and successions come from `orgunit_graph` (read once per process, one query
to check they have not changed); every walk is in memory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from orgunits.models import OrgUnit
from orgunits.selectors import orgunit_graph, orgunit_sort_key


@dataclass(frozen=True)
class Resolved:
    """The unit an entry lies in on a day, or None with the candidates if ambiguous."""

    unit: OrgUnit | None
    candidates: tuple[OrgUnit, ...] = field(default_factory=tuple)

    @property
    def ambiguous(self) -> bool:
        return self.unit is None and len(self.candidates) > 1


class PlaceResolver:
    """Resolves recorded places to the units holding them on a day. One query."""

    def __init__(self) -> None:
        graph = orgunit_graph()
        self.units = graph.units
        self.outgoing = graph.outgoing
        self.incoming = graph.incoming
        self._memo: dict[tuple[int, int | None, dt.date], Resolved] = {}

    # -- walks
    def _forward(self, uid: int, day: dt.date, found: dict[int, OrgUnit], seen: set[int]) -> None:
        if uid in seen:
            return
        seen.add(uid)
        unit = self.units[uid]
        if unit.is_active_on(day):
            found.setdefault(uid, unit)
            return
        if unit.valid_from is not None and unit.valid_from > day:
            self._backward(uid, day, found, set())
            return
        for row in self.outgoing.get(uid, []):
            if row.date <= day:
                self._forward(row.successor_id, day, found, seen)

    def _backward(self, uid: int, day: dt.date, found: dict[int, OrgUnit],
                  seen: set[int]) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for row in self.incoming.get(uid, []):
            if row.date <= day:
                continue
            pred = self.units[row.predecessor_id]
            if pred.is_active_on(day):
                found.setdefault(pred.pk, pred)
            elif pred.valid_from is not None and pred.valid_from > day:
                self._backward(pred.pk, day, found, seen)

    def units_on(self, unit_id: int, day: dt.date) -> list[OrgUnit]:
        """The units holding `unit_id`'s territory on `day`, ordered by kind then name."""
        found: dict[int, OrgUnit] = {}
        self._forward(unit_id, day, found, set())
        return sorted(found.values(), key=orgunit_sort_key)

    def resolve(self, place_id: int, later_place_id: int | None, day: dt.date) -> Resolved:
        key = (place_id, later_place_id, day)
        if key not in self._memo:
            self._memo[key] = self._resolve(place_id, later_place_id, day)
        return self._memo[key]

    def _resolve(self, place_id: int, later_place_id: int | None, day: dt.date) -> Resolved:
        candidates = self.units_on(place_id, day)
        if len(candidates) == 1:
            return Resolved(candidates[0], tuple(candidates))
        if later_place_id is not None:
            later = self.units_on(later_place_id, day)
            if len(later) == 1:
                return Resolved(later[0], tuple(candidates))
        return Resolved(None, tuple(candidates))

    def formed_from_several(self, unit_id: int) -> bool:
        """Whether the unit was formed from parts of several units (xã Tiên Yên, from
        Tiên Yên and Bình Liêu): an entry recorded in it cannot tell which it lay in before."""
        return len({row.predecessor_id for row in self.incoming.get(unit_id, [])}) > 1

    def descendants(self, unit_id: int) -> set[int]:
        """Every unit that took over (part of) `unit_id`, at any depth and date."""
        out: set[int] = set()
        stack = [unit_id]
        while stack:
            for row in self.outgoing.get(stack.pop(), []):
                if row.successor_id not in out:
                    out.add(row.successor_id)
                    stack.append(row.successor_id)
        return out


def unit_label(obj: OrgUnit) -> str:
    """An org unit's name and, for units that opened or closed, when."""
    span = []
    if obj.valid_to:
        span.append(str(_("until %(date)s")) % {
            "date": date_format(obj.valid_to, "SHORT_DATE_FORMAT")})
    elif obj.valid_from and obj.valid_from.year >= 2024:
        span.append(str(_("from %(date)s")) % {
            "date": date_format(obj.valid_from, "SHORT_DATE_FORMAT")})
    return f"{obj.name} ({', '.join(span)})" if span else obj.name
