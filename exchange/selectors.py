"""Reads of data exchange: a DHIS2 dataValueSet of the values the user may see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from common.exceptions import state_error
from exchange.mapping import dhis2_mapping
from plans.selectors import plan_current
from reporting.models import DataValue, Period, ReportState
from reporting.selectors import requests_visible

COMPLETE_STATES = frozenset({ReportState.SUBMITTED, ReportState.ACCEPTED})


def datavalueset_export(*, user: Any, data_set: str, periods: list[str],
                        org_units: list[str] | None = None) -> dict[str, Any]:
    """The values of the plan's data set for `periods` (and `org_units`, DHIS2 identifiers
    or codes; all the user may see when empty), as DHIS2 writes a dataValueSet. Each value
    carries its period and organisation unit; the header repeats them when there is only
    one. A reporter gets its own unit, a viewer accepted reports, the coordinator all.
    Three queries."""
    plan = plan_current()
    mapping = dhis2_mapping()
    if plan is None:
        raise Http404(_("No plan is loaded."))
    # the data sets, periods and units named are stored data: an unknown one is not found
    if mapping.local("data_sets", data_set or "") != plan.slug:
        raise ValidationError({"dataSet": [state_error(_("Unknown data set."))]})
    wanted = [p for p in dict.fromkeys(periods) if p]
    if not wanted:
        raise ValidationError({"period": [_("Give at least one period, e.g. 2025 or 2025S1.")]})
    found = {p.code: p for p in Period.objects.filter(plan=plan, code__in=wanted)}
    unknown = [p for p in wanted if p not in found]
    if unknown:
        raise ValidationError({"period": [state_error(_("Unknown period: %(codes)s.") % {
            "codes": ", ".join(unknown[:10])})]})
    requests = requests_visible(user=user).filter(period__in=list(found.values()))
    units = [mapping.local("org_units", u) for u in dict.fromkeys(org_units or []) if u]
    if units:
        requests = requests.filter(org_unit__code__in=units)
    found_requests = list(requests)
    values = (DataValue.objects.filter(request__in=found_requests, element__isnull=False)
              .exclude(value="").select_related("element")
              .order_by("request_id", "element__order", "element_id"))
    by_request = {r.pk: r for r in found_requests}
    combo = mapping.default_combo
    rows = []
    for value in values:
        report = by_request[value.request_id]
        row = {
            "dataElement": mapping.remote("data_elements", value.element.code),  # type: ignore
            "period": report.period.code,
            "orgUnit": mapping.remote("org_units", report.org_unit.code),
            "categoryOptionCombo": combo, "attributeOptionCombo": combo,
            "value": value.value, "lastUpdated": value.updated_at.isoformat(),
            "followup": False,
        }
        if value.comment:
            row["comment"] = value.comment
        rows.append(row)
    out: dict[str, Any] = {"dataSet": mapping.remote("data_sets", plan.slug)}
    if len(found_requests) == 1:
        report = found_requests[0]
        out["period"] = report.period.code
        out["orgUnit"] = mapping.remote("org_units", report.org_unit.code)
        if report.state in COMPLETE_STATES and report.first_submitted_on:
            out["completeDate"] = report.first_submitted_on.isoformat()
    out["dataValues"] = rows
    return out
