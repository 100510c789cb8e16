"""REST endpoints for organisation units (read-only): the units active on a day, and one
unit with its history. Mounted by api/api.py at /orgunits, so the paths are
/api/v1/orgunits?on=DATE&kind=... and /api/v1/orgunits/{code}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema

from api.pagination import Rows, paged
from orgunits.models import OrgUnit, OrgUnitKind
from orgunits.selectors import HistoryLink, orgunit_by_code, orgunit_history, orgunits_active_on

router = Router(tags=[gettext_noop("Organisation units")])

SCHEMA_TITLES = {
    "OrgUnitOut": gettext_noop("Organisation unit"),
    "PagedOrgUnitOut": gettext_noop("A page of organisation units"),
    "OrgUnitDetailOut": gettext_noop("Organisation unit with its history"),
    "HistoryLinkOut": gettext_noop("Predecessor or successor"),
    "OrgUnitFilter": gettext_noop("Organisation unit filter"),
    "OrgUnitKind": gettext_noop("Kind of organisation unit"),
}


class OrgUnitOut(Schema):
    code: str
    name: str
    name_en: str
    short_name: str
    kind: str
    parent: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    official_code: str
    uncertain: bool


class HistoryLinkOut(Schema):
    code: str
    name: str
    date: dt.date
    kind: str
    share: float | None
    uncertain: bool
    note: str


class OrgUnitDetailOut(OrgUnitOut):
    email: str
    source: str
    note: str
    predecessors: list[HistoryLinkOut]
    successors: list[HistoryLinkOut]


class OrgUnitFilter(Schema):
    on: dt.date | None = None
    kind: list[OrgUnitKind] | None = None


def _unit(u: OrgUnit, parent_code: str | None) -> dict:
    return {
        "code": u.code, "name": u.name, "name_en": u.name_en, "short_name": u.short_name,
        "kind": u.kind, "parent": parent_code, "valid_from": u.valid_from,
        "valid_to": u.valid_to, "official_code": u.official_code, "uncertain": u.uncertain,
    }


def _link(link: HistoryLink) -> dict:
    share = link.share
    return {
        "code": link.unit.code, "name": link.unit.name, "date": link.date, "kind": link.kind,
        "share": float(share) if isinstance(share, Decimal) else share,
        "uncertain": link.uncertain, "note": link.note,
    }


@router.get("", response=list[OrgUnitOut], summary=gettext_noop("Units active on a day"),
            description=gettext_noop("Units active on `on` (default: today), optionally only "
                                     "the given kinds (`?kind=ward&kind=commune`), ordered "
                                     "by kind then name."))
@paged()
def orgunit_list(request: HttpRequest, filters: Query[OrgUnitFilter]) -> Rows:
    day = filters.on or timezone.localdate()
    kinds = [k.value for k in filters.kind] if filters.kind else None
    units = orgunits_active_on(day=day, kinds=kinds)
    return Rows(units, lambda page: [_unit(u, u.parent.code if u.parent else None)
                                     for u in page])


@router.get("/{code}", response=OrgUnitDetailOut, summary=gettext_noop("One unit with history"),
            description=gettext_noop("One unit, with the units it took over from and those "
                                     "that took over from it."))
def orgunit_detail(request: HttpRequest, code: str):
    unit = orgunit_by_code(code=code)
    if unit is None:
        raise Http404(_("No organisation unit with code %s.") % code)
    history = orgunit_history(unit=unit)
    return {
        **_unit(unit, unit.parent.code if unit.parent else None),
        "email": unit.email, "source": unit.source, "note": unit.note,
        "predecessors": [_link(link) for link in history.predecessors],
        "successors": [_link(link) for link in history.successors],
    }
