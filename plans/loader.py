"""Reading and checking a plan file (docs/plan-file.md) before anything touches the database.

`plan_file_read(path)` returns a `PlanSpec` (plain data, every reference checked) or raises
`PlanFileError` listing every fault with its key path and line. Writing is
`plans.services.plan_load`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from plans.formulas import FormulaError, formula_parse
from plans.models import (
    AssignmentRole,
    Direction,
    Recurrence,
    ReportKind,
    TargetKind,
    UnitGroup,
    ValueType,
)

GROUP_PREFIX = "group:"
_RANGE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?:-|–|đến)\s*(-?\d+(?:[.,]\d+)?)\s*$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# libyaml's safe loader when PyYAML was built with it: several times faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Fault:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path} (line {self.line})" if self.line else self.path
        return f"{where}: {self.message}"


class PlanFileError(ValueError):
    """A plan file that cannot be loaded; `faults` lists every problem found."""

    def __init__(self, file: Path | str, faults: list[Fault]) -> None:
        self.file = str(file)
        self.faults = faults
        lines = "\n".join(f"  - {f}" for f in faults)
        super().__init__(f"{self.file}: {len(faults)} error(s), nothing was loaded:\n{lines}")


@dataclass
class AssignmentSpec:
    role: str
    unit_code: str = ""
    group: str = ""


@dataclass
class QuestionSpec:
    code: str
    order: int
    name: str
    name_en: str
    help_text: str
    value_type: str
    unit: str
    min_value: Decimal | None
    max_value: Decimal | None
    required: bool
    choices: list[dict[str, str]]
    task_ref: str | None
    target_codes: list[str]
    unit_kinds: list[str]
    unit_codes: list[str]
    part_of: str | None


@dataclass
class PlanSpec:
    """A checked plan file: dictionaries of model field values, keyed as in the file."""

    plan: dict[str, Any]
    sections: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    sectors: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    unit_codes: set[str] = field(default_factory=set)


def parse_range(text: Any) -> tuple[Decimal, Decimal | None]:
    """`70` → (70, None); `"5-8"`, `"5 - 8"`, `"1 đến 2"` → (5, 8). Raises ValueError."""
    if isinstance(text, bool):
        raise ValueError("a number or a range 'min-max' is expected")
    if isinstance(text, int | float):
        return Decimal(str(text)), None
    raw = str(text).strip()
    match = _RANGE.match(raw)
    try:
        if match:
            low, high = (Decimal(g.replace(",", ".")) for g in match.groups())
            if low > high:
                raise ValueError(f"range '{raw}' has its minimum above its maximum")
            return low, high
        return Decimal(raw.replace(",", ".")), None
    except InvalidOperation:
        raise ValueError(f"'{raw}' is neither a number nor a range 'min-max'") from None


class _Reader:
    """Walks the parsed YAML, collecting faults with key paths and line numbers."""

    def __init__(self, path: Path, root_node: yaml.Node | None) -> None:
        self.path = path
        self.root_node = root_node
        self.faults: list[Fault] = []

    # -- fault reporting --------------------------------------------------------------
    def line(self, keypath: str) -> int | None:
        node = self.root_node
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", keypath):
            if node is None:
                break
            if part.startswith("["):
                index = int(part[1:-1])
                if isinstance(node, yaml.SequenceNode) and index < len(node.value):
                    node = node.value[index]
                else:
                    break
            elif isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == part), None)
                if child is None:
                    break
                node = child
            else:
                break
        return node.start_mark.line + 1 if node is not None else None

    def fault(self, keypath: str, message: str) -> None:
        self.faults.append(Fault(keypath, self.line(keypath), message))

    # -- typed getters -----------------------------------------------------------------
    def text(self, data: dict, key: str, path: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fault(f"{path}.{key}", "is required")
            return ""
        if not isinstance(value, str | int | float):
            self.fault(f"{path}.{key}", "must be text")
            return ""
        return str(value).strip()

    def slug(self, data: dict, key: str, path: str) -> str:
        value = self.text(data, key, path)
        if value and not _SLUG.match(value):
            self.fault(f"{path}.{key}", f"'{value}' may hold only letters, digits, - and _")
        return value

    def integer(self, data: dict, key: str, path: str, *, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fault(f"{path}.{key}", "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fault(f"{path}.{key}", f"'{value}' is not a whole number")
            return None
        return value

    def decimal(self, data: dict, key: str, path: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            number, high = parse_range(value)
        except ValueError as exc:
            self.fault(f"{path}.{key}", str(exc))
            return None
        if high is not None:
            self.fault(f"{path}.{key}", "a single number is expected here")
        return number

    def choice(self, data: dict, key: str, path: str, allowed: Any, *, required: bool = True
               ) -> str:
        value = self.text(data, key, path, required=required)
        values = [c.value for c in allowed]
        if value and value not in values:
            self.fault(f"{path}.{key}", f"'{value}' is not one of: {', '.join(values)}")
            return ""
        return value

    def items(self, data: Any, key: str, path: str, *, required: bool = False) -> list[Any]:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            if required:
                self.fault(f"{path}.{key}".lstrip("."), "is required")
            return []
        if not isinstance(value, list):
            self.fault(f"{path}.{key}".lstrip("."), "must be a list")
            return []
        return value

    def mapping(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.fault(path, "must be a mapping of keys to values")
            return {}
        return value

    def month_day(self, data: dict, key: str, path: str) -> tuple[int | None, int | None]:
        value = data.get(key)
        if value is None:
            return None, None
        match = _MONTH_DAY.match(str(value))
        if not match:
            self.fault(f"{path}.{key}", f"'{value}' must be MM-DD, e.g. 06-15")
            return None, None
        month, day = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            self.fault(f"{path}.{key}", f"'{value}' is not a day of the year")
            return None, None
        return month, day

    def unique(self, seen: set[str], value: str, keypath: str, what: str) -> None:
        if not value:
            return
        if value in seen:
            self.fault(keypath, f"{what} '{value}' appears twice")
        seen.add(value)


def plan_file_read(path: Path | str, *, known_units: set[str]) -> PlanSpec:
    """Read and check a plan file. `known_units` are the organisation-unit codes that exist."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(path, [Fault("(file)", None, f"cannot be read: {exc}")]) from exc
    try:
        node = yaml.compose(source, Loader=_LOADER)
        data = yaml.load(source, Loader=_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanFileError(path, [Fault("(YAML syntax)", line, problem)]) from exc
    reader = _Reader(path, node)
    if not isinstance(data, dict):
        raise PlanFileError(path, [Fault("(file)", 1, "must be a mapping with a 'plan' key")])
    spec = _read(reader, data, known_units)
    if reader.faults:
        raise PlanFileError(path, reader.faults)
    return spec


def _read(r: _Reader, data: dict, known_units: set[str]) -> PlanSpec:
    head = r.mapping(data.get("plan"), "plan")
    plan = {
        "code": r.text(head, "code", "plan"),
        "slug": r.slug(head, "slug", "plan"),
        "title": r.text(head, "title", "plan"),
        "title_en": r.text(head, "title_en", "plan", required=False),
        "issuer": r.text(head, "issuer", "plan"),
        "issued_on": head.get("issued_on"),
        "implements": r.text(head, "implements", "plan", required=False),
        "start_year": r.integer(head, "start_year", "plan"),
        "end_year": r.integer(head, "end_year", "plan"),
        "lead_agency": r.text(head, "lead_agency", "plan"),
        "signed_by": r.text(head, "signed_by", "plan", required=False),
    }
    if head and not hasattr(plan["issued_on"], "isoformat"):
        r.fault("plan.issued_on", "must be a date YYYY-MM-DD")
    spec = PlanSpec(plan=plan)

    def unit_ref(code: Any, keypath: str, *, groups: bool = False) -> AssignmentSpec | None:
        code = str(code or "").strip()
        if groups and code.startswith(GROUP_PREFIX):
            group = code[len(GROUP_PREFIX):]
            if group not in UnitGroup.values:
                r.fault(keypath, f"unknown group '{code}'; groups are "
                        + ", ".join(GROUP_PREFIX + g for g in UnitGroup.values))
                return None
            return AssignmentSpec(role="", group=group)
        if code not in known_units:
            r.fault(keypath, f"no organisation unit has the code '{code}'")
            return None
        spec.unit_codes.add(code)
        return AssignmentSpec(role="", unit_code=code)

    if plan["lead_agency"]:
        unit_ref(plan["lead_agency"], "plan.lead_agency")

    # I. viewpoints, II.1 general objective
    refs: set[str] = set()
    order = 0
    for i, item in enumerate(r.items(data, "viewpoints", "")):
        p = f"viewpoints[{i}]"
        item = r.mapping(item, p)
        order += 1
        ref = r.text(item, "ref", p)
        r.unique(refs, ref, f"{p}.ref", "reference")
        spec.sections.append({"ref": ref, "kind": "viewpoint", "parent": None, "order": order,
                              "title": "", "title_en": r.text(item, "title_en", p, required=False),
                              "text": r.text(item, "text", p)})
    objective = data.get("general_objective")
    if objective is not None:
        objective = r.mapping(objective, "general_objective")
        spec.plan["general_objective"] = r.text(objective, "text", "general_objective")
    else:
        spec.plan["general_objective"] = ""

    # II.2 milestones, sectors, targets
    milestone_codes: set[str] = set()
    for i, item in enumerate(r.items(data, "milestones", "", required=True)):
        p = f"milestones[{i}]"
        item = r.mapping(item, p)
        code = r.text(item, "code", p)
        r.unique(milestone_codes, code, f"{p}.code", "milestone code")
        start, end = r.integer(item, "start_year", p), r.integer(item, "end_year", p)
        if start and end and end < start:
            r.fault(f"{p}.end_year", "ends before it starts")
        spec.milestones.append({"code": code, "ref": r.text(item, "ref", p),
                                "label": r.text(item, "label", p),
                                "label_en": r.text(item, "label_en", p, required=False),
                                "start_year": start, "end_year": end})
    sector_codes: set[str] = set()
    for i, item in enumerate(r.items(data, "sectors", "")):
        p = f"sectors[{i}]"
        item = r.mapping(item, p)
        code = r.slug(item, "code", p)
        r.unique(sector_codes, code, f"{p}.code", "sector code")
        spec.sectors.append({"code": code, "name": r.text(item, "name", p),
                             "name_en": r.text(item, "name_en", p, required=False),
                             "principal_product": r.text(item, "principal", p, required=False),
                             "order": i + 1})
    target_codes: set[str] = set()
    target_refs: set[str] = set()
    for i, item in enumerate(r.items(data, "targets", "", required=True)):
        p = f"targets[{i}]"
        item = r.mapping(item, p)
        ref, code = r.text(item, "ref", p), r.slug(item, "code", p)
        r.unique(target_refs, ref, f"{p}.ref", "target reference")
        r.unique(target_codes, code, f"{p}.code", "target code")
        milestone = r.text(item, "milestone", p)
        if milestone and milestone not in milestone_codes:
            r.fault(f"{p}.milestone", f"no milestone has the code '{milestone}'")
        kind = r.choice(item, "kind", p, TargetKind)
        target: dict[str, Any] = {"ref": ref, "code": code, "order": i + 1, "milestone": milestone,
                  "text": r.text(item, "text", p),
                  "title_en": r.text(item, "title_en", p, required=False), "kind": kind,
                  "unit": r.text(item, "unit", p, required=False),
                  "direction": r.choice(item, "direction", p, Direction, required=False),
                  "baseline_year": r.integer(item, "baseline_year", p, required=False),
                  "indicator": r.text(item, "indicator", p, required=False),
                  "minimum_value": None, "stretch_value": None, "value_text": "",
                  "sectors": []}
        if kind == TargetKind.QUANTITATIVE:
            if item.get("value") is None:
                r.fault(f"{p}.value", "a quantitative target needs a value")
            else:
                try:
                    low, high = parse_range(item["value"])
                    target.update(minimum_value=low, stretch_value=high,
                                  value_text=str(item["value"]))
                except ValueError as exc:
                    r.fault(f"{p}.value", str(exc))
            if not target["direction"]:
                r.fault(f"{p}.direction", "a quantitative target needs a direction")
        for j, sector in enumerate(r.items(item, "sectors", p)):
            if sector not in sector_codes:
                r.fault(f"{p}.sectors[{j}]", f"no sector has the code '{sector}'")
            else:
                target["sectors"].append(sector)
        spec.targets.append(target)

    # III main task groups
    for i, group in enumerate(r.items(data, "task_groups", "")):
        p = f"task_groups[{i}]"
        group = r.mapping(group, p)
        order += 1
        ref = r.text(group, "ref", p)
        r.unique(refs, ref, f"{p}.ref", "reference")
        spec.sections.append({"ref": ref, "kind": "task_group", "parent": None, "order": order,
                              "title": r.text(group, "title", p),
                              "title_en": r.text(group, "title_en", p, required=False),
                              "text": r.text(group, "text", p, required=False)})
        for j, bullet in enumerate(r.items(group, "items", p)):
            q = f"{p}.items[{j}]"
            bullet = r.mapping(bullet, q)
            order += 1
            bref = r.text(bullet, "ref", q)
            r.unique(refs, bref, f"{q}.ref", "reference")
            spec.sections.append({"ref": bref, "kind": "task_group_item", "parent": ref,
                                  "order": order, "title": "",
                                  "title_en": r.text(bullet, "title_en", q, required=False),
                                  "text": r.text(bullet, "text", q)})

    # IV specific tasks
    task_refs: set[str] = set()
    questions: list[tuple[str, dict, str | None]] = []
    task_order = 0
    for i, block in enumerate(r.items(data, "task_blocks", "", required=True)):
        p = f"task_blocks[{i}]"
        block = r.mapping(block, p)
        order += 1
        bref = r.text(block, "ref", p)
        r.unique(refs, bref, f"{p}.ref", "reference")
        spec.sections.append({"ref": bref, "kind": "task_block", "parent": None, "order": order,
                              "title": r.text(block, "title", p),
                              "title_en": r.text(block, "title_en", p, required=False),
                              "text": ""})
        block_lead = r.items(block, "lead", p)
        tasks = r.items(block, "tasks", p, required=True)
        if not tasks:
            r.fault(f"{p}.tasks", "a block needs at least one task")
        for j, task in enumerate(tasks):
            q = f"{p}.tasks[{j}]"
            task = r.mapping(task, q)
            task_order += 1
            ref = r.text(task, "ref", q)
            r.unique(task_refs, ref, f"{q}.ref", "task reference")
            assignments: list[AssignmentSpec] = []
            lead = r.items(task, "lead", q) or block_lead
            lead_path = f"{q}.lead" if task.get("lead") else f"{p}.lead"
            if not lead:
                r.fault(f"{q}.lead", "a task needs a lead (on the task or its block)")
            for role, codes, base in ((AssignmentRole.LEAD, lead, lead_path),
                                      (AssignmentRole.COORDINATE,
                                       r.items(task, "coordinate", q), f"{q}.coordinate")):
                for k, code in enumerate(codes):
                    found = unit_ref(code, f"{base}[{k}]", groups=True)
                    if found:
                        found.role = role
                        assignments.append(found)
            spec.tasks.append({"ref": ref, "block": bref, "order": task_order,
                               "text": r.text(task, "text", q),
                               "title_en": r.text(task, "title_en", q),
                               "recurrence": r.choice(task, "recurrence", q, Recurrence),
                               "assignments": assignments})
            for k, question in enumerate(r.items(task, "questions", q)):
                questions.append((f"{q}.questions[{k}]", question, ref))

    # V reporting regime
    reporting = data.get("reporting")
    if reporting is None:
        r.fault("reporting", "is required")
    else:
        reporting = r.mapping(reporting, "reporting")
        recipient = r.text(reporting, "recipient", "reporting")
        if recipient:
            unit_ref(recipient, "reporting.recipient")
        consolidated = []
        for k, code in enumerate(r.items(reporting, "consolidated_to", "reporting")):
            if unit_ref(code, f"reporting.consolidated_to[{k}]"):
                consolidated.append(code)
        kinds: set[str] = set()
        for i, rule in enumerate(r.items(reporting, "rules", "reporting", required=True)):
            p = f"reporting.rules[{i}]"
            rule = r.mapping(rule, p)
            kind = r.choice(rule, "kind", p, ReportKind)
            r.unique(kinds, kind, f"{p}.kind", "rule kind")
            due = r.month_day(rule, "due_before", p)
            cut_from = r.month_day(rule, "cutoff_from", p)
            cut_to = r.month_day(rule, "cutoff_to", p)
            if kind and kind != ReportKind.ADHOC and due[0] is None:
                r.fault(f"{p}.due_before", "a periodic report needs a due date")
            spec.rules.append({"kind": kind, "due_month": due[0], "due_day": due[1],
                               "cutoff_start_month": cut_from[0], "cutoff_start_day": cut_from[1],
                               "cutoff_end_month": cut_to[0], "cutoff_end_day": cut_to[1],
                               "recipient": recipient, "consolidated_to": consolidated,
                               "text": r.text(reporting, "text", "reporting", required=False)})

    # Questions: those of tasks, then the unit-owned ones.
    for i, question in enumerate(r.items(data, "questions", "")):
        questions.append((f"questions[{i}]", question, None))
    question_codes: set[str] = set()
    for n, (p, question, task_ref) in enumerate(questions):
        spec.questions.append(_read_question(r, p, question, task_ref, n + 1,
                                             question_codes, target_codes, known_units))
    for n, question in enumerate(spec.questions):
        if question.part_of and question.part_of not in question_codes:
            r.fault(f"{questions[n][0]}.part_of", f"no question has the code '{question.part_of}'")
    _read_indicators(r, data, spec, question_codes)
    return spec


def _read_indicators(r: _Reader, data: dict, spec: PlanSpec, question_codes: set[str]) -> None:
    """`indicators:` formulas over accepted data (docs/progress-method.md); a formula naming
    an unknown element is a fault with its line; a target's indicator must be declared."""
    codes: set[str] = set()
    for i, item in enumerate(r.items(data, "indicators", "")):
        p = f"indicators[{i}]"
        item = r.mapping(item, p)
        code = r.slug(item, "code", p)
        r.unique(codes, code, f"{p}.code", "indicator code")
        indicator = {"code": code, "order": i + 1, "name": r.text(item, "name", p),
                     "name_en": r.text(item, "name_en", p, required=False),
                     "unit": r.text(item, "unit", p, required=False)}
        for key in ("formula", "compare"):
            text = item.get(key)
            indicator[key] = ""
            if text is None and key == "compare":
                continue
            try:
                indicator[key] = formula_parse(text, questions=question_codes).text
            except FormulaError as exc:
                r.fault(f"{p}.{key}", str(exc))
        spec.indicators.append(indicator)
    if codes:
        for i, target in enumerate(spec.targets):
            if target["indicator"] and target["indicator"] not in codes:
                r.fault(f"targets[{i}].indicator",
                        f"no indicator has the code '{target['indicator']}'")


def _read_question(r: _Reader, p: str, item: Any, task_ref: str | None, order: int,
                   codes: set[str], target_codes: set[str], known_units: set[str]
                   ) -> QuestionSpec:
    item = r.mapping(item, p)
    code = r.slug(item, "code", p)
    r.unique(codes, code, f"{p}.code", "question code")
    value_type = r.choice(item, "value_type", p, ValueType)
    low, high = r.decimal(item, "min", p), r.decimal(item, "max", p)
    if value_type == ValueType.PERCENT:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    if value_type in (ValueType.INTEGER, ValueType.MONEY) and low is None:
        low = Decimal(0)  # counts and money are never negative
    if low is not None and high is not None and high < low:
        r.fault(f"{p}.max", "is below min")
    choices = []
    for k, choice in enumerate(r.items(item, "choices", p)):
        choice = r.mapping(choice, f"{p}.choices[{k}]")
        choices.append({"code": r.text(choice, "code", f"{p}.choices[{k}]"),
                        "name": r.text(choice, "name", f"{p}.choices[{k}]"),
                        "name_en": r.text(choice, "name_en", f"{p}.choices[{k}]",
                                          required=False)})
    if value_type == ValueType.CHOICE and not choices:
        r.fault(f"{p}.choices", "a choice question needs choices")
    targets = [str(t) for t in r.items(item, "targets", p)]
    for k, target in enumerate(targets):
        if target not in target_codes:
            r.fault(f"{p}.targets[{k}]", f"no target has the code '{target}'")
    unit_codes = [str(u) for u in r.items(item, "unit_codes", p)]
    for k, unit in enumerate(unit_codes):
        if unit not in known_units:
            r.fault(f"{p}.unit_codes[{k}]", f"no organisation unit has the code '{unit}'")
    from orgunits.models import OrgUnitKind

    unit_kinds = [str(k) for k in r.items(item, "unit_kinds", p)]
    for k, kind in enumerate(unit_kinds):
        if kind not in OrgUnitKind.values:
            r.fault(f"{p}.unit_kinds[{k}]", f"'{kind}' is not an organisation-unit kind")
    if task_ref is None and not unit_codes and not unit_kinds:
        r.fault(p, "a question outside a task needs unit_kinds or unit_codes")
    return QuestionSpec(
        code=code, order=order, name=r.text(item, "name", p),
        name_en=r.text(item, "name_en", p, required=False),
        help_text=r.text(item, "help_text", p, required=False), value_type=value_type,
        unit=r.text(item, "unit", p, required=False), min_value=low, max_value=high,
        required=bool(item.get("required", False)), choices=choices, task_ref=task_ref,
        target_codes=targets, unit_kinds=unit_kinds, unit_codes=unit_codes,
        part_of=(str(item["part_of"]) if item.get("part_of") else None),
    )
