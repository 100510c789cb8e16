"""The enterprise-figures section of report forms: when an enterprise is a reporting unit,
its report for period 2025 (or 2025S1) shows and edits its output and consumption for
2025 (or the first half of 2025) beside the plan's questions. Registered in
`RegistryConfig.ready()` through `reporting.sections.section_register`.

The figures may change only while the report may (`reporting.selectors.report_is_editable`);
the section's `validate` reports missing output and impossible figures, which blocks
submission."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgunits.models import OrgUnitKind
from registry.figures import (
    line_values,
    period_code,
    period_from_code,
    period_label,
    record_problems,
)
from registry.models import Enterprise

SECTION_KEY = "registry-figures"
SECTION_TITLE = gettext_lazy("Output and consumption of materials and fuel")
SECTION_TEMPLATE = "registry/_report_section.html"


def report_is_editable(report: Any) -> bool:
    try:
        from reporting.selectors import report_is_editable as editable
    except ImportError:  # the reporting app without its selectors: nothing is locked
        return True
    return bool(editable(report=report))


def _report_for(enterprise: Enterprise, year: int, period: str) -> Any:
    if enterprise.reporting_unit is None:
        return None
    try:
        from reporting.selectors import report_for
    except ImportError:
        return None
    return report_for(unit=enterprise.reporting_unit, period_code=period_code(year, period))


def figures_locked(*, enterprise: Enterprise, year: int, period: str) -> bool:
    """Whether the enterprise's figures for the period sit in a report that can no longer
    change (submitted or accepted): its own reporter may then not edit them."""
    report = _report_for(enterprise, year, period)
    return report is not None and not report_is_editable(report)


_TARGET = "_figures_section_target"


def section_target(report: Any) -> tuple[Enterprise, int, str] | None:
    """(enterprise, year, period) the report's section is about, or None. Kept on the
    report object: a page asks four times (applies, issues, context, validate)."""
    unit = getattr(report, "org_unit", None)
    if unit is None or unit.kind != OrgUnitKind.ENTERPRISE:
        return None
    period = getattr(report, "period", None)
    key = (unit.pk, getattr(period, "code", ""))
    kept = getattr(report, _TARGET, None)
    if kept is not None and kept[0] == key:
        return kept[1]
    parsed = period_from_code(key[1] or "")
    enterprise = None if parsed is None else (
        Enterprise.objects.select_related("sector").filter(reporting_unit=unit).first())
    found = None if parsed is None or enterprise is None else (
        enterprise, parsed[0], parsed[1])
    setattr(report, _TARGET, (key, found))
    return found


def section_applies(report: Any) -> bool:
    return section_target(report) is not None


FORM_PREFIX = "lines"
ALLOCATION_PREFIX = "figures"  # its field is "figures-allocation"
VERSION_FIELD = "figures-version"
ORIGINAL_FIELD = "figures-original"


def _lines_key(lines: list[dict[str, Any]], allocation: str) -> str:
    """The lines as one comparable text (item, quantity, unit, product; in the item
    order) with the allocation rule, so a save can tell whether the author changed the
    figures."""
    rows = sorted((str(ln["item"]), format(Decimal(ln["quantity"]).normalize(), "f"),
                   str(ln["unit"]), str(ln.get("product") or "")) for ln in lines)
    return json.dumps([rows, allocation])


def _formset(report: Any, enterprise: Enterprise, data: Any = None, record: Any = None, *,
             table: Any = None) -> Any:
    from registry.conversion import UnitTable
    from registry.forms import LineFormSet, figure_form_kwargs

    initial = line_values(list(record.lines.all()), raw=True) if record else []
    return LineFormSet(data, initial=None if data is not None else initial,
                       prefix=FORM_PREFIX,
                       form_kwargs=figure_form_kwargs(table or UnitTable(),
                                                      sector=enterprise.sector))


def _allocation_form(data: Any = None, record: Any = None) -> Any:
    from registry.forms import AllocationForm

    return AllocationForm(data, prefix=ALLOCATION_PREFIX,
                          initial={"allocation": record.allocation if record else ""})


def _kept(formset: Any) -> list[Any]:
    return [f for f in formset.forms if not f.is_blank()]


def section_context(report: Any, *, data: Any = None,
                    errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """What the section's template shows: the form of lines (the posted one, with its
    messages, after a refused save), the figures as stored, and what they lack."""
    from registry.conversion import UnitTable
    from registry.forms import figure_errors_place
    from registry.selectors import record_for, record_view

    target = section_target(report)
    if target is None:
        return {}
    enterprise, year, period = target
    record = record_for(enterprise=enterprise, year=year, period=period)
    table = UnitTable()  # one read of the unit table for the form and the stored figures
    formset = _formset(report, enterprise, data, record, table=table)
    allocation = _allocation_form(data, record)
    problems: list[str] = []
    if data is not None and formset.is_valid():
        problems = figure_errors_place(errors=errors or {}, kept=_kept(formset),
                                       allocation=allocation)
    stored = line_values(list(record.lines.all())) if record else []
    return {
        "enterprise": enterprise, "year": year, "period": period,
        "period_label": period_label(year, period), "record": record,
        "view": record_view(record, table) if record else None,
        "formset": formset, "allocation_form": allocation,
        "version": data.get(VERSION_FIELD, "") if data is not None else (
            record.version if record else 0),
        "original": data.get(ORIGINAL_FIELD, "") if data is not None else _lines_key(
            stored, record.allocation if record else ""),
        "section_problems": problems,
        "can_save": report_is_editable(report),
        "record_problems": record_problems(record=record),
    }


class FiguresPayload(NamedTuple):
    """What the report form gave for the figures: lines, the version they were typed
    over, the allocation rule chosen (None: automatic)."""

    lines: list[dict[str, Any]]
    version: int | None
    allocation: str | None = None


def section_read(report: Any, data: Any) -> FiguresPayload | None:
    """The lines typed in the report form, the version of the figures they were typed
    over and the allocation rule chosen (None: automatic); None when the form has no
    figures or the author left them as they were. ValidationError keyed `lines.N.field`
    (N counts the non-empty rows) or `allocation`."""
    from django.core.exceptions import ValidationError

    target = section_target(report)
    if target is None or f"{FORM_PREFIX}-TOTAL_FORMS" not in data:
        return None
    formset = _formset(report, target[0], data)
    allocation = _allocation_form(data)
    if not formset.is_valid() or not allocation.is_valid():
        errors: dict[str, list[str]] = {}
        for n, form in enumerate(_kept(formset)):
            for name, msgs in form.errors.items():
                errors[f"lines.{n}.{name}"] = [str(m) for m in msgs]
        for name, msgs in allocation.errors.items():
            errors[name] = [str(m) for m in msgs]
        raise ValidationError(errors or {"lines": [_("The figures cannot be read: "
                                                     "reload the page.")]})
    lines = [f.cleaned_data for f in _kept(formset)]
    rule = allocation.cleaned_data["allocation"]
    complete = [ln for ln in lines if ln.get("quantity") is not None and ln.get("item")
                and ln.get("unit")]
    if len(complete) == len(lines) \
            and _lines_key(complete, rule) == data.get(ORIGINAL_FIELD):
        return None
    raw = data.get(VERSION_FIELD, "")
    return FiguresPayload(lines, int(raw) if raw.isdigit() and len(raw) < 10 else None,
                          rule or None)


def section_save(report: Any, payload: tuple[Any, ...], actor: Any) -> bool:
    """Store the lines of the report's figures (inside the report's save); whether they
    changed. A stale version raises ConflictError, a wrong line ValidationError."""
    from registry.models import FigureSource
    from registry.selectors import record_for
    from registry.services import consumption_record_save

    target = section_target(report)
    if target is None:
        return False
    enterprise, year, period = target
    lines, version, allocation = FiguresPayload(*payload)
    before = record_for(enterprise=enterprise, year=year, period=period)
    if before is None and not lines:
        return False
    record = consumption_record_save(
        enterprise=enterprise, year=year, period=period, lines=lines, actor=actor,
        source=FigureSource.REPORT, expected_version=version, allocation=allocation)
    return before is None or record.version != before.version


def section_validate(report: Any) -> list[str]:
    from registry.selectors import record_for

    target = section_target(report)
    if target is None:
        return []
    enterprise, year, period = target
    record = record_for(enterprise=enterprise, year=year, period=period)
    label = period_label(year, period)
    return [_("Figures for %(period)s: %(problem)s") % {"period": label, "problem": p}
            for p in record_problems(record=record)]


def register() -> None:
    try:
        from reporting.sections import ExtraSection, section_register
    except ImportError:  # pragma: no cover - the reporting app always ships sections.py
        return
    section_register(ExtraSection(
        key=SECTION_KEY, title=SECTION_TITLE, template=SECTION_TEMPLATE,
        applies=section_applies, context=section_context, validate=section_validate,
        read=section_read, save=section_save,
    ))
