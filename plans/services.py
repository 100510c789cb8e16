"""Writes on plans: loading a plan file into the database, in place and idempotently."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from common.loading import ChangeLog
from common.services import audit_record
from orgunits.models import OrgUnit
from plans.loader import PlanSpec, plan_file_read
from plans.models import (
    Assignment,
    DataElement,
    Indicator,
    Milestone,
    Plan,
    ReportingRule,
    Section,
    Sector,
    Target,
    Task,
)


@dataclass
class LoadReport(ChangeLog):
    """What a plan load did."""

    plan: Plan | None = None

    def summary(self) -> str:
        code = self.plan.code if self.plan else "?"
        if not self.changed:
            return f"{code}: unchanged"
        return (f"{code}: {len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.deleted)} deleted")


class _Sync:
    """Upserts rows by natural key and records each difference in the report."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report

    def upsert(self, model: type[models.Model], label: str, lookup: dict[str, Any],
               values: dict[str, Any]) -> Any:
        what, _, key = label.rpartition(" ")
        return self.report.upsert(model, what, key, lookup, values)

    def set_m2m(self, obj: Any, name: str, label: str, wanted: list[Any]) -> None:
        manager = getattr(obj, name)
        have = {o.pk for o in manager.all()}
        want = {o.pk for o in wanted}
        if have != want:
            manager.set(wanted)
            self.changed(label, f"{name} changed")

    def changed(self, label: str, note: str) -> None:
        """Log an update of a row not created by this load."""
        what, _, key = label.rpartition(" ")
        if not self.report.has(what, key, "created"):
            self.report.record(what, key, "updated", note=note)

    def prune(self, queryset: models.QuerySet, key: str, keep: set[Any], what: str) -> None:
        for obj in queryset.exclude(**{f"{key}__in": keep}):
            self.report.record(what, str(getattr(obj, key)), "deleted")
            obj.delete()


@transaction.atomic
def plan_load(*, path: Path | str, actor: Any) -> LoadReport:
    """Load (or update in place) the plan in `path`. The file is checked whole first;
    a faulty file raises `common.datafile.DataFileError` and nothing is written."""
    path = Path(path)
    try:
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        content_hash = ""  # plan_file_read reports the unreadable file
    same = Plan.objects.filter(content_hash=content_hash).first() if content_hash else None
    if same is not None:
        return LoadReport(plan=same)  # exactly the file loaded last time: nothing to do
    units = {u.code: u for u in OrgUnit.objects.all()}
    spec = plan_file_read(path, known_units=set(units))
    existing = Plan.objects.filter(code=spec.plan["code"]).first()

    report = LoadReport(plan=existing)
    sync = _Sync(report)
    plan = _sync_plan(sync, spec, units, str(path), content_hash)
    report.plan = plan
    _sync_children(sync, spec, plan, units)
    if report.changed:
        audit_record(
            actor=actor, action="plan.load", target=plan, note=str(path),
            changes=[{"field": "load", "old": None, "new": line} for line in report.lines()],
        )
    return report


def _sync_plan(sync: _Sync, spec: PlanSpec, units: dict[str, OrgUnit], source: str,
               content_hash: str) -> Plan:
    values = {k: v for k, v in spec.plan.items() if k not in ("code", "lead_agency")}
    values["lead_agency_id"] = units[spec.plan["lead_agency"]].pk
    plan = sync.upsert(Plan, f"plan {spec.plan['code']}", {"code": spec.plan["code"]},
                       {**values, "source_file": source})
    if plan.content_hash != content_hash:
        # The hash only short-cuts the next identical load; it is not a change to report.
        Plan.objects.filter(pk=plan.pk).update(content_hash=content_hash)
    return plan


def _sync_children(sync: _Sync, spec: PlanSpec, plan: Plan, units: dict[str, OrgUnit]) -> None:
    sections: dict[str, Section] = {}
    for item in spec.sections:
        parent = sections.get(item["parent"]) if item["parent"] else None
        values = {k: v for k, v in item.items() if k not in ("ref", "parent")}
        sections[item["ref"]] = sync.upsert(
            Section, f"section {item['ref']}", {"plan": plan, "ref": item["ref"]},
            {**values, "parent_id": parent.pk if parent else None},
        )
    milestones = {
        m["code"]: sync.upsert(Milestone, f"milestone {m['code']}",
                               {"plan": plan, "code": m["code"]},
                               {k: v for k, v in m.items() if k != "code"})
        for m in spec.milestones
    }
    sectors = {
        s["code"]: sync.upsert(Sector, f"sector {s['code']}", {"plan": plan, "code": s["code"]},
                               {k: v for k, v in s.items() if k != "code"})
        for s in spec.sectors
    }
    targets: dict[str, Target] = {}
    for t in spec.targets:
        values = {k: v for k, v in t.items() if k not in ("ref", "milestone", "sectors")}
        target = sync.upsert(Target, f"target {t['ref']}", {"plan": plan, "ref": t["ref"]},
                             {**values, "milestone_id": milestones[t["milestone"]].pk})
        sync.set_m2m(target, "sectors", f"target {t['ref']}", [sectors[c] for c in t["sectors"]])
        targets[t["code"]] = target
    tasks: dict[str, Task] = {}
    for t in spec.tasks:
        values = {k: v for k, v in t.items() if k not in ("ref", "block", "assignments")}
        task = sync.upsert(Task, f"task {t['ref']}", {"plan": plan, "ref": t["ref"]},
                           {**values, "block_id": sections[t["block"]].pk})
        tasks[t["ref"]] = task
        _sync_assignments(sync, task, t["assignments"], units)
    for rule in spec.rules:
        values = {k: v for k, v in rule.items()
                  if k not in ("kind", "recipient", "consolidated_to")}
        obj = sync.upsert(ReportingRule, f"reporting rule {rule['kind']}",
                          {"plan": plan, "kind": rule["kind"]},
                          {**values, "recipient_id": units[rule["recipient"]].pk})
        sync.set_m2m(obj, "consolidated_to", f"reporting rule {rule['kind']}",
                     [units[c] for c in rule["consolidated_to"]])
    elements: dict[str, DataElement] = {}
    for q in spec.questions:
        label = f"question {q['code']}"
        values = {k: v for k, v in q.items() if k not in ("code", "task", "targets", "part_of")}
        elements[q["code"]] = element = sync.upsert(
            DataElement, label, {"plan": plan, "code": q["code"]},
            {**values, "task_id": tasks[q["task"]].pk if q["task"] else None})
        sync.set_m2m(element, "targets", label, [targets[c] for c in q["targets"]])
    for q in spec.questions:
        # A second pass, since a part may come before its whole in the file.
        element = elements[q["code"]]
        whole = elements[q["part_of"]].pk if q["part_of"] else None
        if element.part_of_id != whole:
            DataElement.objects.filter(pk=element.pk).update(part_of_id=whole,
                                                             updated_at=timezone.now())
            sync.changed(f"question {q['code']}", "part_of changed")

    for ind in spec.indicators:
        sync.upsert(Indicator, f"indicator {ind['code']}", {"plan": plan, "code": ind["code"]},
                    {k: v for k, v in ind.items() if k != "code"})
    sync.prune(Indicator.objects.filter(plan=plan), "code",
               {i["code"] for i in spec.indicators}, "indicator")
    sync.prune(DataElement.objects.filter(plan=plan), "code", set(elements), "question")
    sync.prune(ReportingRule.objects.filter(plan=plan), "kind",
               {r["kind"] for r in spec.rules}, "reporting rule")
    sync.prune(Task.objects.filter(plan=plan), "ref", set(tasks), "task")
    sync.prune(Target.objects.filter(plan=plan), "ref", {t["ref"] for t in spec.targets},
               "target")
    sync.prune(Sector.objects.filter(plan=plan), "code", set(sectors), "sector")
    sync.prune(Milestone.objects.filter(plan=plan), "code", set(milestones), "milestone")
    sync.prune(Section.objects.filter(plan=plan), "ref", set(sections), "section")


def _sync_assignments(sync: _Sync, task: Task, wanted: list, units: dict[str, OrgUnit]) -> None:
    def key(role: str, unit_id: int | None, group: str) -> tuple[str, int | None, str]:
        return (role, unit_id, group)

    have = {key(a.role, a.unit_id, a.group): a for a in task.assignments.all()}
    want = {key(a.role, units[a.unit_code].pk if a.unit_code else None, a.group): a
            for a in wanted}
    for k in want.keys() - have.keys():
        Assignment.objects.create(task=task, role=k[0], unit_id=k[1], group=k[2])
    for k in have.keys() - want.keys():
        have[k].delete()
    if want.keys() != have.keys():
        sync.changed(f"task {task.ref}", "assignments changed")


@transaction.atomic
def reference_data_load(*, actor: Any) -> list[str]:
    """Load the reference data every installation needs, named in settings, in one
    transaction: the organisation-unit files, the plan file and the unit table. Returns
    the summary lines."""
    from orgunits.services import orgunits_load_files
    from registry.services import units_load

    lines = [str(r) for r in orgunits_load_files(paths=settings.SCP_ORGUNIT_FILES, actor=actor)]
    lines.append(plan_load(path=settings.SCP_PLAN_FILE, actor=actor).summary())
    lines.append(units_load(path=settings.SCP_UNITS_FILE, actor=actor).summary())
    return lines
