"""Writes of data exchange: DHIS2 dataValueSets imported into the units' reports.

Values go through the reporting services (`report_save`, then `report_submit` when the
payload carries a `completeDate`), so they meet the same checks, permissions, versions and
audit trail as the web form; they land in a draft or returned report and never in a
submitted or accepted one.

As DHIS2 does with its default import strategy (CREATE_AND_UPDATE, atomic mode NONE), every
value is judged on its own: an invalid value becomes a conflict naming the object and the
reason and is ignored; the valid values of the same payload are stored. One exception, where
this system's workflow is stricter than DHIS2: the values of one report are saved together,
so if that save is refused (someone else saved the report meanwhile) all of that report's
values are reported as conflicts and ignored. See docs/exchange.md."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from common.exceptions import ConflictError
from common.parsing import ParseError
from common.xlsx import Book, WorkbookRefused, xlsx_read
from exchange.mapping import Dhis2Mapping, dhis2_mapping
from exchange.report_template import (
    COMMENT_COLUMN,
    FORMAT_VERSION,
    KIND,
    META_SHEET,
    TASK_COLUMNS,
    TASK_HEADER,
    TASK_SHEET,
    VALUE_COLUMN,
    VALUE_HEADER,
    VALUE_SHEET,
    TemplateProblem,
    layout_fingerprint,
    status_labels,
)
from orgunits.models import OrgUnit
from plans.models import Plan, ValueType
from plans.selectors import plan_current
from reporting import permissions
from reporting.models import Period, ReportRequest, ReportState, TaskStatus
from reporting.selectors import ReportLayout, report_layout
from reporting.services import report_save, report_submit
from reporting.validation import value_clean

MAX_VALUES = 10_000
PERIOD_FORMAT = re.compile(r"^\d{4}(S[12])?$")
_ID = re.compile(r"^[-\w.]{1,60}$")


@dataclass
class ImportConflict:
    object: str
    value: str
    index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"object": self.object, "value": self.value}
        if self.index is not None:
            out["indexes"] = [self.index]
        return out


@dataclass
class ImportSummary:
    """What DHIS2 answers an import with: status, counts and conflicts."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: list[ImportConflict] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    dry_run: bool = False

    def conflict(self, obj: Any, reason: str, index: int | None = None) -> None:
        self.conflicts.append(ImportConflict(str(obj)[:100], reason, index))

    @property
    def status(self) -> str:
        if not self.conflicts:
            return "SUCCESS"
        return "WARNING" if self.imported + self.updated + self.deleted else "ERROR"

    def as_dict(self) -> dict[str, Any]:
        return {
            "responseType": "ImportSummary", "status": self.status, "dryRun": self.dry_run,
            "description": _("Import process completed successfully") if not self.conflicts
            else _("Import process completed with conflicts"),
            "importCount": {"imported": self.imported, "updated": self.updated,
                            "ignored": self.ignored, "deleted": self.deleted},
            "conflicts": [c.as_dict() for c in self.conflicts],
            "completed": self.submitted,
        }


@dataclass
class _Pending:
    index: int
    element: str
    raw: Any
    comment: str | None
    text: str
    numeric: Decimal | None
    delete: bool


def _text_id(value: Any) -> str | None:
    """An identifier as sent, or None when it is not a plausible one."""
    if isinstance(value, str) and _ID.match(value):
        return value
    return None


class _Context:
    """Look-ups cached for one import: periods, units, reports and their forms."""

    def __init__(self, plan: Plan, actor: Any, mapping: Dhis2Mapping) -> None:
        self.plan, self.actor, self.mapping = plan, actor, mapping
        self.periods: dict[str, Period | None] = {}
        self.units: dict[str, OrgUnit | None] = {}
        self.reports: dict[tuple[int, int], ReportRequest | None] = {}
        self.layouts: dict[int, ReportLayout] = {}

    def period(self, code: str) -> Period | None:
        if code not in self.periods:
            self.periods[code] = Period.objects.filter(plan=self.plan, code=code).first()
        return self.periods[code]

    def unit(self, identifier: str) -> OrgUnit | None:
        if identifier not in self.units:
            code = self.mapping.local("org_units", identifier)
            self.units[identifier] = OrgUnit.objects.filter(code=code).first()
        return self.units[identifier]

    def report(self, period: Period, unit: OrgUnit) -> ReportRequest | None:
        key = (period.pk, unit.pk)
        if key not in self.reports:
            self.reports[key] = (ReportRequest.objects.select_related("period", "org_unit")
                                 .filter(period=period, org_unit=unit).first())
        return self.reports[key]

    def layout(self, report: ReportRequest) -> ReportLayout:
        if report.pk not in self.layouts:
            self.layouts[report.pk] = report_layout(report=report, with_issues=False)
        return self.layouts[report.pk]


def _complete_date(raw: Any, summary: ImportSummary) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            pass
    summary.conflict(raw, _("completeDate must be a date written yyyy-mm-dd; the reports "
                            "were not submitted."))
    return None


def _check_value(ctx: _Context, item: Any, index: int, header: dict[str, Any],
                 summary: ImportSummary) -> tuple[ReportRequest, _Pending] | None:
    """The report and the cleaned value of one data value, or None (a conflict noted)."""
    if not isinstance(item, dict):
        summary.conflict(index, _("Each data value must be an object."), index)
        return None
    element_id = _text_id(item.get("dataElement"))
    period_code = item.get("period", header.get("period"))
    unit_id = _text_id(item.get("orgUnit", header.get("orgUnit")))
    if element_id is None:
        summary.conflict(item.get("dataElement"), _("Give the data element."), index)
        return None
    if not isinstance(period_code, str) or not PERIOD_FORMAT.match(period_code):
        summary.conflict(period_code, _("The period must be in DHIS2's yearly (2025) or "
                                        "six-monthly (2025S1) form."), index)
        return None
    period = ctx.period(period_code)
    if period is None:
        summary.conflict(period_code, _("This period has not been opened for reporting."),
                         index)
        return None
    if unit_id is None:
        summary.conflict(item.get("orgUnit", header.get("orgUnit")),
                         _("Give the organisation unit."), index)
        return None
    unit = ctx.unit(unit_id)
    if unit is None:
        summary.conflict(unit_id, _("Unknown organisation unit."), index)
        return None
    for key in ("categoryOptionCombo", "attributeOptionCombo"):
        combo = item.get(key, header.get(key) if key == "attributeOptionCombo" else None)
        if not ctx.mapping.is_default_combo(combo):
            summary.conflict(combo, _("Only the default category option combination is "
                                      "used in this system."), index)
            return None
    report = ctx.report(period, unit)
    if report is None:
        summary.conflict(unit_id, _("This organisation unit has no report for period "
                                    "%(period)s.") % {"period": period.code}, index)
        return None
    if not permissions.can_write(ctx.actor, report):
        summary.conflict(unit_id, _("You may not write this organisation unit's data."), index)
        return None
    if report.state == ReportState.ACCEPTED:
        summary.conflict(unit_id, _("The report of %(period)s has been accepted and is "
                                    "locked.") % {"period": period.code}, index)
        return None
    if report.state == ReportState.SUBMITTED:
        summary.conflict(unit_id, _("The report of %(period)s has been submitted and waits "
                                    "for review.") % {"period": period.code}, index)
        return None
    layout = ctx.layout(report)
    code = ctx.mapping.local("data_elements", element_id)
    question = layout.questions.get(code)
    if question is None or question.element_id is None:
        summary.conflict(element_id, _("This data element is not part of this organisation "
                                       "unit's report."), index)
        return None
    raw, comment = item.get("value"), item.get("comment")
    if comment is not None and not isinstance(comment, str):
        summary.conflict(element_id, _("The comment must be a text."), index)
        return None
    if raw is None or raw == "":
        return report, _Pending(index, code, raw, comment, "", None, delete=True)
    try:
        text, numeric = value_clean(question, raw, machine=True)
    except ParseError as exc:
        summary.conflict(element_id, exc.message, index)
        return None
    return report, _Pending(index, code, raw, comment, text, numeric, delete=False)


def _parts_check(layout: ReportLayout, pending: dict[str, _Pending], element_ids: dict[str, str],
                 summary: ImportSummary) -> None:
    """Drop (as conflicts) values that would make a part larger than its whole."""
    stored = {f.question.code: f.value.numeric if f.value is not None else None
              for f in layout.fields}

    def effective(code: str) -> Decimal | None:
        if code in pending:
            return None if pending[code].delete else pending[code].numeric
        return stored.get(code)

    for question in layout.questions.values():
        whole = question.part_of
        if not whole or (question.code not in pending and whole not in pending):
            continue
        part_value, whole_value = effective(question.code), effective(whole)
        if part_value is None or whole_value is None or part_value <= whole_value:
            continue
        blamed = question.code if question.code in pending else whole
        item = pending.pop(blamed)
        summary.conflict(element_ids[blamed], _(
            "«%(part)s» (%(value)s) cannot be larger than «%(whole)s» (%(total)s).") % {
            "part": question.label, "value": part_value,
            "whole": layout.questions[whole].label, "total": whole_value}, item.index)
        summary.ignored += 1


def _save(ctx: _Context, report: ReportRequest, pending: dict[str, _Pending],
          element_ids: dict[str, str], submit: bool, summary: ImportSummary) -> None:
    layout = ctx.layout(report)
    _parts_check(layout, pending, element_ids, summary)
    stored = {f.question.code: f.value for f in layout.fields}
    values: dict[str, Any] = {}
    counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
    for code, item in pending.items():
        row = stored.get(code)
        if item.delete:
            if row is None:
                counts["ignored"] += 1
                continue
            values[code] = {"value": "", "comment": ""}
            counts["deleted"] += 1
            continue
        new_comment = item.comment if item.comment is not None else (row.comment if row else "")
        if row is not None and row.value == item.text and row.comment == new_comment:
            counts["ignored"] += 1  # unchanged
            continue
        values[code] = {"value": item.raw, **({"comment": item.comment}
                                               if item.comment is not None else {})}
        counts["imported" if row is None else "updated"] += 1
    unit_id = ctx.mapping.remote("org_units", report.org_unit.code)
    try:
        with transaction.atomic():
            fresh = ReportRequest.objects.select_related("period", "org_unit").get(pk=report.pk)
            if values:
                fresh = report_save(report=fresh, actor=ctx.actor, version=fresh.version,
                                    values=values, machine=True)
    except (ValidationError, ConflictError) as exc:
        reason = exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)
        for item in pending.values():
            summary.conflict(element_ids[item.element], reason, item.index)
        summary.ignored += len(pending)
        return
    for key, number in counts.items():
        setattr(summary, key, getattr(summary, key) + number)
    if submit:
        try:
            with transaction.atomic():
                report_submit(report=fresh, actor=ctx.actor)
            summary.submitted.append(f"{report.period.code}/{unit_id}")
        except (ValidationError, ConflictError) as exc:
            reasons = exc.messages if isinstance(exc, ValidationError) else [exc.message]
            summary.conflict(unit_id, _("The values were saved but the report of %(period)s "
                                        "was not submitted: %(reasons)s") % {
                "period": report.period.code, "reasons": " ".join(reasons[:10])})


def datavalueset_import(*, payload: Any, actor: Any, dry_run: bool = False) -> ImportSummary:
    """Import a DHIS2 dataValueSet (header form or header-less) into the units' reports;
    the summary lists what was imported, updated, ignored and deleted, and every conflict.
    `dry_run` checks everything and stores nothing."""
    summary = ImportSummary(dry_run=dry_run)
    plan = plan_current()
    mapping = dhis2_mapping()
    if plan is None:
        summary.conflict("dataSet", _("No plan is loaded."))
        return summary
    if not isinstance(payload, dict):
        summary.conflict("dataValueSet", _("Send a JSON object with a dataValues list."))
        return summary
    values = payload.get("dataValues")
    if not isinstance(values, list):
        summary.conflict("dataValues", _("Send a JSON object with a dataValues list."))
        return summary
    if len(values) > MAX_VALUES:
        summary.conflict("dataValues", _("At most %(n)s values in one import: split it.")
                         % {"n": MAX_VALUES})
        summary.ignored = len(values)
        return summary
    data_set = payload.get("dataSet")
    if data_set is not None and mapping.local("data_sets", str(data_set)) != plan.slug:
        summary.conflict(data_set, _("Unknown data set."))
        summary.ignored = len(values)
        return summary
    submit_on = _complete_date(payload.get("completeDate"), summary)
    ctx = _Context(plan, actor, mapping)
    groups: dict[int, dict[str, _Pending]] = defaultdict(dict)
    reports: dict[int, ReportRequest] = {}
    element_ids: dict[str, str] = {}
    for index, item in enumerate(values):
        found = _check_value(ctx, item, index, payload, summary)
        if found is None:
            summary.ignored += 1
            continue
        report, pending = found
        element_ids[pending.element] = str(item["dataElement"])
        if pending.element in groups[report.pk]:
            summary.conflict(item["dataElement"], _("This data element is given twice for the "
                                                    "same organisation unit and period; the "
                                                    "last one counts."),
                             groups[report.pk][pending.element].index)
            summary.ignored += 1
        groups[report.pk][pending.element] = pending
        reports[report.pk] = report
    with transaction.atomic():
        for pk, pending_values in groups.items():
            _save(ctx, reports[pk], pending_values, element_ids, submit_on is not None,
                  summary)
        if dry_run:
            transaction.set_rollback(True)
    return summary


# --------------------------------------------------------------------------------------
# Excel templates of report forms


class TemplateRejected(ValidationError):
    """A filled template refused whole; `problems` lists every reason with its sheet and
    cell. Nothing was stored."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        self.problems = problems
        super().__init__({"file": [str(p) for p in problems]})


@dataclass(frozen=True)
class TemplateImported:
    report: ReportRequest
    changed: bool
    submitted: bool


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _template_meta(book: Book) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for row in itertools.islice(book.rows(META_SHEET), 10):
        if row and isinstance(row[0], str):
            meta[row[0]] = row[1] if len(row) > 1 else None
    return meta


def _sheet_rows(book: Book, name: str, header: tuple[str, ...],
                problems: list[TemplateProblem]) -> list[tuple[int, tuple[Any, ...]]]:
    """The data rows of a sheet (row number, cells), after checking its header."""
    if name not in book.sheetnames:
        problems.append(TemplateProblem(name, "", _("The sheet is missing or was renamed: "
                                                    "download a new template.")))
        return []
    rows = book.rows(name)
    found = next(rows, None) or ()
    extra = [c for c in found[len(header):] if c not in (None, "")]
    if tuple(_cell_text(c).strip() for c in found[:len(header)]) != header or extra:
        problems.append(TemplateProblem(name, "A1", _(
            "The columns were changed (expected: %(names)s): download a new template.")
            % {"names": ", ".join(header)}))
        return []
    out = []
    for number, row in enumerate(rows, start=2):
        if any(c not in (None, "") for c in row):
            out.append((number, tuple(row) + (None,) * max(0, len(header) - len(row))))
    return out


def _template_report(meta: dict[str, Any], actor: Any, expected: ReportRequest | None,
                     problems: list[TemplateProblem]) -> ReportRequest | None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from reporting.selectors import report_get

    if meta.get("kind") != KIND or meta.get("format") != FORMAT_VERSION:
        problems.append(TemplateProblem("", "", _(
            "This file is not a report template of this system: download the template "
            "from the report page.")))
        return None
    period_code, unit_code = _cell_text(meta.get("period")), _cell_text(meta.get("unit"))
    try:
        report = report_get(period_code=period_code, unit_code=unit_code)
    except Http404 as exc:
        problems.append(TemplateProblem("", "", str(exc)))
        return None
    if expected is not None and expected.pk != report.pk:
        problems.append(TemplateProblem("", "", _(
            "This template is for %(unit)s, period %(period)s, not for the report you are "
            "importing into.") % {"unit": report.org_unit.name, "period": report.period.code}))
        return None
    try:
        permissions.require_write(actor, report)
    except PermissionDenied:
        problems.append(TemplateProblem("", "", _(
            "This template is the report of %(unit)s for %(period)s: you may not import it.")
            % {"unit": report.org_unit.name, "period": report.period.code}))
        return None
    return report


def _template_payload(book: Book, layout: ReportLayout, problems: list[TemplateProblem]
                      ) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """(values by code, answers by task, error key → cell) read from the filled sheets."""
    labels = {label.casefold(): code for code, label in status_labels().items()}
    labels.update({code: code for code in TaskStatus.values})
    where: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for number, row in _sheet_rows(book, TASK_SHEET, TASK_HEADER, problems):
        ref = _cell_text(row[0]).strip()
        if ref not in layout.answers:
            problems.append(TemplateProblem(TASK_SHEET, f"A{number}", _(
                "Unknown task «%(ref)s»: rows must not be added or changed.") % {"ref": ref}))
            continue
        if ref in answers:
            problems.append(TemplateProblem(TASK_SHEET, f"A{number}", _(
                "Task %(ref)s appears twice.") % {"ref": ref}))
            continue
        status_text = _cell_text(row[2]).strip()
        status = labels.get(status_text.casefold()) if status_text else ""
        if status is None:
            problems.append(TemplateProblem(TASK_SHEET, f"C{number}", _(
                "Choose the status from the list.")))
            continue
        answers[ref] = {"status": status, "results": _cell_text(row[3]),
                        "difficulties": _cell_text(row[4]), "proposals": _cell_text(row[5])}
        where[f"tasks.{ref}"] = f"{TASK_SHEET}!A{number}"
        for name, column in TASK_COLUMNS.items():
            where[f"tasks.{ref}.{name}"] = f"{TASK_SHEET}!{column}{number}"
    values: dict[str, Any] = {}
    for number, row in _sheet_rows(book, VALUE_SHEET, VALUE_HEADER, problems):
        code = _cell_text(row[0]).strip()
        question = layout.questions.get(code)
        if question is None:
            problems.append(TemplateProblem(VALUE_SHEET, f"A{number}", _(
                "Unknown question «%(code)s»: rows must not be added or changed.")
                % {"code": code}))
            continue
        if code in values:
            problems.append(TemplateProblem(VALUE_SHEET, f"A{number}", _(
                "Question «%(code)s» appears twice.") % {"code": code}))
            continue
        raw = row[5]
        if question.value_type == ValueType.CHOICE and isinstance(raw, str):
            names = {question.choice_label(c["code"]).casefold(): c["code"]
                     for c in question.choices}
            raw = names.get(raw.strip().casefold(), raw)
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        values[code] = {"value": raw, "comment": _cell_text(row[6])}
        where[f"values.{code}"] = f"{VALUE_SHEET}!{VALUE_COLUMN}{number}"
        where[f"values.{code}.comment"] = f"{VALUE_SHEET}!{COMMENT_COLUMN}{number}"
    return values, answers, where


def _problems_of(exc: ValidationError, where: dict[str, str]) -> list[TemplateProblem]:
    out: list[TemplateProblem] = []
    for key, messages in exc.message_dict.items():
        sheet, _sep, cell = where.get(key, "").partition("!")
        if not sheet and key.startswith("values."):
            sheet, _sep, cell = where.get(key.rsplit(".", 1)[0], "").partition("!")
        out.extend(TemplateProblem(sheet, cell, m) for m in messages)
    return out


def report_template_import(*, content: bytes, actor: Any, submit: bool = False,
                           report: ReportRequest | None = None) -> TemplateImported:
    """Store a filled template in its report through `report_save` (the web form's
    service and checks), and submit it when `submit`; all or nothing. TemplateRejected
    lists every problem with its sheet, cell and reason: a file that is not a workbook,
    too large or a bomb (common.xlsx limits), another system's file, another unit's or
    period's template (or not the `report` expected), a changed layout, a form changed
    since the download, each value or answer that fails the form's checks. If the report
    was saved on the web since the template was made, the file's changes are kept as a
    conflict copy beside the current version (as for the web form)."""
    problems: list[TemplateProblem] = []
    try:
        _sheet, book = xlsx_read(content, sheet=META_SHEET)
    except WorkbookRefused as exc:
        raise TemplateRejected([TemplateProblem("", "", exc.message)]) from None
    try:
        if META_SHEET not in book.sheetnames:
            raise TemplateRejected([TemplateProblem("", "", _(
                "This file is not a report template of this system: download the template "
                "from the report page."))])
        meta = _template_meta(book)
        found = _template_report(meta, actor, report, problems)
        if found is None:
            raise TemplateRejected(problems)
        layout = report_layout(report=found, with_issues=False)
        if meta.get("layout") != layout_fingerprint(layout):
            raise TemplateRejected([TemplateProblem("", "", _(
                "The report's form has changed since this template was made: download a new "
                "template and copy your answers into it."))])
        values, answers, where = _template_payload(book, layout, problems)
    finally:
        book.close()
    if problems:
        raise TemplateRejected(problems)
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TemplateRejected([TemplateProblem("", "", _(
            "This file is not a report template of this system: download the template from "
            "the report page."))])
    if not found.is_editable:
        raise TemplateRejected([TemplateProblem("", "", str(
            _("The report of %(period)s has been submitted or accepted: it cannot be changed "
              "from a template.") % {"period": found.period.code}))])
    try:
        if submit:
            with transaction.atomic():
                saved = report_save(report=found, actor=actor, version=version, values=values,
                                    answers=answers)
                saved = report_submit(report=saved, actor=actor)
        else:
            saved = report_save(report=found, actor=actor, version=version, values=values,
                                answers=answers)
    except ValidationError as exc:
        raise TemplateRejected(_problems_of(exc, where)) from None
    except ConflictError as exc:
        raise TemplateRejected([TemplateProblem("", "", exc.message)]) from None
    return TemplateImported(saved, saved.version != found.version, submit)
