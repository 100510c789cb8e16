"""Reading and checking the unit table file (data/registry/units.yaml; its format is in the
file's header). The whole file is checked before anything is stored: a faulty file raises
`UnitFileError` with every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from registry.models import ItemRole


class UnitFileError(Exception):
    """The file cannot be loaded; `problems` lists every reason."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass
class UnitsSpec:
    kinds: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _text(entry: dict, key: str, where: str, problems: list[str], required: bool = True) -> str:
    value = entry.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{where}: '{key}' must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{where}: '{key}' is missing")
    return value.strip()


def units_file_read(path: Path | str) -> UnitsSpec:
    """Parse and check the file; returns plain data ready to store."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UnitFileError(path, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    except yaml.YAMLError as exc:
        raise UnitFileError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise UnitFileError(path, ["the file must be a mapping with sources, kinds, units, items"])
    problems: list[str] = []
    sources = raw.get("sources") or {}
    if not isinstance(sources, dict):
        problems.append("'sources' must map keys to references")
        sources = {}

    def source_text(key: Any, where: str) -> str:
        if not isinstance(key, str) or key not in sources:
            problems.append(f"{where}: unknown source {key!r} (declare it under 'sources')")
            return ""
        return f"{key}: {sources[key]}"

    spec = UnitsSpec()
    kinds: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(_list(raw, "kinds", problems)):
        where = f"kinds[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        code = _text(entry, "code", where, problems)
        if code in kinds:
            problems.append(f"{where}: kind {code!r} declared twice")
        kind = {"code": code, "name": _text(entry, "name", where, problems),
                "name_en": _text(entry, "name_en", where, problems, required=False),
                "base_unit": _text(entry, "base", where, problems), "order": i}
        kinds[code] = kind
        spec.kinds.append(kind)

    units: dict[str, dict[str, Any]] = {}
    folded: dict[str, str] = {}
    for i, entry in enumerate(_list(raw, "units", problems)):
        where = f"units[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        code = _text(entry, "code", where, problems)
        where = f"units[{i}] ({code})"
        if code.casefold() in folded:
            problems.append(f"{where}: code clashes with {folded[code.casefold()]!r} "
                            "(codes must differ in more than case)")
        folded[code.casefold()] = code
        kind_code = _text(entry, "kind", where, problems)
        if kind_code and kind_code not in kinds:
            problems.append(f"{where}: unknown kind {kind_code!r}")
        factor = _decimal(entry.get("factor"))
        if factor is None or factor <= 0:
            problems.append(f"{where}: 'factor' must be a positive number")
        unit = {"code": code, "symbol": _text(entry, "symbol", where, problems),
                "name": _text(entry, "name", where, problems),
                "name_en": _text(entry, "name_en", where, problems, required=False),
                "kind": kind_code, "factor": factor,
                "source": source_text(entry.get("source"), where), "order": i}
        units[code] = unit
        spec.units.append(unit)

    for kind in kinds.values():
        base = units.get(str(kind["base_unit"]))
        if base is None:
            problems.append(f"kind {kind['code']}: base unit {kind['base_unit']!r} is not "
                            "among the units")
        elif base["kind"] != kind["code"] or base["factor"] != 1:
            problems.append(f"kind {kind['code']}: base unit {base['code']!r} must be of this "
                            "kind with factor 1")

    item_codes: set[str] = set()
    roles = {r.value for r in ItemRole}
    for i, entry in enumerate(_list(raw, "items", problems)):
        where = f"items[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        code = _text(entry, "code", where, problems)
        where = f"items[{i}] ({code})"
        if code in item_codes:
            problems.append(f"{where}: item declared twice")
        item_codes.add(code)
        role = _text(entry, "role", where, problems)
        if role and role not in roles:
            problems.append(f"{where}: role must be one of {', '.join(sorted(roles))}")
        item_kinds = entry.get("kinds") or []
        if not isinstance(item_kinds, list) or not item_kinds:
            problems.append(f"{where}: 'kinds' must list at least one kind")
            item_kinds = []
        for k in item_kinds:
            if k not in kinds:
                problems.append(f"{where}: unknown kind {k!r}")
        default_unit = _text(entry, "unit", where, problems)
        if default_unit and default_unit not in units:
            problems.append(f"{where}: unknown unit {default_unit!r}")
        elif default_unit and units[default_unit]["kind"] not in item_kinds:
            problems.append(f"{where}: usual unit {default_unit!r} is not of an allowed kind")
        factors = []
        toe_list = entry.get("toe") or []
        if not isinstance(toe_list, list):
            problems.append(f"{where}: 'toe' must be a list")
            toe_list = []
        if toe_list and role != ItemRole.FUEL:
            problems.append(f"{where}: only fuels have toe factors")
        if role == ItemRole.FUEL and not toe_list:
            problems.append(f"{where}: a fuel needs at least one toe factor")
        seen_per: set[str] = set()
        for j, f in enumerate(toe_list):
            fwhere = f"{where} toe[{j}]"
            if not isinstance(f, dict):
                problems.append(f"{fwhere}: must be a mapping")
                continue
            per = f.get("per")
            if per not in units:
                problems.append(f"{fwhere}: unknown unit {per!r}")
            elif units[per]["kind"] not in item_kinds:
                problems.append(f"{fwhere}: unit {per!r} is not of a kind this fuel allows")
            if per in seen_per:
                problems.append(f"{fwhere}: a second factor per {per!r}")
            seen_per.add(str(per))
            value = _decimal(f.get("value"))
            if value is None or value <= 0:
                problems.append(f"{fwhere}: 'value' must be a positive number")
            factors.append({"per": per, "value": value,
                            "source": source_text(f.get("source"), fwhere),
                            "note": _text(f, "note", fwhere, problems, required=False)})
        sectors = entry.get("sectors") or []
        if not isinstance(sectors, list) or not all(isinstance(c, str) for c in sectors):
            problems.append(f"{where}: 'sectors' must list sector codes")
            sectors = []
        spec.items.append({
            "sectors": list(sectors),
            "code": code, "role": role, "name": _text(entry, "name", where, problems),
            "name_en": _text(entry, "name_en", where, problems, required=False),
            "kinds": list(item_kinds), "default_unit": default_unit, "order": i,
            "toe": factors,
        })
    if "energy" not in kinds or "toe" not in units:
        problems.append("the table needs the kind 'energy' and the unit 'toe'")
    if problems:
        raise UnitFileError(path, problems)
    return spec


def _list(raw: dict, key: str, problems: list[str]) -> list:
    value = raw.get(key) or []
    if not isinstance(value, list):
        problems.append(f"'{key}' must be a list")
        return []
    return value
