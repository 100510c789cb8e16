"""Writes on organisation units: loading the organisation-unit files (docs/orgunit-file.md).

Loading is idempotent: a file loaded twice changes nothing the second time, and an edited
file updates the stored units and successions in place. Nothing is ever deleted here (a
unit or succession taken out of a file stays in the database; remove it in the admin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from common.loading import ChangeLog, FieldChange, Tally, same
from common.services import audit_record
from orgunits.loader import OrgUnitBatch, UnitSpec, orgunit_files_read
from orgunits.models import OrgUnit, Succession

UNIT_FIELDS = (
    "name", "name_en", "short_name", "kind", "parent", "valid_from", "valid_to",
    "official_code", "email", "uncertain", "source", "note", "note_en",
)
SUCCESSION_FIELDS = (
    "date", "kind", "share", "uncertain", "source", "note", "note_en", "tasks",
)


@dataclass
class LoadReport(ChangeLog):
    """What loading one file did: every change, field by field (old → new), and the rows
    left as they were. Units of earlier files closed by this file's successions count
    here."""

    file: str = ""

    @property
    def units(self) -> Tally:
        return self.tally("unit")

    @property
    def successions(self) -> Tally:
        return self.tally("succession")

    def __str__(self) -> str:
        return f"{self.file}: units {self.units}; successions {self.successions}"

    def lines(self) -> list[str]:
        return [str(self), *(f"  {line}" for line in super().lines())]


def _diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    return [FieldChange(k, old.get(k), new[k]) for k in new if not same(old.get(k), new[k])]


def _created(new: dict[str, Any]) -> list[FieldChange]:
    """The fields a new row was given (empty and false values left out)."""
    return [FieldChange(k, None, v) for k, v in new.items()
            if v not in (None, "", False) and v != []]


def _audit_changes(changes: list[FieldChange]) -> list[dict[str, Any]]:
    return [{"field": c.field, "old": c.old, "new": c.new} for c in changes]


def _parents_first(units: list[UnitSpec]) -> list[UnitSpec]:
    by_code = {u.code: u for u in units}
    done: set[str] = set()
    out: list[UnitSpec] = []

    def visit(spec: UnitSpec) -> None:
        if spec.code in done:
            return
        done.add(spec.code)
        if spec.parent in by_code:
            visit(by_code[spec.parent])
        out.append(spec)

    for spec in units:
        visit(spec)
    return out


@transaction.atomic
def orgunits_load(*, path: Path, actor: Any) -> LoadReport:
    """Load one organisation-unit file (it may refer to units already stored). Raises
    `orgunits.loader.DataFileError` and changes nothing if the file is not valid."""
    return orgunits_load_files(paths=[path], actor=actor)[0]


@transaction.atomic
def orgunits_load_files(*, paths: Iterable[Path | str], actor: Any) -> list[LoadReport]:
    """Load several files in order in one transaction (later files may refer to units of
    earlier ones, and close them); one report per file. All files are read and checked
    before anything is written: one bad file and nothing at all is loaded."""
    existing: dict[str, OrgUnit] = {u.code: u for u in OrgUnit.objects.all()}
    batch = orgunit_files_read(paths, known=existing)
    return _apply(batch, existing, actor)


def _apply(batch: OrgUnitBatch, existing: dict[str, OrgUnit], actor: Any) -> list[LoadReport]:
    reports = {f: LoadReport(file=f) for f in batch.files}
    code_of: dict[int, str] = {u.pk: u.code for u in existing.values()}
    stored = {
        (s.predecessor_id, s.successor_id): s
        for s in Succession.objects.select_related("predecessor", "successor")
    }
    by_id = {u.pk: u for u in existing.values()}
    # Units whose stored closing date is that of one of their stored successions: they
    # stay closed when a file that does not close them is loaded again on its own.
    closed_by_stored: set[int] = set()
    for s in stored.values():
        pred = by_id.get(s.predecessor_id)
        if pred is not None and pred.valid_to == s.date:
            closed_by_stored.add(pred.pk)

    for spec in _parents_first(batch.units):
        unit = existing.get(spec.code)
        report = reports[spec.where.file]
        valid_to: dt.date | None
        if spec.valid_to is not None:
            valid_to = spec.valid_to
        elif spec.code in batch.closings:
            valid_to = batch.closings[spec.code][0]
        elif unit is not None and unit.pk in closed_by_stored:
            valid_to = unit.valid_to
        else:
            valid_to = None
        want: dict[str, Any] = {
            "name": spec.name, "name_en": spec.name_en, "short_name": spec.short_name,
            "kind": spec.kind, "parent": spec.parent, "valid_from": spec.valid_from,
            "valid_to": valid_to, "official_code": spec.official_code, "email": spec.email,
            "uncertain": spec.uncertain, "source": spec.source, "note": spec.note,
            "note_en": spec.note_en,
        }
        values = {**want, "parent": existing[spec.parent] if spec.parent else None}
        if unit is None:
            unit = OrgUnit.objects.create(code=spec.code, **values)
            existing[spec.code] = unit
            code_of[unit.pk] = unit.code
            changes = _created(want)
            report.record("unit", spec.code, "created", changes)
            audit_record(actor=actor, action="orgunit.created", target=unit,
                         changes=_audit_changes(changes))
            continue
        have = {k: getattr(unit, k) for k in UNIT_FIELDS if k != "parent"}
        have["parent"] = code_of.get(unit.parent_id) if unit.parent_id else None
        changes = _diff(have, want)
        if not changes:
            report.keep("unit")
            continue
        for key, value in values.items():
            setattr(unit, key, value)
        unit.save()
        report.record("unit", spec.code, "updated", changes)
        audit_record(actor=actor, action="orgunit.updated", target=unit,
                     changes=_audit_changes(changes))

    # Units of earlier files (or already stored) closed by a succession of this batch.
    batch_codes = {u.code for u in batch.units}
    for code, (date, where) in batch.closings.items():
        if code in batch_codes:
            continue
        unit = existing[code]
        if unit.valid_to == date:
            continue
        changes = [FieldChange("valid_to", unit.valid_to, date)]
        unit.valid_to = date
        unit.save(update_fields=["valid_to", "updated_at"])
        report = reports[where.file]
        report.record("unit", code, "updated", changes)
        audit_record(actor=actor, action="orgunit.updated", target=unit,
                     changes=_audit_changes(changes))

    for succ in batch.successions:
        report = reports[succ.where.file]
        for pred_code, to in succ.pairs():
            pred, successor = existing[pred_code], existing[to.code]
            key = f"{pred_code} → {to.code}"
            want = {"date": succ.date, "kind": succ.kind, "share": to.share,
                    "uncertain": succ.uncertain, "source": succ.source, "note": succ.note,
                    "note_en": succ.note_en, "tasks": succ.tasks}
            row = stored.get((pred.pk, successor.pk))
            if row is None:
                row = Succession.objects.create(predecessor=pred, successor=successor, **want)
                stored[(pred.pk, successor.pk)] = row
                changes = _created(want)
                report.record("succession", key, "created", changes)
                audit_record(actor=actor, action="succession.created", target=row,
                             changes=_audit_changes(changes), scope=pred)
                continue
            have = {k: getattr(row, k) for k in SUCCESSION_FIELDS}
            changes = _diff(have, want)
            if not changes:
                report.keep("succession")
                continue
            for k, value in want.items():
                setattr(row, k, value)
            row.save()
            report.record("succession", key, "updated", changes)
            audit_record(actor=actor, action="succession.updated", target=row,
                         changes=_audit_changes(changes), scope=pred)
    return [reports[f] for f in batch.files]
