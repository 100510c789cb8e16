"""Period codes and their dates: `2025S1`, `2025` (as DHIS2 writes them) and `AH-2025-01`,
with the data window and due date from the plan's reporting rules (section V) and, where
a rule leaves them out, from Decree 09/2019/NĐ-CP."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.exceptions import state_error
from plans.models import Plan, ReportingRule, ReportKind

SEMIANNUAL_RE = re.compile(r"^(\d{4})S([12])$", re.ASCII)
ANNUAL_RE = re.compile(r"^(\d{4})$", re.ASCII)
ADHOC_RE = re.compile(r"^AH-(\d{4})-(\d{2,3})$", re.ASCII)

# Decree 09/2019/NĐ-CP, art. 12: (from month, from day of the previous year, to month,
# to day); and Plan 141 section V: due before (month, day).
_DEFAULT_WINDOWS = {
    ReportKind.SEMIANNUAL: (12, 15, 6, 14),
    ReportKind.ANNUAL: (12, 15, 12, 14),
}
_DEFAULT_DUE_BEFORE = {ReportKind.SEMIANNUAL: (6, 15), ReportKind.ANNUAL: (12, 15)}


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    kind: str
    year: int
    start: dt.date
    end: dt.date
    due_date: dt.date


def period_code_parse(code: str) -> tuple[str, int]:
    """`2025S1` → (semiannual, 2025); `2025` → (annual, 2025); `AH-2025-01` → (adhoc,
    2025). Raises ValidationError keyed `period` for anything else."""
    raw = (code or "").strip().upper()
    if match := SEMIANNUAL_RE.match(raw):
        if match.group(2) == "2":
            raise ValidationError({"period": [_(
                "There is no second-half period: the plan asks for a report on the first "
                "half of the year (%(year)sS1) and an annual report (%(year)s)."
            ) % {"year": match.group(1)}]})
        return ReportKind.SEMIANNUAL, int(match.group(1))
    if match := ANNUAL_RE.match(raw):
        return ReportKind.ANNUAL, int(match.group(1))
    if match := ADHOC_RE.match(raw):
        return ReportKind.ADHOC, int(match.group(1))
    raise ValidationError({"period": [_(
        "'%(code)s' is not a period code. Write 2025S1 for the first half of 2025, 2025 for "
        "the year 2025."
    ) % {"code": code}]})


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:  # 29 February in a common year
        return dt.date(year, month, 28)


def period_spec(*, plan: Plan, code: str,
                rules: dict[str, ReportingRule] | None = None) -> PeriodSpec:
    """The kind, year, data window and due date of a semi-annual or annual period of
    `plan`. Raises ValidationError keyed `period` for a bad code, an ad-hoc code, a year
    outside the plan, or a kind the plan does not ask for. `rules` (the plan's reporting
    rules by kind) saves the query when many periods are computed."""
    kind, year = period_code_parse(code)
    if kind == ReportKind.ADHOC:
        raise ValidationError({"period": [_(
            "Ad-hoc requests are opened with their own questions and deadline, not by code."
        )]})
    # the loaded plan's years and rules: stored data, not the code's form
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationError({"period": [state_error(_(
            "Plan %(plan)s runs from %(start)s to %(end)s; %(year)s is outside it."
        ) % {"plan": plan.code, "start": plan.start_year, "end": plan.end_year, "year": year})]})
    rule = (rules.get(kind) if rules is not None
            else ReportingRule.objects.filter(plan=plan, kind=kind).first())
    if rule is None:
        raise ValidationError({"period": [state_error(_(
            "Plan %(plan)s has no rule for this kind of report."
        ) % {"plan": plan.code})]})
    fm, fd, tm, td = _DEFAULT_WINDOWS[ReportKind(kind)]
    if rule.cutoff_start_month and rule.cutoff_start_day:
        fm, fd = rule.cutoff_start_month, rule.cutoff_start_day
    if rule.cutoff_end_month and rule.cutoff_end_day:
        tm, td = rule.cutoff_end_month, rule.cutoff_end_day
    dm, dd = _DEFAULT_DUE_BEFORE[ReportKind(kind)]
    if rule.due_month and rule.due_day:
        dm, dd = rule.due_month, rule.due_day
    end = _day(year, tm, td)
    start = _day(year - 1, fm, fd) if (fm, fd) > (tm, td) else _day(year, fm, fd)
    due_before = _day(year, dm, dd)
    if due_before <= end:  # e.g. "due before 31 January" of the following year
        due_before = _day(year + 1, dm, dd)
    return PeriodSpec(code=f"{year}S1" if kind == ReportKind.SEMIANNUAL else str(year),
                      kind=kind, year=year, start=start, end=end,
                      due_date=due_before - dt.timedelta(days=1))
