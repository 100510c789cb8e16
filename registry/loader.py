"""Reading and checking the unit table file (data/registry/units.yaml; its format is in the
file's header), by the one data-file reader (`common.datafile`). The whole file is checked
before anything is stored: a faulty file raises `DataFileError` with every fault, each with
its key path and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from common.datafile import DataFile
from registry.models import ItemRole


@dataclass
class UnitsSpec:
    kinds: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def _positive(f: DataFile, item: dict, path: tuple, key: str) -> Decimal | None:
    faults = len(f.faults)
    number = f.number(item, path, key)
    if len(f.faults) > faults:
        return None  # not a number: said already
    if number is None or number <= 0:
        f.fault((*path, key), "must be a positive number")
        return None
    return number


def units_file_read(path: Path | str) -> UnitsSpec:
    """Parse and check the file; returns plain data ready to store, or raises
    DataFileError listing every fault with its key path and line."""
    f = DataFile.read(path)
    raw = f.data
    if not isinstance(raw, dict):
        f.fault("", "the file must be a mapping with sources, kinds, units, items")
        f.raise_faults()
    sources = raw.get("sources") or {}
    if not isinstance(sources, dict):
        f.fault(("sources",), "must map keys to references")
        sources = {}

    def source_text(key: Any, where: tuple) -> str:
        if not isinstance(key, str) or key not in sources:
            f.fault((*where, "source"), f"unknown source {key!r} (declare it under 'sources')")
            return ""
        return f"{key}: {sources[key]}"

    spec = UnitsSpec()
    kinds: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(f.items(raw, (), "kinds")):
        where: tuple = ("kinds", i)
        if not isinstance(entry, dict):
            f.fault(where, "must be a mapping")
            continue
        code = f.text(entry, where, "code", required=True)
        if code in kinds:
            f.fault((*where, "code"), f"kind {code!r} declared twice")
        kind = {"code": code, "name": f.text(entry, where, "name", required=True),
                "name_en": f.text(entry, where, "name_en"),
                "base_unit": f.text(entry, where, "base", required=True), "order": i}
        kinds[code] = kind
        spec.kinds.append(kind)

    units: dict[str, dict[str, Any]] = {}
    folded: dict[str, str] = {}
    for i, entry in enumerate(f.items(raw, (), "units")):
        where = ("units", i)
        if not isinstance(entry, dict):
            f.fault(where, "must be a mapping")
            continue
        code = f.text(entry, where, "code", required=True)
        if code.casefold() in folded:
            f.fault((*where, "code"), f"{code!r} clashes with {folded[code.casefold()]!r} "
                    "(codes must differ in more than case)")
        folded[code.casefold()] = code
        kind_code = f.text(entry, where, "kind", required=True)
        if kind_code and kind_code not in kinds:
            f.fault((*where, "kind"), f"unknown kind {kind_code!r}")
        unit = {"code": code, "symbol": f.text(entry, where, "symbol", required=True),
                "name": f.text(entry, where, "name", required=True),
                "name_en": f.text(entry, where, "name_en"),
                "kind": kind_code, "factor": _positive(f, entry, where, "factor"),
                "source": source_text(entry.get("source"), where), "order": i}
        units[code] = unit
        spec.units.append(unit)

    for i, kind in enumerate(spec.kinds):
        base = units.get(str(kind["base_unit"]))
        if base is None:
            f.fault(("kinds", i, "base"), f"base unit {kind['base_unit']!r} is not among the "
                    "units")
        elif base["kind"] != kind["code"] or base["factor"] != 1:
            f.fault(("kinds", i, "base"), f"base unit {base['code']!r} must be of this kind "
                    "with factor 1")

    item_codes: set[str] = set()
    roles = {r.value for r in ItemRole}
    for i, entry in enumerate(f.items(raw, (), "items")):
        where = ("items", i)
        if not isinstance(entry, dict):
            f.fault(where, "must be a mapping")
            continue
        code = f.text(entry, where, "code", required=True)
        f.unique(item_codes, code, (*where, "code"), "item")
        role = f.text(entry, where, "role", required=True)
        if role and role not in roles:
            f.fault((*where, "role"), f"must be one of {', '.join(sorted(roles))}")
        item_kinds = f.items(entry, where, "kinds")
        if not item_kinds:
            f.fault((*where, "kinds"), "must list at least one kind")
        for k, kind_code in enumerate(item_kinds):
            if kind_code not in kinds:
                f.fault((*where, "kinds", k), f"unknown kind {kind_code!r}")
        default_unit = f.text(entry, where, "unit", required=True)
        if default_unit and default_unit not in units:
            f.fault((*where, "unit"), f"unknown unit {default_unit!r}")
        elif default_unit and units[default_unit]["kind"] not in item_kinds:
            f.fault((*where, "unit"), f"usual unit {default_unit!r} is not of an allowed kind")
        factors = []
        toe_list = f.items(entry, where, "toe")
        if toe_list and role != ItemRole.FUEL:
            f.fault((*where, "toe"), "only fuels have toe factors")
        if role == ItemRole.FUEL and not toe_list:
            f.fault(where, "a fuel needs at least one toe factor")
        seen_per: set[str] = set()
        for j, factor in enumerate(toe_list):
            fwhere = (*where, "toe", j)
            if not isinstance(factor, dict):
                f.fault(fwhere, "must be a mapping")
                continue
            per = factor.get("per")
            if per not in units:
                f.fault((*fwhere, "per"), f"unknown unit {per!r}")
            elif units[per]["kind"] not in item_kinds:
                f.fault((*fwhere, "per"), f"unit {per!r} is not of a kind this fuel allows")
            if per in seen_per:
                f.fault((*fwhere, "per"), f"a second factor per {per!r}")
            seen_per.add(str(per))
            factors.append({"per": per, "value": _positive(f, factor, fwhere, "value"),
                            "source": source_text(factor.get("source"), fwhere),
                            "note": f.text(factor, fwhere, "note")})
        sectors = f.items(entry, where, "sectors")
        if not all(isinstance(c, str) for c in sectors):
            f.fault((*where, "sectors"), "must list sector codes")
            sectors = []
        spec.items.append({
            "sectors": list(sectors),
            "code": code, "role": role, "name": f.text(entry, where, "name", required=True),
            "name_en": f.text(entry, where, "name_en"),
            "kinds": list(item_kinds), "default_unit": default_unit, "order": i,
            "toe": factors,
        })
    if "energy" not in kinds or "toe" not in units:
        f.fault(("kinds",), "the table needs the kind 'energy' and the unit 'toe'")
    f.raise_faults()
    return spec
