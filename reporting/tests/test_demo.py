"""The demo history loads through the services, looks true, and loads only once."""

from __future__ import annotations

from common.models import AuditEvent
from reporting.demo import NEVER_REPORTS, demo_load
from reporting.models import Period, ReportRequest, ReportState
from reporting.selectors import LATE, completeness_by_unit


def test_demo_history(plan):
    demo_load(actor=None)
    requests = ReportRequest.objects.count()
    events = AuditEvent.objects.count()
    assert Period.objects.filter(code__in=["2021S1", "2021", "2025S1"]).count() == 3
    assert ReportRequest.objects.filter(state=ReportState.ACCEPTED).count() > 200
    assert not ReportRequest.objects.filter(org_unit__code=NEVER_REPORTS).exclude(
        state=ReportState.DRAFT).exists()
    assert AuditEvent.objects.filter(action="report.resubmit").exists()
    rows = completeness_by_unit(plan=plan, per_page=1000).rows
    assert any(cell[0] == LATE for row in rows for cell in row.cells.values())
    never = next(r for r in rows if r.unit.code == NEVER_REPORTS)
    assert never.rates.submitted == 0
    # Submissions carry their historical dates, and so does the audit trail.
    first = ReportRequest.objects.filter(period__code="2021S1").exclude(
        first_submitted_on=None).first()
    assert first.first_submitted_on.year == 2021
    submit = AuditEvent.objects.filter(action="report.submit",
                                       target_id=str(first.pk)).first()
    assert submit.occurred_at.year == 2021
    demo_load(actor=None)
    assert (ReportRequest.objects.count(), AuditEvent.objects.count()) == (requests, events)
