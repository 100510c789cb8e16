"""Reading and checking organisation-unit files (docs/orgunit-file.md) before anything
touches the database.

`orgunit_files_read(paths, known=...)` reads several files in order and returns an
`OrgUnitBatch` (plain data, every reference and date checked against the files and the
units already stored), or raises `DataFileError` listing every fault with its file, key
path and line. Writing is `orgunits.services.orgunits_load_files`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from common.datafile import DataFile, DataFileError, Fault, Where
from orgunits.models import OrgUnitKind, SuccessionKind

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_MAX = 40

UNIT_KEYS = {
    "code", "name", "name_en", "short_name", "kind", "parent", "valid_from", "valid_to",
    "official_code", "email", "uncertain", "source", "note", "note_en",
}
SUCCESSION_KEYS = {
    "from", "to", "date", "kind", "uncertain", "source", "note", "note_en", "tasks",
}
# A transferred task: the plan's code, a space, the task's ref ("141/KH-UBND IV.7.1").
_TASK_KEY = re.compile(r"^\S+ [A-Z]+(?:\.\d+)+$")
TOP_KEYS = {"units", "successions"}


class KnownUnit(Protocol):
    """What the reader needs to know of a unit already in the database."""

    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class UnitSpec:
    code: str
    name: str
    kind: str
    where: Where
    name_en: str = ""
    short_name: str = ""
    parent: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    official_code: str = ""
    email: str = ""
    uncertain: bool = False
    source: str = ""
    note: str = ""
    note_en: str = ""
    wheres: dict[str, Where] = field(default_factory=dict)

    def at(self, key: str) -> Where:
        return self.wheres.get(key, self.where)


@dataclass
class SuccessorSpec:
    code: str
    share: Decimal | None
    where: Where


@dataclass
class SuccessionSpec:
    """One line of the file: `from` (one or more units) → `to` on `date`. It stands for one
    Succession row per (predecessor, successor) pair that are different units."""

    predecessors: list[tuple[str, Where]]
    successors: list[SuccessorSpec]
    date: dt.date
    kind: str
    where: Where
    uncertain: bool = False
    source: str = ""
    note: str = ""
    note_en: str = ""
    tasks: list[str] = field(default_factory=list)
    date_where: Where | None = None

    @property
    def continuing(self) -> set[str]:
        """Predecessors that go on after this entry: those also listed as successors (they
        absorb the others), and every predecessor of a transfer (it passes some functions
        and closes only if another succession closes it)."""
        codes = {c for c, _w in self.predecessors}
        if self.kind == SuccessionKind.TRANSFER:
            return codes
        return codes & {s.code for s in self.successors}

    def pairs(self) -> Iterable[tuple[str, SuccessorSpec]]:
        for pred, _w in self.predecessors:
            for succ in self.successors:
                if succ.code != pred:
                    yield pred, succ


@dataclass
class OrgUnitBatch:
    """Everything read from the files, in file order, checked."""

    files: list[str]
    units: list[UnitSpec]
    successions: list[SuccessionSpec]
    # Code → (closing date, where) for every unit a succession in the batch closes.
    closings: dict[str, tuple[dt.date, Where]]


# --------------------------------------------------------------------------- the reader


class _Reader(DataFile):
    """The one data-file reader, with unit codes."""

    def code(self, value: Any, path: tuple) -> str | None:
        if not isinstance(value, str) or not value:
            self.fault(path, _("must be a unit code"))
            return None
        if len(value) > CODE_MAX or not _CODE.match(value):
            self.fault(
                path,
                _("'%(code)s' is not a valid code (lower-case letters, digits and hyphens, "
                  "at most %(max)d characters)") % {"code": value, "max": CODE_MAX},
            )
            return None
        return value


def _share(r: _Reader, item: dict, path: tuple) -> Decimal | None:
    share = r.number(item, path, "share")
    if share is None:
        return None
    if share <= 0 or share > 1:
        r.fault((*path, "share"), _("a share must be more than 0 and at most 1, not %s")
                % item["share"])
        return None
    if share != share.quantize(Decimal("0.0001")):
        r.fault((*path, "share"), _("a share has at most 4 decimal places"))
        return None
    return share


def _read_unit(r: _Reader, item: Any, i: int) -> UnitSpec | None:
    path: tuple = ("units", i)
    if not isinstance(item, dict):
        r.fault(path, _("must be a mapping of keys (code, name, kind, ...)"))
        return None
    r.keys(item, path, UNIT_KEYS)
    code = r.code(item.get("code"), (*path, "code"))
    name = r.text(item, path, "name", required=True, max_length=200)
    kind = r.choice(item, path, "kind", OrgUnitKind)
    parent = None
    if item.get("parent") is not None:
        parent = r.code(item.get("parent"), (*path, "parent"))
    email = r.text(item, path, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            r.fault((*path, "email"), _("'%s' is not an e-mail address") % email)
    spec = UnitSpec(
        code=code or "",
        name=name,
        kind=kind,
        where=r.where(path),
        name_en=r.text(item, path, "name_en", max_length=200),
        short_name=r.text(item, path, "short_name", max_length=60),
        parent=parent,
        valid_from=r.date(item, path, "valid_from"),
        valid_to=r.date(item, path, "valid_to"),
        official_code=r.text(item, path, "official_code", max_length=20),
        email=email,
        uncertain=r.flag(item, path, "uncertain"),
        source=r.text(item, path, "source"),
        note=r.text(item, path, "note"),
        note_en=r.text(item, path, "note_en"),
        wheres={k: r.where((*path, k)) for k in ("code", "parent", "valid_from", "valid_to")},
    )
    if spec.valid_from and spec.valid_to and spec.valid_to <= spec.valid_from:
        r.fault(
            (*path, "valid_to"),
            _("closes (%(to)s) before or when it opens (%(from)s)")
            % {"to": spec.valid_to, "from": spec.valid_from},
        )
    return spec if code else None


def _read_succession(r: _Reader, item: Any, i: int) -> SuccessionSpec | None:
    path: tuple = ("successions", i)
    if not isinstance(item, dict):
        r.fault(path, _("must be a mapping of keys (from, to, date, kind, ...)"))
        return None
    r.keys(item, path, SUCCESSION_KEYS)
    raw_from = item.get("from")
    predecessors: list[tuple[str, Where]] = []
    if raw_from is None or raw_from == []:
        r.fault((*path, "from"), _("is required"))
    elif isinstance(raw_from, list):
        for j, value in enumerate(raw_from):
            code = r.code(value, (*path, "from", j))
            if code:
                predecessors.append((code, r.where((*path, "from", j))))
    else:
        code = r.code(raw_from, (*path, "from"))
        if code:
            predecessors.append((code, r.where((*path, "from"))))
    raw_to = item.get("to")
    entries: list[tuple[Any, tuple]] = []
    if raw_to is None or raw_to == []:
        r.fault((*path, "to"), _("is required"))
    elif isinstance(raw_to, list):
        entries = [(value, (*path, "to", j)) for j, value in enumerate(raw_to)]
    else:
        entries = [(raw_to, (*path, "to"))]
    successors: list[SuccessorSpec] = []
    for value, vpath in entries:
        if isinstance(value, dict):
            r.keys(value, vpath, {"unit", "share"})
            code = r.code(value.get("unit"), (*vpath, "unit"))
            share = _share(r, value, vpath)
            where = r.where((*vpath, "unit"))
        else:
            code, share, where = r.code(value, vpath), None, r.where(vpath)
        if code:
            successors.append(SuccessorSpec(code, share, where))
    date = r.date(item, path, "date", required=True)
    kind = r.choice(item, path, "kind", SuccessionKind)
    if date is None:
        return None
    seen: set[str] = set()
    for code, where in predecessors:
        if code in seen:
            r.faults.append(Fault(where.file, where.path, where.line,
                                  _("'%s' is listed twice") % code))
        seen.add(code)
    seen = set()
    for succ in successors:
        if succ.code in seen:
            r.faults.append(Fault(succ.where.file, succ.where.path, succ.where.line,
                                  _("'%s' is listed twice") % succ.code))
        seen.add(succ.code)
    if predecessors and successors and {c for c, _w in predecessors} == {
        s.code for s in successors
    }:
        r.fault((*path, "to"), _("the successors are the same units as the predecessors"))
    tasks = _tasks(r, item.get("tasks"), (*path, "tasks"))
    if tasks and kind and kind != SuccessionKind.TRANSFER:
        r.fault((*path, "tasks"), _("only a transfer names tasks"))
    return SuccessionSpec(
        predecessors=predecessors,
        successors=successors,
        date=date,
        kind=kind,
        where=r.where(path),
        uncertain=r.flag(item, path, "uncertain"),
        source=r.text(item, path, "source"),
        note=r.text(item, path, "note"),
        note_en=r.text(item, path, "note_en"),
        tasks=tasks,
        date_where=r.where((*path, "date")),
    )


def _tasks(r: _Reader, value: Any, path: tuple) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        r.fault(path, _("must be a list of tasks (\"141/KH-UBND IV.7.1\")"))
        return []
    tasks: list[str] = []
    for j, item in enumerate(value):
        if not isinstance(item, str) or not _TASK_KEY.match(item.strip()):
            r.fault((*path, j), _("'%s' is not a task: write the plan code, a space and the "
                                  "task ref (\"141/KH-UBND IV.7.1\")") % (item,))
            continue
        if item.strip() in tasks:
            r.fault((*path, j), _("'%s' is listed twice") % item)
            continue
        tasks.append(item.strip())
    return tasks


# --------------------------------------------------------------------------- the batch


def orgunit_files_read(
    paths: Iterable[Path | str], *, known: Mapping[str, KnownUnit] | None = None
) -> OrgUnitBatch:
    """Read and check `paths` in order. `known` are the units already stored (code →
    object with valid_from/valid_to): files may refer to them. Raises DataFileError."""
    known = known or {}
    faults: list[Fault] = []
    files: list[str] = []
    units: list[UnitSpec] = []
    successions: list[SuccessionSpec] = []
    for raw_path in paths:
        path = Path(raw_path)
        files.append(str(path))
        try:
            r = _Reader.read(path, faults=faults)
        except DataFileError as exc:
            faults.extend(exc.faults)
            continue
        data = r.data
        if data is None:
            data = {}
        if not isinstance(data, dict):
            r.fault((), _("the file must be a mapping with 'units' and/or 'successions'"))
            continue
        r.keys(data, (), TOP_KEYS)
        for i, item in enumerate(_items(r, data, "units")):
            unit = _read_unit(r, item, i)
            if unit is not None:
                units.append(unit)
        for i, item in enumerate(_items(r, data, "successions")):
            succession = _read_succession(r, item, i)
            if succession is not None:
                successions.append(succession)
    closings = _check_batch(units, successions, known, faults)
    if faults:
        order = {name: i for i, name in enumerate(files)}
        faults.sort(key=lambda f: (order.get(f.file, len(order)), f.line or 0))
        raise DataFileError(faults)
    return OrgUnitBatch(files=files, units=units, successions=successions, closings=closings)


def _items(r: _Reader, data: dict, key: str) -> list[Any]:
    items = data.get(key) or []
    if not isinstance(items, list):
        r.fault((key,), _("must be a list"))
        return []
    return items


def _fault(faults: list[Fault], where: Where, message: str) -> None:
    faults.append(Fault(where.file, where.path, where.line, message))


def _check_batch(
    units: list[UnitSpec],
    successions: list[SuccessionSpec],
    known: Mapping[str, KnownUnit],
    faults: list[Fault],
) -> dict[str, tuple[dt.date, Where]]:
    """Cross-checks: duplicates, references, parent cycles and dates."""
    by_code: dict[str, UnitSpec] = {}
    for spec in units:
        if spec.code in by_code:
            first = by_code[spec.code].where
            _fault(faults, spec.at("code"),
                   _("duplicate code '%(code)s' (first at %(file)s line %(line)s)")
                   % {"code": spec.code, "file": first.file, "line": first.line})
            continue
        by_code[spec.code] = spec

    def exists(code: str) -> bool:
        return code in by_code or code in known

    for spec in by_code.values():
        if spec.parent is None:
            continue
        if spec.parent == spec.code:
            _fault(faults, spec.at("parent"), _("a unit cannot be its own parent"))
        elif not exists(spec.parent):
            _fault(faults, spec.at("parent"), _("unknown unit code '%s'") % spec.parent)
    # Parent cycles among the units of the batch.
    for spec in by_code.values():
        seen = {spec.code}
        parent = spec.parent
        while parent in by_code and parent is not None:
            if parent in seen:
                _fault(faults, spec.at("parent"), _("the parents form a cycle"))
                break
            seen.add(parent)
            parent = by_code[parent].parent

    def opens(code: str) -> dt.date | None:
        return by_code[code].valid_from if code in by_code else known[code].valid_from

    closings: dict[str, tuple[dt.date, Where]] = {}
    pairs: dict[tuple[str, str], Where] = {}
    for succ in successions:
        refs_ok = True
        for code, where in succ.predecessors:
            if not exists(code):
                _fault(faults, where, _("unknown unit code '%s'") % code)
                refs_ok = False
        for s in succ.successors:
            if not exists(s.code):
                _fault(faults, s.where, _("unknown unit code '%s'") % s.code)
                refs_ok = False
        for pred, s in succ.pairs():
            key = (pred, s.code)
            if key in pairs:
                first = pairs[key]
                _fault(faults, s.where,
                       _("the succession %(pred)s → %(succ)s is given twice (first at "
                         "%(file)s line %(line)s)")
                       % {"pred": pred, "succ": s.code, "file": first.file,
                          "line": first.line})
            pairs.setdefault(key, s.where)
        if not refs_ok:
            continue
        date_where = succ.date_where or succ.where
        continuing = succ.continuing
        for code, _where in succ.predecessors:
            opened = opens(code)
            if opened is not None and succ.date <= opened:
                _fault(faults, date_where,
                       _("%(code)s would close on %(date)s, before or when it opens "
                         "(%(opens)s)") % {"code": code, "date": succ.date, "opens": opened})
            if code in continuing:
                continue
            if code in closings and closings[code][0] != succ.date:
                first = closings[code][1]
                _fault(faults, date_where,
                       _("%(code)s is closed twice on different dates (%(a)s at %(file)s "
                         "line %(line)s, and %(b)s)")
                       % {"code": code, "a": closings[code][0], "file": first.file,
                          "line": first.line, "b": succ.date})
                continue
            closings.setdefault(code, (succ.date, date_where))
        for s in succ.successors:
            opened = opens(s.code)
            if opened is not None and opened > succ.date:
                _fault(faults, s.where,
                       _("%(code)s opens on %(opens)s, after the succession date %(date)s")
                       % {"code": s.code, "opens": opened, "date": succ.date})

    # A unit's explicit valid_to must agree with the succession that closes it; and every
    # successor must still exist on the succession date.
    for code, (date, where) in closings.items():
        closed = by_code.get(code)
        if closed is not None and closed.valid_to is not None and closed.valid_to != date:
            _fault(faults, closed.at("valid_to"),
                   _("valid_to %(to)s disagrees with the succession closing it on %(date)s "
                     "(%(file)s line %(line)s)")
                   % {"to": closed.valid_to, "date": date, "file": where.file,
                      "line": where.line})
    for succ in successions:
        for s in succ.successors:
            if s.code in succ.continuing:
                continue
            closes: dt.date | None = closings[s.code][0] if s.code in closings else None
            if closes is None:
                later = by_code.get(s.code)
                closes = later.valid_to if later is not None else (
                    known[s.code].valid_to if s.code in known else None
                )
            if closes is not None and closes <= succ.date:
                _fault(faults, s.where,
                       _("%(code)s closes on %(closes)s, so it cannot take over on %(date)s")
                       % {"code": s.code, "closes": closes, "date": succ.date})
    return closings
