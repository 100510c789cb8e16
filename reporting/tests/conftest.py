"""Fixtures of the reporting tests: periods opened and reports filled through the services."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role
from plans.models import ValueType
from reporting.models import Period, ReportRequest
from reporting.selectors import report_layout
from reporting.services import period_open


def report_of(period: Period, unit_code: str) -> ReportRequest:
    return ReportRequest.objects.select_related("period", "org_unit").get(
        period=period, org_unit__code=unit_code)


def complete_payload(report: ReportRequest, *, whole: int = 10, part: int = 5
                     ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Values and task answers that make `report` submittable: every question answered
    (parts below their wholes), every task in progress with a result."""
    layout = report_layout(report=report, with_issues=False)
    values: dict[str, Any] = {}
    for code, q in layout.questions.items():
        if q.value_type in (ValueType.INTEGER, ValueType.MONEY):
            values[code] = part if q.part_of else whole
        elif q.value_type == ValueType.PERCENT:
            values[code] = 50
        elif q.value_type == ValueType.DECIMAL:
            values[code] = 1.5
        elif q.value_type == ValueType.BOOLEAN:
            values[code] = True
        elif q.value_type == ValueType.CHOICE:
            values[code] = q.choices[0]["code"]
        else:
            values[code] = "Đã thực hiện"
    answers = {ref: {"status": "in_progress", "results": "Đã triển khai các hoạt động."}
               for ref in layout.answers}
    return values, answers


@pytest.fixture
def period(plan) -> Period:
    """2022S1, opened by the system (no e-mail)."""
    return period_open(plan=plan, code="2022S1", actor=None, notify=False)[0]


@pytest.fixture
def reporter(make_user):
    return make_user(Role.REPORTER, "sct")


@pytest.fixture
def other_reporter(make_user):
    return make_user(Role.REPORTER, "tp-ha-long")


@pytest.fixture
def sct_report(period) -> ReportRequest:
    return report_of(period, "sct")
