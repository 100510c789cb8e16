"""REST endpoints of the registries (thin: parse, check permission, call a service or
selector). Mounted at /api/v1/registry. Entries are read and written as plain JSON objects
whose keys are the registry's columns (the same as the Excel sheets'): places, sectors and
zones by code, enterprises by tax code, dates as YYYY-MM-DD or dd/mm/yyyy. Problems come
back as 422 {"detail", "errors": {field: [messages]}}, a refused permission as 403."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from registry import excel, permissions, selectors, services
from registry.conversion import UnitTable, quantity_convert
from registry.figures import line_values, period_code
from registry.filters import entry_filter_class
from registry.models import (
    Area,
    AwarenessActivity,
    Enterprise,
    FigurePeriod,
    PackagingPractice,
    Retailer,
)
from registry.places import PlaceResolver
from registry.specs import (
    ACTIVITY_COLUMNS,
    PACKAGING_COLUMNS,
    REGISTRIES,
    Column,
    Lookups,
    RegistrySpec,
    parse_value,
)

router = Router(tags=["registry"])


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if hasattr(value, "tax_code") and isinstance(value, Enterprise):
        return value.tax_code
    if hasattr(value, "code") and not isinstance(value, str):
        return value.code
    return value


def _spec(slug: str) -> RegistrySpec:
    spec = REGISTRIES.get(slug)
    if spec is None:
        raise Http404(_("No registry %(name)s.") % {"name": slug})
    return spec


def _entry_out(spec: RegistrySpec, entry: Any, place_on: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": entry.pk}
    for column in spec.columns:
        out[column.key] = _json(getattr(entry, column.key))
    out["code"] = entry.code
    if place_on is not None:
        out["place_on"] = place_on.unit.code if place_on.unit else None
        out["place_divided"] = place_on.ambiguous
    if isinstance(entry, Enterprise):
        out["reporting_unit"] = entry.reporting_unit.code if entry.reporting_unit else None
    return out


def _parse(columns: list[Column], payload: Any, *, partial: bool) -> dict[str, Any]:
    """The payload's values parsed by column; ValidationError naming every bad field."""
    if not isinstance(payload, dict):
        raise ValidationError({"__all__": [_("Send a JSON object.")]})
    known = {c.key: c for c in columns}
    errors: dict[str, list[str]] = {}
    for key in payload:
        if key not in known and key not in {"id", "code", "reporting_unit", "place_on",
                                             "place_divided"}:
            errors[key] = [_("Unknown field.")]
    lookups = Lookups.load()
    data: dict[str, Any] = {}
    for key, column in known.items():
        if key not in payload:
            if column.required and not partial:
                errors[key] = [_("This field is required.")]
            continue
        try:
            data[key] = parse_value(column, payload[key], lookups)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if "code" in payload and "code" not in known:
        errors.setdefault("code", [_("The code of this registry is the tax code.")])
    if errors:
        raise ValidationError(errors)
    return data


class PageOut(Schema):
    count: int
    page: int
    pages: int
    on: dt.date
    results: list[dict[str, Any]]


class KindCountOut(Schema):
    kind: str
    label: str
    count: int


class RegistryCountOut(Schema):
    registry: str
    title: str
    total: int
    kinds: list[KindCountOut]


class ReachOut(Schema):
    kind: str
    label: str
    total: int
    reached: int
    share: float | None


class CountsOut(Schema):
    on: dt.date
    registries: list[RegistryCountOut]
    awareness_reach: list[ReachOut]
    packaging: list[ReachOut]


class PlaceCountOut(Schema):
    place: str | None
    name: str
    divided: bool
    by_kind: dict[str, int]
    total: int


class ConvertOut(Schema):
    value: str
    unit: str


class LineIn(Schema):
    item: str
    quantity: Any = None
    unit: str


class FiguresIn(Schema):
    lines: list[LineIn]
    version: int | None = None
    note: str | None = None


class DesignateIn(Schema):
    email: str = ""


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str | None
    message: str


class ImportOut(Schema):
    sheet: str
    rows: int
    created: int
    updated: int
    unchanged: int


def _reach(rows: list[selectors.ReachRow]) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "label": r.label, "total": r.total, "reached": r.reached,
             "share": float(r.share) if r.share is not None else None} for r in rows]


def _day(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


@router.get("/counts", response=CountsOut, summary="Counts as of a day")
def counts(request: HttpRequest, on: dt.date | None = None) -> dict[str, Any]:
    """Entries open on `on` (default today) by registry and kind; how many zones, parks,
    clusters and villages an awareness activity has reached since the plan began; how many
    supermarkets and commercial centres use eco-friendly packaging."""
    permissions.require_read(request.user)
    day = _day(on)
    from plans.selectors import plan_current

    plan = plan_current()
    since = dt.date(plan.start_year if plan else 2021, 1, 1)
    return {
        "on": day,
        "registries": [{"registry": c.spec.slug, "title": str(c.spec.title), "total": c.total,
                        "kinds": [k.__dict__ for k in c.kinds]}
                       for c in selectors.registry_counts(day=day)],
        "awareness_reach": _reach(selectors.area_reach(day=day, since=since)),
        "packaging": _reach(selectors.packaging_coverage(day=day)),
    }


@router.get("/by-place/{registry}", response=list[PlaceCountOut],
            summary="Counts by place as of a day")
def by_place(request: HttpRequest, registry: str, on: dt.date | None = None,
             kind: str | None = None) -> list[dict[str, Any]]:
    """Entries open on `on`, counted under the unit holding their place that day
    (following successions: a park recorded in a district of 2020 counts under its ward
    after 1 July 2025)."""
    permissions.require_read(request.user)
    spec = _spec(registry)
    rows = selectors.counts_by_place(spec=spec, day=_day(on), kind=kind)
    out = []
    for r in rows:
        unit = r.unit or r.divided_from
        out.append({"place": r.unit.code if r.unit else None, "name": unit.name if unit else "",
                    "divided": r.unit is None, "by_kind": r.by_kind, "total": r.total})
    return out


@router.get("/units", summary="The unit table")
def units_table(request: HttpRequest) -> dict[str, Any]:
    table = selectors.unit_table_listing()
    return {
        "units": [{"code": u.code, "symbol": u.symbol, "name": u.name, "kind": u.kind.code,
                   "factor": str(u.factor.normalize())} for u in table.units],
        "items": [{"code": i.code, "name": i.name, "role": i.role,
                   "kinds": [k.code for k in i.kinds.all()], "unit": i.default_unit.code}
                  for i in table.items],
        "toe_factors": [{"item": f.item.code, "per": f.unit.code, "toe": str(f.toe.normalize()),
                         "source": f.source, "note": f.note} for f in table.factors],
    }


@router.get("/convert", response=ConvertOut, summary="Convert a quantity")
def convert(request: HttpRequest, value: str, from_unit: str, to_unit: str,
            fuel: str | None = None) -> dict[str, Any]:
    """Within a kind (kg → t), or a fuel to energy through its toe factor
    (`?value=1000&from_unit=l&to_unit=GJ&fuel=diesel`)."""
    result = quantity_convert(value=value, from_unit=from_unit, to_unit=to_unit, fuel=fuel)
    return {"value": format(result.normalize(), "f"), "unit": to_unit}


# ------------------------------------------------------------------ activities


def _activity_out(a: AwarenessActivity) -> dict[str, Any]:
    return {"id": a.pk, **{c.key: _json(list(a.areas.all()) if c.key == "areas"
                                        else getattr(a, c.key)) for c in ACTIVITY_COLUMNS}}


@router.get("/activities", summary="Awareness activities")
def activities(request: HttpRequest, year: int | None = None, page: int = 1) -> dict[str, Any]:
    permissions.require_read(request.user)
    qs = selectors.activities_with_areas()
    if year is not None:
        if not 1900 <= year <= 2100:
            raise ValidationError({"year": [_("A year between 1990 and 2100 is expected.")]})
        qs = qs.filter(date__year=year)
    pages = Paginator(qs.order_by("-date", "pk"), 50)
    current = pages.get_page(page)
    return {"count": pages.count, "page": current.number, "pages": pages.num_pages,
            "results": [_activity_out(a) for a in current.object_list]}


@router.post("/activities", response={201: dict}, summary="Record an awareness activity")
def activity_create(request: HttpRequest, payload: Body[dict[str, Any]]):
    permissions.require_edit(request.user)
    data = _parse(ACTIVITY_COLUMNS, payload, partial=False)
    activity = services.activity_save(data=data, actor=request.user)
    return Status(201, _activity_out(activity))


@router.patch("/activities/{activity_id}", summary="Correct an awareness activity")
def activity_update(request: HttpRequest, activity_id: int,
                    payload: Body[dict[str, Any]]) -> dict[str, Any]:
    permissions.require_edit(request.user)
    activity = AwarenessActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404(_("No such activity."))
    data = _parse(ACTIVITY_COLUMNS, payload, partial=True)
    return _activity_out(services.activity_save(data=data, actor=request.user,
                                                activity=activity))


# ------------------------------------------------------------------ packaging and figures


@router.post("/retailers/{retailer_id}/packaging", response={201: dict},
             summary="Record a retailer's packaging practice")
def packaging_create(request: HttpRequest, retailer_id: int,
                     payload: Body[dict[str, Any]]):
    permissions.require_edit(request.user)
    retailer = Retailer.objects.filter(pk=retailer_id).first()
    if retailer is None:
        raise Http404(_("No such retailer."))
    columns = [c for c in PACKAGING_COLUMNS if c.key != "retailer"]
    data = _parse(columns, payload, partial=False)
    practice = services.packaging_save(retailer=retailer, data=data, actor=request.user)
    return Status(201, _packaging_out(practice))


def _packaging_out(p: PackagingPractice) -> dict[str, Any]:
    return {"id": p.pk, "retailer": p.retailer.code,
            **{c.key: _json(getattr(p, c.key)) for c in PACKAGING_COLUMNS
               if c.key != "retailer"}}


def _enterprise(request: HttpRequest, enterprise_id: int) -> Enterprise:
    enterprise = Enterprise.objects.select_related("sector", "reporting_unit").filter(
        pk=enterprise_id).first()
    if enterprise is None:
        raise Http404(_("No such enterprise."))
    permissions.require_view_enterprise(request.user, enterprise)
    return enterprise


def _record_out(view: selectors.RecordView) -> dict[str, Any]:
    r = view.record
    return {"year": r.year, "period": r.period, "period_code": r.period_label,
            "version": r.version, "source": r.source, "illustrative": r.illustrative,
            "note": r.note, "lines": line_values(view.outputs + view.inputs),
            "toe": float(view.toe) if view.toe is not None else None,
            "toe_per_unit": float(view.intensity) if view.intensity is not None else None,
            "problems": view.problems}


@router.get("/enterprises/{enterprise_id}/figures", summary="An enterprise's figures")
def figures(request: HttpRequest, enterprise_id: int) -> list[dict[str, Any]]:
    """Every record of the enterprise (newest first) with its lines, energy in toe and toe
    per unit of its main product. An enterprise's reporter sees only its own."""
    enterprise = _enterprise(request, enterprise_id)
    return [_record_out(v) for v in selectors.enterprise_records(enterprise=enterprise)]


@router.put("/enterprises/{enterprise_id}/figures/{year}/{period}",
            summary="Set an enterprise's figures for a year or half-year")
def figures_put(request: HttpRequest, enterprise_id: int, year: int, period: str,
                payload: FiguresIn) -> dict[str, Any]:
    """Replace the record's lines. `period` is year, h1 or h2. Send `version` (from the
    last read) to be told, with 409, when someone else saved meanwhile."""
    from registry.sections import figures_locked

    enterprise = _enterprise(request, enterprise_id)
    permissions.require_edit_figures(request.user, enterprise)
    if period not in FigurePeriod.values:
        raise ValidationError({"period": [_("The period is year, h1 (first half) or h2 "
                                            "(second half).")]})
    if not permissions.can_edit_registries(request.user) and figures_locked(
            enterprise=enterprise, year=year, period=period):
        raise PermissionDenied(_("The report holding these figures can no longer be "
                                 "changed."))
    table = UnitTable()
    services.consumption_record_save(
        enterprise=enterprise, year=year, period=period, actor=request.user,
        lines=[ln.dict() for ln in payload.lines], expected_version=payload.version,
        note=payload.note, table=table)
    record = selectors.record_for(enterprise=enterprise, year=year, period=period)
    assert record is not None
    return _record_out(selectors.record_view(record, table))


@router.post("/enterprises/{enterprise_id}/designate",
             summary="Make an enterprise a reporting unit")
def designate(request: HttpRequest, enterprise_id: int, payload: DesignateIn) -> dict[str, Any]:
    permissions.require_edit(request.user)
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        raise Http404(_("No such enterprise."))
    result = services.enterprise_designate(enterprise=enterprise, actor=request.user,
                                           email=payload.email)
    return {"unit": result.unit.code, "username": result.user.username,
            "password": result.password}


# ------------------------------------------------------------------ imports

IMPORTERS = {
    "activities": excel.activities_import,
    "packaging": excel.packaging_import,
    "figures": excel.figures_import,
}


@router.post("/import/{what}", response={200: ImportOut, 422: dict},
             summary="Import an Excel sheet (all or nothing)")
def import_file(request: HttpRequest, what: str, file: File[UploadedFile]):
    """`what` is a registry (areas, retailers, enterprises, models, st-enterprises) or
    activities, packaging, figures. If any row has a problem nothing is stored and the
    answer is 422 with every problem by sheet, row and column."""
    permissions.require_edit(request.user)
    if what in REGISTRIES:
        def run(*, content: bytes, actor: Any) -> excel.ImportResult:
            return excel.registry_import(slug=what, content=content, actor=actor)
    elif what in IMPORTERS:
        run = IMPORTERS[what]
    else:
        raise Http404(_("Nothing to import called %(name)s.") % {"name": what})
    if file.size and file.size > excel.MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    try:
        result = run(content=file.read(), actor=request.user)
    except excel.ImportRejected as exc:
        return Status(422, {"detail": _("The file was not imported; nothing was stored."),
                            "errors": {"file": exc.messages}, "total": exc.total,
                            "problems": [p.__dict__ for p in exc.problems]})
    return Status(200, result.__dict__)


# ------------------------------------------------------------------ registries (generic)


@router.get("/{registry}", response=PageOut, summary="A registry's entries")
def entries(request: HttpRequest, registry: str, page: int = 1, page_size: int = 50
            ) -> dict[str, Any]:
    """Filter with `on` (the day, default today), `status` (open, closed, all), `kind`,
    `q` (search), `place` (org-unit id: entries lying there on the day), `sector` (id),
    `sort` (name, opened, place, kind, -name...)."""
    spec = _spec(registry)
    permissions.require_read(request.user)
    filterset = entry_filter_class(spec)(request.GET or None,
                                         queryset=selectors.entry_queryset(spec))
    if not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    pages = Paginator(filterset.qs, max(1, min(page_size, 200)))
    current = pages.get_page(page)
    day = filterset.day
    resolver = PlaceResolver()
    return {"count": pages.count, "page": current.number, "pages": pages.num_pages, "on": day,
            "results": [_entry_out(spec, e, resolver.resolve(e.place_id, e.later_place_id, day))
                        for e in current.object_list]}


@router.post("/{registry}", response={201: dict}, summary="Add an entry")
def entry_create(request: HttpRequest, registry: str, payload: Body[dict[str, Any]]):
    spec = _spec(registry)
    permissions.require_edit(request.user)
    data = _parse(spec.columns, payload, partial=False)
    entry = services.SAVERS[spec.slug](data=data, actor=request.user)
    return Status(201, _entry_out(spec, entry))


def _get(spec: RegistrySpec, request: HttpRequest, entry_id: int) -> Any:
    entry = selectors.entry_get(spec=spec, pk=entry_id)
    if entry is None:
        raise Http404(_("No such entry."))
    if isinstance(entry, Enterprise):
        permissions.require_view_enterprise(request.user, entry)
    else:
        permissions.require_read(request.user)
    return entry


@router.get("/{registry}/{entry_id}", summary="One entry with its history")
def entry_detail(request: HttpRequest, registry: str, entry_id: int,
                 on: dt.date | None = None) -> dict[str, Any]:
    spec = _spec(registry)
    entry = _get(spec, request, entry_id)
    day = _day(on)
    out = _entry_out(spec, entry, PlaceResolver().resolve(entry.place_id, entry.later_place_id,
                                                          day))
    out["history"] = [{"at": e.occurred_at.isoformat(), "actor": str(e.actor or ""),
                       "action": e.action, "changes": e.changes, "note": e.note}
                      for e in selectors.entry_history(entry=entry)[:200]]
    if isinstance(entry, Area):
        out["activities"] = [{"id": a.pk, "date": a.date.isoformat(), "title": a.title,
                              "organiser": a.organiser.code}
                             for a in entry.activities.select_related("organiser")]
    elif isinstance(entry, Retailer):
        out["packaging"] = [_packaging_out(p) for p in entry.packaging.all()]
    elif isinstance(entry, Enterprise):
        out["figures"] = [
            {"period_code": period_code(v.record.year, v.record.period),
             "toe": float(v.toe) if v.toe is not None else None}
            for v in selectors.enterprise_records(enterprise=entry)]
    return out


@router.patch("/{registry}/{entry_id}", summary="Change an entry")
def entry_update(request: HttpRequest, registry: str, entry_id: int,
                 payload: Body[dict[str, Any]]) -> dict[str, Any]:
    spec = _spec(registry)
    permissions.require_edit(request.user)
    entry = spec.model._default_manager.filter(pk=entry_id).first()
    if entry is None:
        raise Http404(_("No such entry."))
    data = _parse(spec.columns, payload, partial=True)
    saved = services.SAVERS[spec.slug](data=data, actor=request.user, entry=entry)
    return _entry_out(spec, saved)
