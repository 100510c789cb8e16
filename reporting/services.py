"""Writes on the reporting cycle: opening periods and ad-hoc requests, saving a report
(with its version checked), the workflow (submit, return, resubmit, accept, reopen),
resolving edit conflicts, and sending reminders.

Every service checks the actor's rights (`reporting.permissions`), runs in one
transaction, records each change in the audit trail with the report as scope, and sends
e-mail only after the transaction commits. `now`/`today` parameters exist for the demo
history and for tests; callers normally leave them out."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import Role, User
from common.bulk import rows_update
from common.compiled import Compiled
from common.exceptions import ConflictError, state_error, state_errors
from common.parsing import ParseError, number_parse, text_clean
from common.services import audit_record
from orgunits.models import OrgUnit
from plans.models import Plan, Recurrence, ReportKind, Task, ValueType
from plans.selectors import plan_obligations_on
from reporting import permissions
from reporting.models import (
    AdhocQuestion,
    ConflictCopy,
    DataValue,
    Period,
    ReminderKind,
    ReminderLog,
    ReportRequest,
    ReportState,
    TaskAnswer,
    TaskStatus,
)
from reporting.periods import period_spec
from reporting.sections import sections_for
from reporting.selectors import (
    ReportLayout,
    report_issues,
    report_layout_current,
    units_obliged_on,
)
from reporting.signals import reports_changed
from reporting.validation import PLACES, answer_text_clean, value_clean

MAX_VERSION = 2**31 - 1

log = logging.getLogger(__name__)

TASK_TEXT_FIELDS = ("results", "difficulties", "proposals")
MAX_REASON = 2000


# --------------------------------------------------------------------------------------
# Opening periods


def _requests_create(period: Period, obligations: dict[OrgUnit, list[Task]], actor: Any
                     ) -> list[ReportRequest]:
    """One request per unit that has none yet, with its task rows; audited."""
    existing = set(period.requests.values_list("org_unit_id", flat=True))
    missing = {unit.pk: (unit, tasks) for unit, tasks in obligations.items()
               if unit.pk not in existing}
    if not missing:
        return []
    ReportRequest.objects.bulk_create(
        [ReportRequest(period=period, org_unit=unit) for unit, _tasks in missing.values()])
    created = list(period.requests.filter(org_unit_id__in=list(missing))
                   .select_related("org_unit", "period"))
    reports_changed.send(sender=ReportRequest, report_ids=[r.pk for r in created])
    TaskAnswer.objects.bulk_create([
        TaskAnswer(request=report, task=task)
        for report in created for task in missing[report.org_unit_id][1]
    ])
    for report in created:
        audit_record(actor=actor, action="report.open", target=report,
                     changes=[{"field": "state", "old": None, "new": ReportState.DRAFT}])
    return created


@transaction.atomic
def period_open(*, plan: Plan, code: str, actor: Any, notify: bool = True
                ) -> tuple[Period, list[ReportRequest]]:
    """Open the semi-annual (`2025S1`) or annual (`2025`) period of `plan`: one request
    per unit obliged on the last day of the data window, due on the plan's date.
    Idempotent: opening again only adds requests for units that have none (e.g. an
    enterprise designated since). Returns the period and the requests created."""
    permissions.require_manage_periods(actor)
    spec = period_spec(plan=plan, code=code)
    period, created = Period.objects.get_or_create(
        plan=plan, code=spec.code,
        defaults={"kind": spec.kind, "year": spec.year, "start": spec.start, "end": spec.end,
                  "due_date": spec.due_date, "opened_by": _user(actor)},
    )
    if created:
        audit_record(actor=actor, action="period.open", target=period, changes=[
            {"field": "start", "old": None, "new": spec.start},
            {"field": "end", "old": None, "new": spec.end},
            {"field": "due_date", "old": None, "new": spec.due_date},
        ])
    requests = _requests_create(period, units_obliged_on(plan=plan, day=period.end), actor)
    if notify and requests:
        ids = [r.pk for r in requests]
        transaction.on_commit(lambda: _mail_opened(ids))
    return period, requests


@transaction.atomic
def period_units_add(*, period: Period, actor: Any, notify: bool = True
                     ) -> list[ReportRequest]:
    """Ask the units obliged for an open semi-annual or annual `period` that have no
    request yet (units loaded or designated since it was opened): one request each, due
    on the period's deadline, recorded on the period with the units added. Refused for an
    ad-hoc request (its recipients are chosen when it is opened) and when every obliged
    unit already has a request."""
    permissions.require_manage_periods(actor)
    if period.is_adhoc:
        raise ValidationError({"period": _(
            "An ad-hoc request goes to the units chosen when it was opened.")})
    period = Period.objects.select_for_update().get(pk=period.pk)
    requests = _requests_create(period, units_obliged_on(plan=period.plan, day=period.end),
                                actor)
    if not requests:
        raise ValidationError({"period": _(
            "Every unit obliged for this period already has a report request.")})
    audit_record(actor=actor, action="period.units_add", target=period, changes=[
        {"field": "recipients", "old": None,
         "new": sorted(r.org_unit.code for r in requests)}])
    if notify:
        ids = [r.pk for r in requests]
        transaction.on_commit(lambda: _mail_opened(ids))
    return requests


def _read(parse: Any, raw: Any, key: str, errors: dict[str, list[str]], **options: Any
          ) -> Any:
    """`parse(raw, **options)` (from common.parsing), or None with the fault under `key`."""
    try:
        return parse(raw, **options)
    except ParseError as exc:
        errors.setdefault(key, []).append(capfirst(exc.message))
        return None


def _adhoc_questions_clean(questions: list[Any], errors: dict[str, list[str]]
                           ) -> list[dict[str, Any]]:
    cleaned = []
    if not isinstance(questions, list):
        errors["questions"] = [_("Give a list of questions.")]
        return []
    for i, item in enumerate(questions):
        key = f"questions.{i}"
        if not isinstance(item, dict):
            errors[key] = [_("Each question needs at least a text and a value type.")]
            continue
        name = _read(text_clean, item.get("name"), f"{key}.name", errors, max_length=300)
        if name == "":
            errors[f"{key}.name"] = [_("Write the question.")]
        value_type = item.get("value_type") or ValueType.TEXT
        if value_type not in ValueType.values:
            errors[f"{key}.value_type"] = [_("Unknown value type.")]
            continue
        low = _read(number_parse, item.get("min"), f"{key}.min", errors, places=PLACES)
        high = _read(number_parse, item.get("max"), f"{key}.max", errors, places=PLACES)
        if value_type == ValueType.PERCENT:
            low = Decimal(0) if low is None else low
            high = Decimal(100) if high is None else high
        if value_type in (ValueType.INTEGER, ValueType.MONEY) and low is None:
            low = Decimal(0)
        if low is not None and high is not None and high < low:
            errors[f"{key}.max"] = [_("The maximum is below the minimum.")]
        raw_choices = item.get("choices") or []
        choices = []
        if isinstance(raw_choices, str):
            raw_choices = [c for c in raw_choices.splitlines() if c.strip()]
        if not isinstance(raw_choices, list):
            raw_choices = []
        for k, choice in enumerate(raw_choices):
            text = _read(text_clean, choice.get("name") if isinstance(choice, dict) else choice,
                         f"{key}.choices", errors, max_length=200)
            if text:
                choices.append({"code": str(k + 1), "name": text, "name_en": ""})
        if value_type == ValueType.CHOICE and len(choices) < 2:
            errors[f"{key}.choices"] = [_("A choice question needs at least two options.")]
        cleaned.append({
            "code": f"q{i + 1}", "order": i + 1, "name": name,
            "help_text": _read(text_clean, item.get("help_text"), f"{key}.help_text", errors,
                               multiline=True),
            "value_type": value_type,
            "unit": _read(text_clean, item.get("unit"), f"{key}.unit", errors, max_length=40),
            "required": bool(item.get("required")), "min_value": low, "max_value": high,
            "choices": choices,
        })
    return cleaned


@transaction.atomic
def adhoc_request_open(
    *,
    plan: Plan,
    title: str,
    due_date: dt.date,
    recipients: list[OrgUnit],
    questions: list[dict[str, Any]],
    actor: Any,
    instructions: str = "",
    include_plan_questions: bool = False,
    today: dt.date | None = None,
    notify: bool = True,
) -> Period:
    """Open an ad-hoc request ("đột xuất theo yêu cầu"): its own title, instructions,
    questions, recipients and deadline; coded `AH-<year>-<nn>`. With
    `include_plan_questions`, recipients also answer their tasks and values."""
    permissions.require_manage_periods(actor)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    title = _read(text_clean, title, "title", errors, max_length=300)
    instructions = _read(text_clean, instructions, "instructions", errors, multiline=True)
    if title == "":
        errors["title"] = [_("Give the request a title.")]
    if not isinstance(due_date, dt.date):
        errors["due_date"] = [_("Give the deadline as a date.")]
    elif due_date < today:
        errors["due_date"] = [_("The deadline cannot be in the past.")]
    recipients = list(dict.fromkeys(recipients or []))
    if not recipients:
        errors["recipients"] = [_("Choose at least one unit.")]
    cleaned = _adhoc_questions_clean(questions, errors)
    if not cleaned and not include_plan_questions and "questions" not in errors:
        errors["questions"] = [_("Ask at least one question, or include the plan's questions.")]
    if errors:
        raise ValidationError(errors)
    prefix = f"AH-{today.year}-"
    taken = Period.objects.filter(plan=plan, code__startswith=prefix).count()
    period = Period.objects.create(
        plan=plan, code=f"{prefix}{taken + 1:02d}", kind=ReportKind.ADHOC, year=today.year,
        title=title, instructions=instructions,
        start=dt.date(today.year, 1, 1), end=max(due_date, dt.date(today.year, 1, 1)),
        due_date=due_date, include_plan_questions=include_plan_questions,
        opened_by=_user(actor),
    )
    period.recipients.set(recipients)
    AdhocQuestion.objects.bulk_create([AdhocQuestion(period=period, **q) for q in cleaned])
    audit_record(actor=actor, action="period.open", target=period, changes=[
        {"field": "title", "old": None, "new": title},
        {"field": "due_date", "old": None, "new": due_date},
        {"field": "recipients", "old": None, "new": [u.code for u in recipients]},
    ])
    held = plan_obligations_on(plan=plan, day=min(today, period.end)) if include_plan_questions \
        else {}
    requests = _requests_create(period, {u: held.get(u, []) for u in recipients}, actor)
    if notify and requests:
        ids = [r.pk for r in requests]
        transaction.on_commit(lambda: _mail_opened(ids))
    return period


# --------------------------------------------------------------------------------------
# Saving a report


def _version_check(version: Any, *, required: bool = True) -> None:
    if version is None and not required:
        return
    if isinstance(version, bool) or not isinstance(version, int) or not (
            0 <= version <= MAX_VERSION):
        raise ValidationError({"version": [_("Give the version number you read.")]})


class _Stale(Exception):
    def __init__(self, current_version: int) -> None:
        self.current_version = current_version


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


# every save takes it (common.compiled); first compiled inside a save's transaction, where
# Django checks that a lock is taken
_LOCKED = Compiled(lambda pk: ReportRequest.objects.select_for_update().filter(pk=pk), pk=int)


def _locked(report: ReportRequest) -> ReportRequest:
    """The report row, locked until the transaction ends (PostgreSQL; SQLite serialises
    writers anyway). A request's period and unit never change: the ones `report` holds are
    kept rather than joined again."""
    fresh = _LOCKED.one(pk=report.pk)
    if fresh is None:
        raise ReportRequest.DoesNotExist(report.pk)
    fresh.period, fresh.org_unit = report.period, report.org_unit
    return fresh


def _state_error(report: ReportRequest) -> ValidationError:
    if report.state == ReportState.ACCEPTED:
        message = _("This report has been accepted and is locked. The coordinator can "
                    "reopen it.")
    elif report.state == ReportState.SUBMITTED:
        message = _("This report has been submitted and waits for review; it cannot be "
                    "changed unless the coordinator returns it.")
    else:
        message = _("This report cannot be changed now.")
    return ValidationError({"state": [state_error(message)]})


def _bump(report: ReportRequest, **fields: Any) -> None:
    """Write `fields` and the next version, refusing if someone else wrote meanwhile."""
    now = timezone.now()
    updated = ReportRequest.objects.filter(pk=report.pk, version=report.version).update(
        version=F("version") + 1, updated_at=now, **fields)
    if updated != 1:
        raise ConflictError(_("Someone else changed this report meanwhile. Reload it."))
    # the row held `report.version` when it was written, so what it holds now is known
    # without reading it back; the period and unit joined to the report stay loaded
    report.version += 1
    report.updated_at = now
    for name, value in fields.items():
        setattr(report, name, value)
    if "state" in fields:  # which records count may have changed
        reports_changed.send(sender=ReportRequest, report_ids=[report.pk])


def _parse_payload(report: ReportRequest, values: Any, answers: Any, machine: bool,
                   layout: ReportLayout | None = None
                   ) -> tuple[dict[str, Any], dict[str, dict[str, str]], ReportLayout]:
    """Check every value and answer against the form; ValidationError naming each field
    at fault. Returns (values by code as (text, numeric, comment|None), answers by ref,
    layout)."""
    layout = report_layout_current(report=report, layout=layout)
    errors: dict[str, list[str]] = {}
    clean_values: dict[str, Any] = {}
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationError({"values": [_("Give the values as a mapping of question codes.")]})
    for code, item in values.items():
        key = f"values.{code}"
        question = layout.questions.get(str(code))
        if question is None:
            errors[key] = [_("This report has no question '%(code)s'.") % {"code": code}]
            continue
        has_value, raw, comment = True, item, None
        if isinstance(item, dict):
            unknown = set(item) - {"value", "comment"}
            if unknown:
                errors[key] = [_("Unknown field: %(names)s.") % {"names": ", ".join(
                    sorted(map(str, unknown)))}]
                continue
            has_value, raw = "value" in item, item.get("value")
            if "comment" in item:
                try:
                    comment = answer_text_clean(
                        _("Comment on «%(name)s»") % {"name": question.label},
                        item.get("comment"))
                except ParseError as exc:
                    errors[f"{key}.comment"] = [exc.message]
                    continue
        try:
            cleaned = value_clean(question, raw, machine=machine) if has_value else None
        except ParseError as exc:
            errors[key] = [exc.message]
            continue
        clean_values[question.code] = (cleaned, comment)
    clean_answers: dict[str, dict[str, str]] = {}
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationError({"tasks": [_("Give the task answers as a mapping of task "
                                           "references.")]})
    for ref, item in answers.items():
        key = f"tasks.{ref}"
        answer = layout.answers.get(str(ref))
        if answer is None:
            errors[key] = [_("This report has no task %(ref)s.") % {"ref": ref}]
            continue
        if not isinstance(item, dict):
            errors[key] = [_("Give the status, results, difficulties and proposals.")]
            continue
        unknown = set(item) - {"status", *TASK_TEXT_FIELDS}
        if unknown:
            errors[key] = [_("Unknown field: %(names)s.") % {"names": ", ".join(
                sorted(map(str, unknown)))}]
            continue
        changes: dict[str, str] = {}
        if "status" in item:
            status = item["status"] if item["status"] is not None else ""
            if not isinstance(status, str) or (status and status not in TaskStatus.values):
                errors[f"{key}.status"] = [_("Task %(ref)s: unknown status.") % {"ref": ref}]
            elif (status == TaskStatus.RECURRING_DONE
                  and answer.task.recurrence != Recurrence.RECURRING):
                errors[f"{key}.status"] = [_(
                    "Task %(ref)s is a one-off task: choose 'in progress' or 'completed'."
                ) % {"ref": ref}]
            else:
                changes["status"] = status
        labels = {"results": _("Results of task %(ref)s"),
                  "difficulties": _("Difficulties of task %(ref)s"),
                  "proposals": _("Proposals of task %(ref)s")}
        for name in TASK_TEXT_FIELDS:
            if name in item:
                try:
                    changes[name] = answer_text_clean(labels[name] % {"ref": ref}, item[name])
                except ParseError as exc:
                    errors[f"{key}.{name}"] = [exc.message]
        clean_answers[answer.task.ref] = changes
    if errors:
        raise ValidationError(errors)
    return clean_values, clean_answers, layout


def _sections_save(report: ReportRequest, sections: Any, actor: Any,
                   errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Let each section of the form store its part (inside the report's transaction);
    its refusals go to `errors` as `sections.<key>.<field>`. Returns the audit changes."""
    if not sections:
        return []
    if not isinstance(sections, dict):
        errors["sections"] = [_("Give the sections as a mapping of section keys.")]
        return []
    known = {s.key: s for s in sections_for(report)}
    changes = []
    for key, payload in sections.items():
        section = known.get(key)
        if section is None:
            errors[f"sections.{key}"] = [_("This report has no such section.")]
            continue
        if payload is None:
            continue
        try:
            changed = section.save(report, payload, actor)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"sections.{key}.{name}", []).extend(messages)
            continue
        if changed:
            changes.append({"field": f"section:{key}", "label": str(section.title),
                            "old": None, "new": None})
    return changes


@transaction.atomic
def _report_save(*, report: ReportRequest, actor: Any, version: int, values: Any,
                 answers: Any, machine: bool = False, sections: Any = None,
                 layout: ReportLayout | None = None) -> ReportRequest:
    permissions.require_write(actor, report)
    fresh = _locked(report)
    if not fresh.is_editable:
        raise _state_error(fresh)
    if version != fresh.version:
        raise _Stale(fresh.version)
    errors: dict[str, list[str]] = {}
    try:
        clean_values, clean_answers, layout = _parse_payload(fresh, values, answers, machine,
                                                             layout)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # the sections are checked even when an answer is refused, so the page names every
    # fault at once; a refusal anywhere rolls the whole save back
    section_changes = _sections_save(fresh, sections, actor, errors)
    if errors:
        raise ValidationError(errors)
    assert layout is not None  # parsed without error
    # the audit names each field by its key only (the history shows the question's
    # label): a save of many values keeps one compact row
    changes: list[dict[str, Any]] = list(section_changes)
    held = {f.question.code: f for f in layout.fields}
    created: dict[str, DataValue] = {}
    updated: list[DataValue] = []
    deleted: dict[str, DataValue] = {}
    for code, (cleaned, comment) in clean_values.items():
        question = layout.questions[code]
        row = held[code].value
        old_text = row.value if row else ""
        old_comment = row.comment if row else ""
        new_text, new_numeric = cleaned if cleaned is not None else (old_text, None)
        new_comment = comment if comment is not None else old_comment
        if new_text == old_text and new_comment == old_comment:
            continue
        if new_text != old_text:
            changes.append({"field": f"value:{code}", "old": old_text or None,
                            "new": new_text or None})
        if new_comment != old_comment:
            changes.append({"field": f"comment:{code}", "old": old_comment or None,
                            "new": new_comment or None})
        if row is None:
            created[code] = DataValue(request=fresh, element_id=question.element_id,
                                      question_id=question.question_id, value=new_text,
                                      numeric=new_numeric, comment=new_comment)
        elif not new_text and not new_comment:
            deleted[code] = row
        else:
            row.value, row.comment = new_text, new_comment
            if cleaned is not None:
                row.numeric = new_numeric
            updated.append(row)
    answered: list[TaskAnswer] = []
    dirty: set[str] = set()
    for ref, fields in clean_answers.items():
        answer = layout.answers[ref]
        before = len(dirty)
        for name, new in fields.items():
            old = getattr(answer, name)
            if old != new:
                changes.append({"field": f"task:{ref}:{name}", "old": old or None,
                                "new": new or None})
                setattr(answer, name, new)
                dirty.add(name)
                before = -1
        if before == -1:
            answered.append(answer)
    # a few statements per table, whatever the number of values
    DataValue.objects.bulk_create(created.values())
    rows_update(objs=updated, fields=["value", "numeric", "comment"])
    if deleted:
        DataValue.objects.filter(pk__in=[row.pk for row in deleted.values()]).delete()
    rows_update(objs=answered, fields=sorted(dirty))
    if changes:
        _bump(fresh)
        audit_record(actor=actor, action="report.save", target=fresh, changes=changes)
    # the request's layout now shows what was stored
    for code, row in created.items():
        held[code].value = row
    for code in deleted:
        held[code].value = None
    layout.report = fresh
    return fresh


MAX_CONFLICT_BYTES = 200_000  # one copy, as stored JSON: a report's answers fit many times
MAX_CONFLICTS_KEPT = 5  # per report, newest first; older ones are dropped


def _conflict_payload(report: ReportRequest, values: Any, answers: Any, machine: bool
                      ) -> dict[str, Any]:
    """The refused changes as the save would have stored them: only the report's own
    questions and tasks and their known fields, each value checked and in its stored
    form (ValidationError naming the field otherwise, as for any save)."""
    clean_values, clean_answers, _layout = _parse_payload(report, values, answers, machine)
    kept: dict[str, dict[str, str]] = {}
    for code, (cleaned, comment) in clean_values.items():
        item = {}
        if cleaned is not None:
            item["value"] = cleaned[0]
        if comment is not None:
            item["comment"] = comment
        kept[code] = item
    # stored texts ("12.5") are a program's: read back with machine=True
    return {"values": kept, "answers": clean_answers, "machine": True}


@transaction.atomic
def _conflict_keep(*, report: ReportRequest, actor: Any, version: int, current: int,
                   values: Any, answers: Any, machine: bool) -> ConflictCopy | None:
    """Keep a refused save beside the current version: checked and bounded in size, and
    at most MAX_CONFLICTS_KEPT per report. None when it is too large to keep."""
    fresh = ReportRequest.objects.select_related("period", "org_unit").get(pk=report.pk)
    payload = _conflict_payload(fresh, values, answers, machine)
    audit_record(actor=actor, action="report.conflict", target=report, changes=[
        {"field": "version", "old": version, "new": current}])
    if len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_CONFLICT_BYTES:
        return None
    copy = ConflictCopy.objects.create(
        request=report, author=_user(actor), base_version=version, current_version=current,
        payload=payload)
    older = (ConflictCopy.objects.filter(request=report).order_by("-created_at", "-pk")
             .values_list("pk", flat=True)[MAX_CONFLICTS_KEPT:])
    ConflictCopy.objects.filter(pk__in=list(older)).delete()
    # the flag, not the version: keeping a copy changes nothing the author sees
    ReportRequest.objects.filter(pk=report.pk).update(has_open_conflicts=True)
    report.has_open_conflicts = True
    return copy


def report_save(*, report: ReportRequest, actor: Any, version: int,
                values: dict[str, Any] | None = None,
                answers: dict[str, dict[str, Any]] | None = None,
                machine: bool = False,
                sections: dict[str, Any] | None = None,
                layout: ReportLayout | None = None) -> ReportRequest:
    """Store values (by question code: a value, or {"value", "comment"}), task answers
    (by task reference: any of status, results, difficulties, proposals) and the other
    apps' sections (by section key: what the section's `read` gave) of a draft or
    returned report, all in one transaction: a refusal anywhere stores nothing.

    `version` is the version the author started from. If someone saved since, nothing is
    stored in the report: the refused changes are kept as a conflict copy shown beside
    the current version, and ConflictError is raised. Any value of the wrong type or out
    of range refuses the whole save (ValidationError naming each field). Values are read
    by `common.parsing`: numbers typed as 1.500,5 or given as JSON numbers; with `machine`,
    numbers as text written by a program (DHIS2's "1500.5").

    `layout`, the request's own layout of the report (if it built one), is used rather
    than built again, and updated in place with what was stored."""
    _version_check(version)
    try:
        return _report_save(report=report, actor=actor, version=version, values=values,
                            answers=answers, machine=machine, sections=sections,
                            layout=layout)
    except _Stale as stale:
        copy = _conflict_keep(report=report, actor=actor, version=version,
                              current=stale.current_version, values=values, answers=answers,
                              machine=machine)
        if copy is None:
            raise ConflictError(
                _("Someone else saved this report while you were editing it (your version "
                  "%(mine)s, now %(current)s). Your changes were not saved, and they are too "
                  "large to keep beside the current version (more than %(size)s kB): copy "
                  "them before you reload the page.") % {
                    "mine": version, "current": stale.current_version,
                    "size": MAX_CONFLICT_BYTES // 1000}) from None
        raise ConflictError(
            _("Someone else saved this report while you were editing it (your version %(mine)s,"
              " now %(current)s). Your changes were not saved; they are kept next to the "
              "current version so you can choose.") % {"mine": version,
                                                         "current": stale.current_version},
            current=copy,
        ) from None


@transaction.atomic
def conflict_resolve(*, conflict: ConflictCopy, actor: Any, keep: str) -> ReportRequest:
    """Close a conflict: keep "theirs" (the current version; the copy is discarded) or
    "mine" (apply the copy's changes on top of the current version, checked as any save)."""
    report = conflict.request
    permissions.require_write(actor, report)
    if keep not in ("mine", "theirs"):
        raise ValidationError({"keep": [_("Choose 'mine' or 'theirs'.")]})
    conflict = ConflictCopy.objects.select_for_update().get(pk=conflict.pk)
    if conflict.resolved_at is not None:
        raise ValidationError({"conflict": [state_error(
            _("This conflict has already been resolved."))]})
    if keep == "mine":
        fresh = ReportRequest.objects.get(pk=report.pk)
        payload = conflict.payload
        report = _report_save(report=fresh, actor=actor, version=fresh.version,
                              values=payload.get("values"), answers=payload.get("answers"),
                              machine=bool(payload.get("machine")))
    conflict.resolved_at, conflict.resolved_by = timezone.now(), _user(actor)
    conflict.resolution = keep
    conflict.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    ReportRequest.objects.filter(pk=report.pk).update(has_open_conflicts=Exists(
        ConflictCopy.objects.unresolved().filter(request=OuterRef("pk"))))
    audit_record(actor=actor, action="report.conflict_resolve", target=report,
                 changes=[{"field": "conflict", "old": conflict.pk, "new": keep}])
    return ReportRequest.objects.select_related("period", "org_unit").get(pk=report.pk)


# --------------------------------------------------------------------------------------
# Workflow


def _issues_error(report: ReportRequest, layout: ReportLayout | None = None
                  ) -> ValidationError | None:
    blocking = [i for i in report_issues(report=report, layout=layout) if i.blocking]
    if not blocking:
        return None
    errors: dict[str, list[str]] = defaultdict(list)
    for issue in blocking:
        message = issue.message
        if issue.level == "warning":
            message = _("%(message)s A comment is needed before submitting.") % {
                "message": message}
        errors[issue.key].append(message)
    # what blocks is the stored report's content, not the request to submit it
    return state_errors(dict(errors))


@transaction.atomic
def report_submit(*, report: ReportRequest, actor: Any, version: int | None = None,
                  now: dt.datetime | None = None, layout: ReportLayout | None = None
                  ) -> ReportRequest:
    """Submit a draft, or resubmit a returned report, once nothing blocks it: every
    required answer given, parts within wholes, tasks answered, unusual figures explained,
    and the other apps' sections in order (ValidationError naming each field otherwise).
    The first submission's date decides whether the unit reported on time. `layout`: the
    request's own layout of the report, checked rather than built again."""
    permissions.require_write(actor, report)
    _version_check(version, required=False)
    fresh = _locked(report)
    if not fresh.is_editable:
        raise _state_error(fresh)
    if version is not None and version != fresh.version:
        raise ConflictError(_("Someone else changed this report meanwhile. Reload it and "
                              "submit again."))
    error = _issues_error(fresh, layout)
    if error is not None:
        raise error
    now = now or timezone.now()
    old_state = fresh.state
    fields: dict[str, Any] = {"state": ReportState.SUBMITTED, "submitted_at": now,
                              "submitted_by": _user(actor)}
    if fresh.first_submitted_at is None:
        fields["first_submitted_at"] = now
        fields["first_submitted_on"] = timezone.localdate(now)
    _bump(fresh, **fields)
    audit_record(actor=actor, target=fresh,
                 action="report.resubmit" if old_state == ReportState.RETURNED
                 else "report.submit",
                 changes=[{"field": "state", "old": old_state, "new": fresh.state}])
    return fresh


def report_save_submit(*, report: ReportRequest, actor: Any, version: int,
                       values: dict[str, Any] | None = None,
                       answers: dict[str, dict[str, Any]] | None = None,
                       sections: dict[str, Any] | None = None,
                       layout: ReportLayout | None = None
                       ) -> tuple[ReportRequest, ValidationError | None]:
    """The report page's "Submit": save what the page holds (as `report_save`) and submit
    it, in one transaction, so a request that dies midway stores neither. A submission
    refused for the report's content rolls back only itself: the save stays, and the
    refusal is returned for the page to mark. A stale version raises ConflictError once
    its conflict copy is stored."""
    conflict: ConflictError | None = None
    refused: ValidationError | None = None
    with transaction.atomic():
        try:
            report = report_save(report=report, actor=actor, version=version, values=values,
                                 answers=answers, sections=sections, layout=layout)
        except ConflictError as exc:
            conflict = exc  # the conflict copy is stored: let the transaction commit it
        else:
            try:
                report = report_submit(report=report, actor=actor, version=report.version,
                                       layout=layout)
            except ValidationError as exc:
                refused = exc
    if conflict is not None:
        raise conflict
    return report, refused


def report_resubmit(*, report: ReportRequest, actor: Any, version: int | None = None,
                    now: dt.datetime | None = None) -> ReportRequest:
    """Submit a returned report again (the same checks as a first submission)."""
    if report.state != ReportState.RETURNED:
        raise ValidationError({"state": [state_error(
            _("Only a returned report can be resubmitted."))]})
    return report_submit(report=report, actor=actor, version=version, now=now)


def _reason_clean(reason: Any) -> str:
    try:
        text = text_clean(reason, max_length=MAX_REASON, multiline=True)
    except ParseError as exc:
        raise ValidationError({"reason": [capfirst(exc.message)]}) from None
    if not text:
        raise ValidationError({"reason": [_("Give the reason, so the unit knows what to do.")]})
    return text


def _require_state(report: ReportRequest, state: str, message: str) -> None:
    if report.state != state:
        raise ValidationError({"state": [state_error(message)]})


@transaction.atomic
def report_return(*, report: ReportRequest, actor: Any, reason: str,
                  now: dt.datetime | None = None, notify: bool = True) -> ReportRequest:
    """Send a submitted report back to its unit with the reason; the unit corrects and
    resubmits."""
    permissions.require_review(actor, report)
    reason = _reason_clean(reason)
    fresh = _locked(report)
    _require_state(fresh, ReportState.SUBMITTED, _("Only a submitted report can be returned."))
    _bump(fresh, state=ReportState.RETURNED, returned_at=now or timezone.now(),
          return_reason=reason)
    audit_record(actor=actor, action="report.return", target=fresh, note=reason,
                 changes=[{"field": "state", "old": ReportState.SUBMITTED,
                           "new": ReportState.RETURNED}])
    if notify:
        transaction.on_commit(lambda: _mail_state(fresh.pk, "returned"))
    return fresh


@transaction.atomic
def report_accept(*, report: ReportRequest, actor: Any, now: dt.datetime | None = None,
                  notify: bool = True) -> ReportRequest:
    """Accept a submitted report: it is locked from now on."""
    permissions.require_review(actor, report)
    fresh = _locked(report)
    _require_state(fresh, ReportState.SUBMITTED, _("Only a submitted report can be accepted."))
    _bump(fresh, state=ReportState.ACCEPTED, accepted_at=now or timezone.now(),
          accepted_by=_user(actor))
    audit_record(actor=actor, action="report.accept", target=fresh,
                 changes=[{"field": "state", "old": ReportState.SUBMITTED,
                           "new": ReportState.ACCEPTED}])
    if notify:
        transaction.on_commit(lambda: _mail_state(fresh.pk, "accepted"))
    return fresh


@transaction.atomic
def report_reopen(*, report: ReportRequest, actor: Any, reason: str,
                  now: dt.datetime | None = None, notify: bool = True) -> ReportRequest:
    """Unlock an accepted report (it goes back to the unit as returned, with the reason)."""
    permissions.require_review(actor, report)
    reason = _reason_clean(reason)
    fresh = _locked(report)
    _require_state(fresh, ReportState.ACCEPTED, _("Only an accepted report can be reopened."))
    _bump(fresh, state=ReportState.RETURNED, returned_at=now or timezone.now(),
          return_reason=reason, accepted_at=None, accepted_by=None)
    audit_record(actor=actor, action="report.reopen", target=fresh, note=reason,
                 changes=[{"field": "state", "old": ReportState.ACCEPTED,
                           "new": ReportState.RETURNED}])
    if notify:
        transaction.on_commit(lambda: _mail_state(fresh.pk, "reopened"))
    return fresh


# --------------------------------------------------------------------------------------
# E-mail


def _base_url() -> str:
    return str(settings.SCP_BASE_URL).rstrip("/")


def _report_url(report: ReportRequest) -> str:
    from django.urls import reverse

    return _base_url() + reverse("reporting:report", args=[report.period.code,
                                                           report.org_unit.code])


def _unit_addresses(units: list[int]) -> dict[int, list[tuple[str, User | None]]]:
    """E-mail addresses of each unit's active reporters; the unit's own address when it
    has no reporter with one. Two queries."""
    found: dict[int, list[tuple[str, User | None]]] = defaultdict(list)
    for user in User.objects.filter(org_unit_id__in=units, role=Role.REPORTER,
                                    is_active=True).exclude(email=""):
        found[user.org_unit_id].append((user.email.lower(), user))  # type: ignore[index]
    for unit_id, email in OrgUnit.objects.filter(pk__in=units).exclude(email="").values_list(
            "pk", "email"):
        if not found.get(unit_id):
            found[unit_id].append((email.lower(), None))
    return found


def _coordinator_addresses() -> list[tuple[str, User]]:
    return [(u.email.lower(), u) for u in User.objects.filter(
        role=Role.COORDINATOR, is_active=True).exclude(email="")]


def _send(subject: str, body: str, to: list[str]) -> int:
    if not to:
        return 0
    try:
        return send_mail(subject, body, None, to, fail_silently=False)
    except Exception:  # a mail server down must not break the page that caused the mail
        log.exception("sending %r to %s failed", subject, to)
        return 0


def _mail_opened(report_ids: list[int]) -> None:
    reports = list(ReportRequest.objects.filter(pk__in=report_ids)
                   .select_related("period", "org_unit"))
    addresses = _unit_addresses([r.org_unit_id for r in reports])
    with translation.override(settings.LANGUAGE_CODE):
        for report in reports:
            period = report.period
            subject = _("[SCP Monitor] New report request: %(period)s") % {
                "period": period.label}
            body = _(
                "%(unit)s is asked to report for %(period)s (%(code)s).\n"
                "Data from %(start)s to %(end)s. Due date: %(due)s.\n\n%(url)s"
            ) % {"unit": report.org_unit.name, "period": period.label_in_text,
                 "code": period.code,
                 "start": f"{period.start:%d/%m/%Y}", "end": f"{period.end:%d/%m/%Y}",
                 "due": f"{period.due_date:%d/%m/%Y}", "url": _report_url(report)}
            _send(subject, body, [a for a, _u in addresses.get(report.org_unit_id, [])])


def _mail_state(report_id: int, what: str) -> None:
    report = ReportRequest.objects.select_related("period", "org_unit").get(pk=report_id)
    addresses = _unit_addresses([report.org_unit_id]).get(report.org_unit_id, [])
    with translation.override(settings.LANGUAGE_CODE):
        subjects = {
            "returned": _("[SCP Monitor] Report %(code)s returned: please correct it"),
            "reopened": _("[SCP Monitor] Report %(code)s reopened: please correct it"),
            "accepted": _("[SCP Monitor] Report %(code)s accepted"),
        }
        subject = subjects[what] % {"code": report.period.code}
        body = f"{report.org_unit.name} · {report.period.label}\n"
        if what != "accepted":
            body += _("Reason: %(reason)s") % {"reason": report.return_reason} + "\n"
        body += "\n" + _report_url(report)
        _send(subject, body, [a for a, _u in addresses])


# --------------------------------------------------------------------------------------
# Reminders


@dataclass
class ReminderSummary:
    sent: int = 0
    already_sent: int = 0
    messages: list[str] = field(default_factory=list)


def _before_offset(days: int, offsets: list[int]) -> int | None:
    """The "N days before" reminder due when `days` are left: the smallest N ≥ days
    (7 covers 7..2 days left, 1 covers 1..0 with offsets [7, 1])."""
    candidates = [o for o in offsets if o >= days >= 0]
    return min(candidates) if candidates else None


def _overdue_offset(days: int, offsets: list[int]) -> int | None:
    """The "N days overdue" reminder due after `days` overdue: the largest N ≤ days, and
    no more than a week after the last one (no reminders for long-forgotten periods)."""
    candidates = [o for o in offsets if o <= days]
    if not candidates or (days >= max(offsets) + 7 and max(candidates) == max(offsets)):
        return None
    return max(candidates)


def _log_once(report: ReportRequest, kind: str, offset: int, email: str, user: Any) -> bool:
    """Record the reminder; False if it was sent before (by this or a parallel run)."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(request=report, kind=kind, offset_days=offset,
                                       recipient=email, user=user)
        return True
    except IntegrityError:
        return False


def reminders_send(*, today: dt.date | None = None) -> ReminderSummary:
    """Send the reminders due today, each at most once (ReminderLog's unique constraint):
    to the unit's reporters N days before the due date (settings.SCP_REMINDER_DAYS, by
    default 7 and 1) while the report is a draft or returned; and, once it is overdue and
    was never submitted, to the reporters and (one digest each) the coordinators, after
    settings.SCP_OVERDUE_REMINDER_DAYS (by default 1, 7, 14 and 30) days. Safe to run
    every hour: a reminder already logged is never sent again."""
    today = today or timezone.localdate()
    before = sorted({int(d) for d in settings.SCP_REMINDER_DAYS if int(d) >= 0})
    overdue = sorted({int(d) for d in settings.SCP_OVERDUE_REMINDER_DAYS if int(d) > 0})
    summary = ReminderSummary()
    horizon_back = today - dt.timedelta(days=(max(overdue) + 7) if overdue else 0)
    horizon_ahead = today + dt.timedelta(days=max(before) if before else -1)
    candidates = list(
        ReportRequest.objects.filter(state__in=[ReportState.DRAFT, ReportState.RETURNED],
                                     period__due_date__gte=horizon_back,
                                     period__due_date__lte=horizon_ahead)
        .select_related("period", "org_unit").order_by("period__due_date", "id"))
    due: list[tuple[ReportRequest, str, int]] = []
    for report in candidates:
        left = (report.period.due_date - today).days
        if left >= 0:
            offset = _before_offset(left, before)
            if offset is not None:
                due.append((report, ReminderKind.BEFORE, offset))
        elif report.first_submitted_on is None:
            offset = _overdue_offset(-left, overdue)
            if offset is not None:
                due.append((report, ReminderKind.OVERDUE, offset))
    if not due:
        return summary
    addresses = _unit_addresses(list({r.org_unit_id for r, _k, _o in due}))
    coordinators = _coordinator_addresses()
    digest: dict[str, tuple[User, list[tuple[ReportRequest, int]]]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for report, kind, offset in due:
            for email, user in addresses.get(report.org_unit_id, []):
                if not _log_once(report, kind, offset, email, user):
                    summary.already_sent += 1
                    continue
                subject, body = _reminder_text(report, kind, today)
                summary.sent += _send(subject, body, [email])
                summary.messages.append(f"{report} → {email}")
            if kind == ReminderKind.OVERDUE:
                for email, user in coordinators:
                    if _log_once(report, kind, offset, email, user):
                        digest.setdefault(email, (user, []))[1].append((report, offset))
                    else:
                        summary.already_sent += 1
        for email, (_user_obj, reports) in digest.items():
            lines = [
                _("- %(unit)s: %(period)s, %(days)s days overdue") % {
                    "unit": r.org_unit.name, "period": r.period.code,
                    "days": (today - r.period.due_date).days}
                for r, _o in reports]
            subject = _("[SCP Monitor] %(count)s overdue reports") % {"count": len(reports)}
            body = _("These reports are overdue and have not been submitted:") + "\n" + \
                "\n".join(lines) + "\n\n" + _base_url() + "/reporting/"
            summary.sent += _send(subject, body, [email])
            summary.messages.append(f"{len(reports)} overdue → {email}")
    return summary


def _reminder_text(report: ReportRequest, kind: str, today: dt.date) -> tuple[str, str]:
    period = report.period
    left = (period.due_date - today).days
    if kind == ReminderKind.BEFORE:
        subject = _("[SCP Monitor] Report %(code)s due in %(days)s days") % {
            "code": period.code, "days": left} if left else _(
            "[SCP Monitor] Report %(code)s is due today") % {"code": period.code}
        body = _("The report of %(unit)s for %(period)s is due on %(due)s.") % {
            "unit": report.org_unit.name, "period": period.label_in_text,
            "due": f"{period.due_date:%d/%m/%Y}"}
    else:
        subject = _("[SCP Monitor] Report %(code)s is overdue") % {"code": period.code}
        body = _("The report of %(unit)s for %(period)s was due on %(due)s and is "
                 "%(days)s days overdue.") % {
            "unit": report.org_unit.name, "period": period.label_in_text,
            "due": f"{period.due_date:%d/%m/%Y}", "days": -left}
    return subject, body + "\n\n" + _report_url(report)
