"""Reading and checking a plan file (docs/plan-file.md) before anything touches the database.

`plan_file_read(path)` returns a `PlanSpec` (plain data, every reference checked) or raises
`common.datafile.DataFileError` listing every fault with its key path and line. Writing is
`plans.services.plan_load`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from common.datafile import DataFile, DataFileError, Fault
from common.parsing import ParseError, number_parse
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
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:-|–|đến)\s*(-?\d+(?:\.\d+)?)\s*$")
NO_UNITS = ("no organisation units are loaded yet: load them first "
            "(scp-monitor orgunits load data/orgunits/*.yaml), or load all reference data "
            "in order with scp-monitor reference load.")


@dataclass
class AssignmentSpec:
    role: str
    unit_code: str = ""
    group: str = ""


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
    # DataElement field values by name, plus "task", "targets" and "part_of" (codes)
    questions: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    unit_codes: set[str] = field(default_factory=set)


def parse_range(text: Any) -> tuple[Decimal, Decimal | None]:
    """`70` → (70, None); `"5-8"`, `"5 - 8"`, `"1 đến 2"` → (5, 8); each number as a data
    file writes it (`number_parse(machine=True)`: "2.5"). Raises ValueError."""
    if isinstance(text, str) and (match := _RANGE.match(text)):
        low, high = (number_parse(g, machine=True) for g in match.groups())
        assert low is not None and high is not None
        if low > high:
            raise ValueError(f"range '{text.strip()}' has its minimum above its maximum")
        return low, high
    try:
        number = number_parse(text, machine=True)
    except ParseError:
        raise ValueError(f"'{text}' is neither a number nor a range 'min-max'") from None
    if number is None:
        raise ValueError("a number or a range 'min-max' is expected")
    return number, None


class _Reader(DataFile):
    """The one data-file reader, with the plan's ranges ("5-8")."""

    def single(self, data: dict, path: str, key: str) -> Decimal | None:
        """A single number where a range would not do (a question's min or max)."""
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


def plan_file_read(path: Path | str, *, known_units: set[str]) -> PlanSpec:
    """Read and check a plan file. `known_units` are the organisation-unit codes that exist.
    Raises DataFileError listing every fault with its key path and line."""
    reader = _Reader.read(path)
    if not known_units:
        # A plan names its agencies by code: on a fresh database, one fault says what to
        # do, not one per unknown code.
        raise DataFileError([Fault(reader.file, "", None, NO_UNITS)])
    if not isinstance(reader.data, dict):
        reader.fault("", "must be a mapping with a 'plan' key")
        reader.raise_faults()
    spec = _read(reader, reader.data, known_units)
    reader.raise_faults()
    return spec


def _read(r: _Reader, data: dict, known_units: set[str]) -> PlanSpec:
    head = r.mapping(data.get("plan"), "plan")
    plan = {
        "code": r.text(head, "plan", "code", required=True),
        "slug": r.slug(head, "plan", "slug", required=True),
        "title": r.text(head, "plan", "title", required=True),
        "title_en": r.text(head, "plan", "title_en"),
        "issuer": r.text(head, "plan", "issuer", required=True),
        "issued_on": head.get("issued_on"),
        "implements": r.text(head, "plan", "implements"),
        "start_year": r.integer(head, "plan", "start_year", required=True),
        "end_year": r.integer(head, "plan", "end_year", required=True),
        "lead_agency": r.text(head, "plan", "lead_agency", required=True),
        "signed_by": r.text(head, "plan", "signed_by"),
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
    for i, item in enumerate(r.items(data, "", "viewpoints")):
        p = f"viewpoints[{i}]"
        item = r.mapping(item, p)
        order += 1
        ref = r.text(item, p, "ref", required=True)
        r.unique(refs, ref, f"{p}.ref", "reference")
        spec.sections.append({"ref": ref, "kind": "viewpoint", "parent": None, "order": order,
                              "title": "", "title_en": r.text(item, p, "title_en"),
                              "text": r.text(item, p, "text", required=True)})
    objective = data.get("general_objective")
    if objective is not None:
        objective = r.mapping(objective, "general_objective")
        spec.plan["general_objective"] = r.text(objective, "general_objective", "text",
                                                required=True)
    else:
        spec.plan["general_objective"] = ""

    # II.2 milestones, sectors, targets
    milestone_codes: set[str] = set()
    for i, item in enumerate(r.items(data, "", "milestones", required=True)):
        p = f"milestones[{i}]"
        item = r.mapping(item, p)
        code = r.text(item, p, "code", required=True)
        r.unique(milestone_codes, code, f"{p}.code", "milestone code")
        start = r.integer(item, p, "start_year", required=True)
        end = r.integer(item, p, "end_year", required=True)
        if start and end and end < start:
            r.fault(f"{p}.end_year", "ends before it starts")
        spec.milestones.append({"code": code, "ref": r.text(item, p, "ref", required=True),
                                "label": r.text(item, p, "label", required=True),
                                "label_en": r.text(item, p, "label_en"),
                                "start_year": start, "end_year": end})
    sector_codes: set[str] = set()
    for i, item in enumerate(r.items(data, "", "sectors")):
        p = f"sectors[{i}]"
        item = r.mapping(item, p)
        code = r.slug(item, p, "code", required=True)
        r.unique(sector_codes, code, f"{p}.code", "sector code")
        spec.sectors.append({"code": code, "name": r.text(item, p, "name", required=True),
                             "name_en": r.text(item, p, "name_en"),
                             "principal_product": r.text(item, p, "principal"),
                             "order": i + 1})
    target_codes: set[str] = set()
    target_refs: set[str] = set()
    for i, item in enumerate(r.items(data, "", "targets", required=True)):
        p = f"targets[{i}]"
        item = r.mapping(item, p)
        ref, code = r.text(item, p, "ref", required=True), r.slug(item, p, "code", required=True)
        r.unique(target_refs, ref, f"{p}.ref", "target reference")
        r.unique(target_codes, code, f"{p}.code", "target code")
        milestone = r.text(item, p, "milestone", required=True)
        if milestone and milestone not in milestone_codes:
            r.fault(f"{p}.milestone", f"no milestone has the code '{milestone}'")
        kind = r.choice(item, p, "kind", TargetKind)
        target: dict[str, Any] = {"ref": ref, "code": code, "order": i + 1, "milestone": milestone,
                  "text": r.text(item, p, "text", required=True),
                  "title_en": r.text(item, p, "title_en"), "kind": kind,
                  "unit": r.text(item, p, "unit"),
                  "direction": r.choice(item, p, "direction", Direction, required=False),
                  "baseline_year": r.integer(item, p, "baseline_year"),
                  "indicator": r.text(item, p, "indicator"),
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
        for j, sector in enumerate(r.items(item, p, "sectors")):
            if sector not in sector_codes:
                r.fault(f"{p}.sectors[{j}]", f"no sector has the code '{sector}'")
            else:
                target["sectors"].append(sector)
        spec.targets.append(target)

    # III main task groups
    for i, group in enumerate(r.items(data, "", "task_groups")):
        p = f"task_groups[{i}]"
        group = r.mapping(group, p)
        order += 1
        ref = r.text(group, p, "ref", required=True)
        r.unique(refs, ref, f"{p}.ref", "reference")
        spec.sections.append({"ref": ref, "kind": "task_group", "parent": None, "order": order,
                              "title": r.text(group, p, "title", required=True),
                              "title_en": r.text(group, p, "title_en"),
                              "text": r.text(group, p, "text")})
        for j, bullet in enumerate(r.items(group, p, "items")):
            q = f"{p}.items[{j}]"
            bullet = r.mapping(bullet, q)
            order += 1
            bref = r.text(bullet, q, "ref", required=True)
            r.unique(refs, bref, f"{q}.ref", "reference")
            spec.sections.append({"ref": bref, "kind": "task_group_item", "parent": ref,
                                  "order": order, "title": "",
                                  "title_en": r.text(bullet, q, "title_en"),
                                  "text": r.text(bullet, q, "text", required=True)})

    # IV specific tasks
    task_refs: set[str] = set()
    questions: list[tuple[str, dict, str | None]] = []
    task_order = 0
    for i, block in enumerate(r.items(data, "", "task_blocks", required=True)):
        p = f"task_blocks[{i}]"
        block = r.mapping(block, p)
        order += 1
        bref = r.text(block, p, "ref", required=True)
        r.unique(refs, bref, f"{p}.ref", "reference")
        spec.sections.append({"ref": bref, "kind": "task_block", "parent": None, "order": order,
                              "title": r.text(block, p, "title", required=True),
                              "title_en": r.text(block, p, "title_en"),
                              "text": ""})
        block_lead = r.items(block, p, "lead")
        tasks = r.items(block, p, "tasks", required=True)
        if not tasks:
            r.fault(f"{p}.tasks", "a block needs at least one task")
        for j, task in enumerate(tasks):
            q = f"{p}.tasks[{j}]"
            task = r.mapping(task, q)
            task_order += 1
            ref = r.text(task, q, "ref", required=True)
            r.unique(task_refs, ref, f"{q}.ref", "task reference")
            assignments: list[AssignmentSpec] = []
            lead = r.items(task, q, "lead") or block_lead
            lead_path = f"{q}.lead" if task.get("lead") else f"{p}.lead"
            if not lead:
                r.fault(f"{q}.lead", "a task needs a lead (on the task or its block)")
            for role, codes, base in ((AssignmentRole.LEAD, lead, lead_path),
                                      (AssignmentRole.COORDINATE,
                                       r.items(task, q, "coordinate"), f"{q}.coordinate")):
                for k, code in enumerate(codes):
                    found = unit_ref(code, f"{base}[{k}]", groups=True)
                    if found:
                        found.role = role
                        assignments.append(found)
            spec.tasks.append({"ref": ref, "block": bref, "order": task_order,
                               "text": r.text(task, q, "text", required=True),
                               "title_en": r.text(task, q, "title_en", required=True),
                               "recurrence": r.choice(task, q, "recurrence", Recurrence),
                               "assignments": assignments})
            for k, question in enumerate(r.items(task, q, "questions")):
                questions.append((f"{q}.questions[{k}]", question, ref))

    # V reporting regime
    reporting = data.get("reporting")
    if reporting is None:
        r.fault("reporting", "is required")
    else:
        reporting = r.mapping(reporting, "reporting")
        recipient = r.text(reporting, "reporting", "recipient", required=True)
        if recipient:
            unit_ref(recipient, "reporting.recipient")
        consolidated = []
        for k, code in enumerate(r.items(reporting, "reporting", "consolidated_to")):
            if unit_ref(code, f"reporting.consolidated_to[{k}]"):
                consolidated.append(code)
        kinds: set[str] = set()
        for i, rule in enumerate(r.items(reporting, "reporting", "rules", required=True)):
            p = f"reporting.rules[{i}]"
            rule = r.mapping(rule, p)
            kind = r.choice(rule, p, "kind", ReportKind)
            r.unique(kinds, kind, f"{p}.kind", "rule kind")
            due = r.month_day(rule, p, "due_before")
            cut_from = r.month_day(rule, p, "cutoff_from")
            cut_to = r.month_day(rule, p, "cutoff_to")
            if kind and kind != ReportKind.ADHOC and due[0] is None:
                r.fault(f"{p}.due_before", "a periodic report needs a due date")
            spec.rules.append({"kind": kind, "due_month": due[0], "due_day": due[1],
                               "cutoff_start_month": cut_from[0], "cutoff_start_day": cut_from[1],
                               "cutoff_end_month": cut_to[0], "cutoff_end_day": cut_to[1],
                               "recipient": recipient, "consolidated_to": consolidated,
                               "text": r.text(reporting, "reporting", "text")})

    # Questions: those of tasks, then the unit-owned ones.
    for i, question in enumerate(r.items(data, "", "questions")):
        questions.append((f"questions[{i}]", question, None))
    question_codes: set[str] = set()
    for n, (p, question, task_ref) in enumerate(questions):
        spec.questions.append(_read_question(r, p, question, task_ref, n + 1,
                                             question_codes, target_codes, known_units))
    for n, question in enumerate(spec.questions):
        if question["part_of"] and question["part_of"] not in question_codes:
            r.fault(f"{questions[n][0]}.part_of",
                    f"no question has the code '{question['part_of']}'")
    _read_indicators(r, data, spec, question_codes)
    return spec


def _read_indicators(r: _Reader, data: dict, spec: PlanSpec, question_codes: set[str]) -> None:
    """`indicators:` formulas over accepted data (docs/progress-method.md); a formula naming
    an unknown element is a fault with its line; a target's indicator must be declared."""
    codes: set[str] = set()
    for i, item in enumerate(r.items(data, "", "indicators")):
        p = f"indicators[{i}]"
        item = r.mapping(item, p)
        code = r.slug(item, p, "code", required=True)
        r.unique(codes, code, f"{p}.code", "indicator code")
        indicator = {"code": code, "order": i + 1, "name": r.text(item, p, "name", required=True),
                     "name_en": r.text(item, p, "name_en"),
                     "unit": r.text(item, p, "unit")}
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
                   ) -> dict[str, Any]:
    item = r.mapping(item, p)
    code = r.slug(item, p, "code", required=True)
    r.unique(codes, code, f"{p}.code", "question code")
    value_type = r.choice(item, p, "value_type", ValueType)
    low, high = r.single(item, p, "min"), r.single(item, p, "max")
    if value_type == ValueType.PERCENT:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    if value_type in (ValueType.INTEGER, ValueType.MONEY) and low is None:
        low = Decimal(0)  # counts and money are never negative
    if low is not None and high is not None and high < low:
        r.fault(f"{p}.max", "is below min")
    choices = []
    for k, choice in enumerate(r.items(item, p, "choices")):
        choice = r.mapping(choice, f"{p}.choices[{k}]")
        choices.append({"code": r.text(choice, f"{p}.choices[{k}]", "code", required=True),
                        "name": r.text(choice, f"{p}.choices[{k}]", "name", required=True),
                        "name_en": r.text(choice, "name_en", f"{p}.choices[{k}]",
                                          required=False)})
    if value_type == ValueType.CHOICE and not choices:
        r.fault(f"{p}.choices", "a choice question needs choices")
    targets = [str(t) for t in r.items(item, p, "targets")]
    for k, target in enumerate(targets):
        if target not in target_codes:
            r.fault(f"{p}.targets[{k}]", f"no target has the code '{target}'")
    unit_codes = [str(u) for u in r.items(item, p, "unit_codes")]
    for k, unit in enumerate(unit_codes):
        if unit not in known_units:
            r.fault(f"{p}.unit_codes[{k}]", f"no organisation unit has the code '{unit}'")
    from orgunits.models import OrgUnitKind

    unit_kinds = [str(k) for k in r.items(item, p, "unit_kinds")]
    for k, kind in enumerate(unit_kinds):
        if kind not in OrgUnitKind.values:
            r.fault(f"{p}.unit_kinds[{k}]", f"'{kind}' is not an organisation-unit kind")
    if task_ref is None and not unit_codes and not unit_kinds:
        r.fault(p, "a question outside a task needs unit_kinds or unit_codes")
    return {
        "code": code, "order": order, "name": r.text(item, p, "name", required=True),
        "name_en": r.text(item, p, "name_en"), "help_text": r.text(item, p, "help_text"),
        "value_type": value_type, "unit": r.text(item, p, "unit"), "min_value": low,
        "max_value": high, "required": bool(item.get("required", False)), "choices": choices,
        "unit_kinds": unit_kinds, "unit_codes": unit_codes,
        "task": task_ref, "targets": targets,
        "part_of": str(item["part_of"]) if item.get("part_of") else None,
    }
