"""Filters of report requests (django-filter): by period code, unit code and state. The
API's request list uses it; a page listing requests would use the same set."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from reporting.models import ReportRequest, ReportState


class RequestFilter(django_filters.FilterSet):
    """Report requests by period (code), unit (code) and state."""

    period = django_filters.CharFilter(label=_("Period"), field_name="period__code",
                                       lookup_expr="iexact", max_length=20)
    unit = django_filters.CharFilter(label=_("Unit"), field_name="org_unit__code",
                                     max_length=60)
    state = django_filters.ChoiceFilter(label=_("State"), choices=ReportState.choices)

    class Meta:
        model = ReportRequest
        fields: list[str] = []
