"""Who may do what with reports: the one place the access rules live. Views, the API and
the services all ask here.

- A reporter sees its own unit's reports (every state) and changes them while they are
  a draft or returned.
- A coordinator (and an administrator) sees every report, may fill one in on a unit's
  behalf (e.g. from a paper report), accepts, returns and reopens, opens periods and
  ad-hoc requests.
- A viewer reads accepted reports only.
- Coordinators and viewers see completeness and timeliness; reporters see their own in
  their inbox.

`actor=None` is the system (management commands, the demo loader): allowed everything.
Each `require_*` raises PermissionDenied with a message that says why; a report in the
wrong state is not a permission matter (the service answers with a ValidationError on
`state`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from reporting.models import ReportRequest, ReportState


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and getattr(user, "is_active", False))


def is_coordinator(user: Any) -> bool:
    return user is None or (_active(user) and user.is_coordinator)


def is_own_unit(user: Any, report: ReportRequest) -> bool:
    return (_active(user) and user.is_reporter and user.org_unit_id is not None
            and user.org_unit_id == report.org_unit_id)


def visible_reports_q(user: Any) -> Q:
    """A filter on ReportRequest for the reports `user` may read."""
    if is_coordinator(user):
        return Q()
    if not _active(user):
        return Q(pk__in=[])
    if user.is_reporter and user.org_unit_id:
        return Q(org_unit_id=user.org_unit_id)
    if user.is_viewer:
        return Q(state=ReportState.ACCEPTED)
    return Q(pk__in=[])


def can_view(user: Any, report: ReportRequest) -> bool:
    if is_coordinator(user):
        return True
    if is_own_unit(user, report):
        return True
    return _active(user) and user.is_viewer and report.state == ReportState.ACCEPTED


def can_view_accepted(user: Any, unit_code: str) -> bool:
    """Whether `user` may open an accepted report of the unit `unit_code`: what `can_view`
    answers for such a report, without reading it (a page listing many as sources)."""
    return is_coordinator(user) or (_active(user) and (
        user.is_viewer or (user.is_reporter and user.org_unit is not None
                           and user.org_unit.code == unit_code)))


def can_write(user: Any, report: ReportRequest) -> bool:
    """May change the values and submit (whatever the state: see `can_edit`)."""
    return is_coordinator(user) or is_own_unit(user, report)


def can_edit(user: Any, report: ReportRequest) -> bool:
    """May change it now: may write, and it is a draft or returned."""
    return can_write(user, report) and report.is_editable


def can_review(user: Any, report: ReportRequest | None = None) -> bool:
    """May accept, return and reopen (the state is checked by the service)."""
    return is_coordinator(user)


def can_manage_periods(user: Any) -> bool:
    return is_coordinator(user)


def can_view_completeness(user: Any) -> bool:
    return is_coordinator(user) or (_active(user) and user.is_viewer)


def can_view_periods(user: Any) -> bool:
    return can_view_completeness(user)


def require_view(user: Any, report: ReportRequest) -> None:
    if can_view(user, report):
        return
    if _active(user) and user.is_viewer:
        raise PermissionDenied(_("Viewers can read accepted reports only."))
    raise PermissionDenied(_("This report belongs to another unit."))


def require_write(user: Any, report: ReportRequest) -> None:
    if can_write(user, report):
        return
    if _active(user) and user.is_reporter:
        raise PermissionDenied(_("This report belongs to another unit."))
    raise PermissionDenied(_("Your role does not allow changing reports."))


def require_review(user: Any, report: ReportRequest | None = None) -> None:
    if not can_review(user, report):
        raise PermissionDenied(_("Only the coordinator may accept, return or reopen reports."))


def require_manage_periods(user: Any) -> None:
    if not can_manage_periods(user):
        raise PermissionDenied(_("Only the coordinator may open periods and ad-hoc requests."))


def require_completeness(user: Any) -> None:
    if not can_view_completeness(user):
        raise PermissionDenied(_("Completeness is shown to the coordinator and viewers."))
