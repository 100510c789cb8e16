"""The enterprise-figures section of report forms: when an enterprise is a reporting unit,
its report for period 2025 (or 2025S1) shows and edits its output and consumption for
2025 (or the first half of 2025) beside the plan's questions. Registered in
`RegistryConfig.ready()` through `reporting.sections.section_register`.

The figures may change only while the report may (`reporting.selectors.report_is_editable`);
the section's `validate` reports missing output and impossible figures, which blocks
submission."""

from __future__ import annotations

from typing import Any

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


def section_target(report: Any) -> tuple[Enterprise, int, str] | None:
    """(enterprise, year, period) the report's section is about, or None."""
    unit = getattr(report, "org_unit", None)
    if unit is None or unit.kind != OrgUnitKind.ENTERPRISE:
        return None
    period = getattr(report, "period", None)
    parsed = period_from_code(getattr(period, "code", "") or "")
    if parsed is None:
        return None
    enterprise = Enterprise.objects.select_related("sector").filter(reporting_unit=unit).first()
    if enterprise is None:
        return None
    return enterprise, parsed[0], parsed[1]


def section_applies(report: Any) -> bool:
    return section_target(report) is not None


def section_context(report: Any, *, formset: Any = None, problems: list[str] | None = None,
                    saved: bool = False) -> dict[str, Any]:
    from registry.conversion import UnitTable
    from registry.forms import LineFormSet, figure_choices
    from registry.selectors import record_for, record_view

    target = section_target(report)
    if target is None:
        return {}
    enterprise, year, period = target
    table = UnitTable()
    record = record_for(enterprise=enterprise, year=year, period=period)
    if formset is None:
        items, units = figure_choices(table)
        initial = line_values(list(record.lines.all()), raw=True) if record else []
        formset = LineFormSet(initial=initial, prefix="lines",
                              form_kwargs={"items": items, "units": units})
    return {
        "enterprise": enterprise, "year": year, "period": period,
        "period_label": period_label(year, period), "record": record,
        "view": record_view(record, table) if record else None,
        "formset": formset, "version": record.version if record else 0,
        "section_problems": problems or [], "saved": saved,
        "can_save": report_is_editable(report),
        "record_problems": record_problems(record=record),
    }


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
    ))
