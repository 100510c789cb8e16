"""Who may do what in the registries.

- Coordinators and administrators create, edit and import every registry and figure.
- Reporters of agencies and localities, and viewers, read the registries.
- An enterprise's own reporter (a reporter whose unit is the enterprise's reporting unit)
  sees only that enterprise and edits only its figures; nothing else of the registries."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from orgunits.models import OrgUnitKind


def is_enterprise_user(user: Any) -> bool:
    unit = getattr(user, "org_unit", None)
    return bool(getattr(user, "is_authenticated", False) and unit is not None
                and unit.kind == OrgUnitKind.ENTERPRISE and not user.is_coordinator)


def can_read_registries(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and not is_enterprise_user(user))


def can_edit_registries(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and user.is_coordinator)


def is_own_enterprise(user: Any, enterprise: Any) -> bool:
    return bool(is_enterprise_user(user) and enterprise.reporting_unit_id is not None
                and enterprise.reporting_unit_id == user.org_unit_id)


def can_view_enterprise(user: Any, enterprise: Any) -> bool:
    return can_read_registries(user) or is_own_enterprise(user, enterprise)


def can_edit_figures(user: Any, enterprise: Any) -> bool:
    return can_edit_registries(user) or (user.is_active and is_own_enterprise(user, enterprise))


def require_read(user: Any) -> None:
    if not can_read_registries(user):
        raise PermissionDenied(_("You may not see the registries."))


def require_edit(user: Any) -> None:
    if not can_edit_registries(user):
        raise PermissionDenied(_("Only coordinators may change the registries."))


def require_view_enterprise(user: Any, enterprise: Any) -> None:
    if not can_view_enterprise(user, enterprise):
        raise PermissionDenied(_("You may see only your own enterprise."))


def require_edit_figures(user: Any, enterprise: Any) -> None:
    if not can_edit_figures(user, enterprise):
        raise PermissionDenied(_("You may change only your own enterprise's figures."))
