"""REST endpoints of the registries (thin: parse, check permission, call a service or
selector). Mounted at /api/v1/registry. Entries are read and written as plain JSON objects
whose keys are the registry's columns (the same as the Excel sheets'): places, sectors and
zones by code, enterprises by tax code, dates as YYYY-MM-DD or dd/mm/yyyy. Problems come
back as 422 {"detail", "errors": {field: [messages]}}, a refused permission as 403."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from ninja import Body, File, Path, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, WithJsonSchema, create_model

from api.pagination import Pages, Rows, paged
from common.exceptions import STATE, state_error
from common.parsing import NUMBER_HELP
from common.schemas import Number, Text, doc_text
from registry import excel, permissions, selectors, services
from registry.conversion import UnitTable, quantity_convert
from registry.figures import line_values, period_code
from registry.filters import ActivityFilter, entry_filter_class
from registry.models import (
    Area,
    AwarenessActivity,
    Enterprise,
    FigurePeriod,
    PackagingPractice,
    Retailer,
)
from registry.places import PlaceResolver
from registry.schemas import QueryDay, RegistrySchemas, StrictSchema, in_schema, out_schema
from registry.specs import (
    ACTIVITY_COLUMNS,
    PACKAGING_COLUMNS,
    REGISTRIES,
    YEAR_MAX,
    YEAR_MIN,
    Column,
    Lookups,
    RegistrySpec,
    parse_value,
)

router = Router(tags=[gettext_noop("Registries")])

# the names of the schemas (those made for each registry are named in _registry_routes)
SCHEMA_TITLES: dict[str, Any] = {
    "ActivityIn": gettext_noop("New awareness activity"),
    "ActivityChange": gettext_noop("Changes to an awareness activity"),
    "ActivityOut": gettext_noop("Awareness activity"),
    "PagedActivityOut": gettext_noop("A page of awareness activities"),
    "PagedPlaceCountOut": gettext_noop("A page of counts by place"),
    "Pageddict": gettext_noop("A page of records"),
    "PackagingIn": gettext_noop("New packaging practice"),
    "PackagingOut": gettext_noop("Packaging practice"),
    "KindCountOut": gettext_noop("Count of one kind"),
    "RegistryCountOut": gettext_noop("Count of one registry"),
    "ReachOut": gettext_noop("Reach"),
    "CountsOut": gettext_noop("Counts as of a day"),
    "PlaceCountOut": gettext_noop("Count in one place"),
    "ConvertOut": gettext_noop("Converted quantity"),
    "LineIn": gettext_noop("Figure line"),
    "LineOut": gettext_noop("Figure line"),
    "RecordOut": gettext_noop("Figures of a period"),
    "PagedRecordOut": gettext_noop("A page of an enterprise's figures"),
    "DesignatedOut": gettext_noop("Designated reporting unit"),
    "FiguresIn": gettext_noop("Figures of a period"),
    "DesignateIn": gettext_noop("Designation as a reporting unit"),
    "ProblemOut": gettext_noop("Problem in an imported sheet"),
    "ImportRejectedOut": gettext_noop("Import refused"),
    "ImportOut": gettext_noop("Import done"),
    "HistoryOut": gettext_noop("Recorded change"),
    "LinkedActivityOut": gettext_noop("Linked awareness activity"),
    "FigureSummaryOut": gettext_noop("Energy of a period"),
    "FileParams": gettext_noop("Uploaded file"),
}


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


def _parse(columns: list[Column], payload: Schema) -> dict[str, Any]:
    """The values the request gave (its schema has read numbers, dates and texts), with
    references by code looked up; ValidationError naming every bad field."""
    given = payload.dict(exclude_unset=True)
    lookups = Lookups.load()
    data: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    for column in columns:
        if column.key not in given:
            continue
        try:
            data[column.key] = parse_value(column, given[column.key], lookups)
        except ValueError as exc:
            message = capfirst(str(exc))
            errors[column.key] = [state_error(message) if getattr(exc, "code", None) == STATE
                                  else message]
    if errors:
        raise ValidationError(errors)
    return data


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class EntryPages(Pages):
    """A registry's entries a page at a time, with the day their places are given on."""

    class Output(Pages.Output):
        on: dt.date



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


# A quantity of a figure: at least 0, below 10^16, at most 4 decimals; as a JSON number
# or as text written the one way people write numbers (common.parsing)
QUANTITY_LIMIT = 10**16
QUANTITY_TEXT = (r"^([0-9]{1,16}|[0-9]{1,3}(\.[0-9]{3}){1,4}|[0-9]{1,3}( [0-9]{3}){1,4})"
                 r"(,[0-9]{1,4})?$")
Quantity = Annotated[Number, WithJsonSchema({"anyOf": [
    {"type": "number", "minimum": 0, "exclusiveMaximum": QUANTITY_LIMIT, "multipleOf": 0.0001},
    {"type": "string", "pattern": QUANTITY_TEXT}]})]
# A value to convert: beyond any quantity, within what the conversion keeps exact
CONVERT_MAX = 10**29


class LineIn(Schema):
    item: str = Field(max_length=40)
    quantity: Quantity = Field(description=doc_text(NUMBER_HELP))
    unit: str = Field(max_length=20)
    product: str | None = Field(
        None, max_length=40,
        description=gettext_noop("For a material or fuel: the code of the product it was "
                                 "used for (one of the record's products); empty: shared by "
                                 "`allocation`."))


class FiguresIn(Schema):
    lines: list[LineIn]
    version: int | None = Field(None, ge=0, le=2**31 - 1)
    note: Text | None = None
    allocation: Literal["principal", "output"] | None = Field(
        None, description=gettext_noop(
            "How inputs entered for no product are shared: all to the sector's principal "
            "product, or in proportion to output; left out: kept, or chosen (principal "
            "product when reported, else output)."))


class LineOut(Schema):
    item: str
    quantity: str = Field(description=gettext_noop("The quantity written for a program: 1234.5"))
    unit: str
    product: str


class RecordOut(Schema):
    year: int
    period: str
    period_code: str
    version: int
    source: str
    illustrative: bool
    allocation: str
    note: str
    lines: list[LineOut]
    toe: float | None
    toe_per_unit: float | None
    problems: list[str]


class DesignatedOut(Schema):
    unit: str
    username: str
    password: str | None = Field(description=gettext_noop("Shown once, when it was made here."))


class DesignateIn(StrictSchema):
    email: Annotated[str, Field(max_length=254), WithJsonSchema(
        {"type": "string", "format": "email", "maxLength": 254})] = ""


class ProblemOut(Schema):
    sheet: str
    row: int | None
    column: str | None
    message: str


class ImportRejectedOut(InvalidOut):
    total: int = 0
    problems: list[ProblemOut] = []


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


@router.get("/counts", response=CountsOut, summary=gettext_noop("Counts as of a day"),
            description=gettext_noop("Entries open on `on` (default today) by registry and "
                                     "kind; how many zones, parks, clusters and villages an "
                                     "awareness activity has reached since the plan began; "
                                     "how many supermarkets and commercial centres use "
                                     "eco-friendly packaging."))
def counts(request: HttpRequest, on: QueryDay = None) -> dict[str, Any]:
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
            summary=gettext_noop("Counts by place as of a day"),
            description=gettext_noop("Entries open on `on`, counted under the unit holding "
                                     "their place that day (following successions: a park "
                                     "recorded in a district of 2020 counts under its ward "
                                     "after 1 July 2025)."))
@paged()
def by_place(request: HttpRequest, registry: str, on: QueryDay = None,
             kind: str | None = None) -> Rows:
    permissions.require_read(request.user)
    spec = _spec(registry)
    rows = selectors.counts_by_place(spec=spec, day=_day(on), kind=kind)
    return Rows(rows, lambda page: [_place_count_out(r) for r in page])


def _place_count_out(r: selectors.PlaceCount) -> dict[str, Any]:
    unit = r.unit or r.divided_from
    return {"place": r.unit.code if r.unit else None, "name": unit.name if unit else "",
            "divided": r.unit is None, "by_kind": r.by_kind, "total": r.total}


@router.get("/units", summary=gettext_noop("The unit table"))
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


@router.get("/convert", response=ConvertOut, summary=gettext_noop("Convert a quantity"),
            description=gettext_noop("Within a kind (kg → t), or a fuel to energy through "
                                     "its toe factor "
                                     "(`?value=1000&from_unit=l&to_unit=GJ&fuel=diesel`)."))
def convert(request: HttpRequest,
            value: float = Query(..., gt=-CONVERT_MAX, lt=CONVERT_MAX),
            from_unit: str = Query(..., min_length=1, max_length=20),
            to_unit: str = Query(..., min_length=1, max_length=20),
            fuel: str | None = Query(None, max_length=40)) -> dict[str, Any]:
    result = quantity_convert(value=str(value), from_unit=from_unit, to_unit=to_unit,
                              fuel=fuel)
    return {"value": format(result.normalize(), "f"), "unit": to_unit}


# ------------------------------------------------------------------ activities


ActivityIn = in_schema("ActivityIn", ACTIVITY_COLUMNS)
ActivityChange = in_schema("ActivityChange", ACTIVITY_COLUMNS, partial=True)
ActivityOut = out_schema("ActivityOut", ACTIVITY_COLUMNS)
PACKAGING_OWN = [c for c in PACKAGING_COLUMNS if c.key != "retailer"]
PackagingIn = in_schema("PackagingIn", PACKAGING_OWN)
PackagingOut = out_schema("PackagingOut", PACKAGING_COLUMNS)


def _activity_out(a: AwarenessActivity) -> dict[str, Any]:
    return {"id": a.pk, **{c.key: _json(list(a.areas.all()) if c.key == "areas"
                                        else getattr(a, c.key)) for c in ACTIVITY_COLUMNS}}


@router.get("/activities", response=list[ActivityOut],  # type: ignore[valid-type]
            summary=gettext_noop("Awareness activities"),
            description=gettext_noop("Newest first, filtered by `year` and by words of the "
                                     "title or the organiser's name (`q`), as on the page."))
@paged()
def activities(request: HttpRequest,
               year: int | None = Query(None, ge=YEAR_MIN, le=YEAR_MAX),
               q: str = Query("", max_length=200)) -> Rows:
    permissions.require_read(request.user)
    filterset = ActivityFilter(request.GET, queryset=selectors.activities_with_areas())
    if not filterset.is_valid():
        raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
    return Rows(filterset.qs.order_by("-date", "pk"),
                lambda page: [_activity_out(a) for a in page])


@router.post("/activities", response={201: ActivityOut},
             summary=gettext_noop("Record an awareness activity"))
def activity_create(request: HttpRequest, payload: ActivityIn):  # type: ignore[valid-type]
    permissions.require_edit(request.user)
    data = _parse(ACTIVITY_COLUMNS, payload)
    activity = services.activity_save(data=data, actor=request.user)
    return Status(201, _activity_out(activity))


@router.patch("/activities/{activity_id}", response=ActivityOut,
              summary=gettext_noop("Correct an awareness activity"))
def activity_update(request: HttpRequest, activity_id: int,
                    payload: ActivityChange) -> dict[str, Any]:  # type: ignore[valid-type]
    permissions.require_edit(request.user)
    activity = AwarenessActivity.objects.filter(pk=activity_id).first()
    if activity is None:
        raise Http404(_("No such activity."))
    data = _parse(ACTIVITY_COLUMNS, payload)
    return _activity_out(services.activity_save(data=data, actor=request.user,
                                                activity=activity))


# ------------------------------------------------------------------ packaging and figures


@router.post("/retailers/{retailer_id}/packaging", response={201: PackagingOut},
             summary=gettext_noop("Record a retailer's packaging practice"))
def packaging_create(request: HttpRequest, retailer_id: int,
                     payload: PackagingIn):  # type: ignore[valid-type]
    permissions.require_edit(request.user)
    retailer = Retailer.objects.filter(pk=retailer_id).first()
    if retailer is None:
        raise Http404(_("No such retailer."))
    data = _parse(PACKAGING_OWN, payload)
    practice = services.packaging_save(retailer=retailer, data=data, actor=request.user)
    return Status(201, _packaging_out(practice))


def _packaging_out(p: PackagingPractice) -> dict[str, Any]:
    return {"id": p.pk, "retailer": p.retailer.code,
            **{c.key: _json(getattr(p, c.key)) for c in PACKAGING_OWN}}


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
            "allocation": r.allocation,
            "note": r.note, "lines": line_values(view.outputs + view.inputs),
            "toe": float(view.toe) if view.toe is not None else None,
            "toe_per_unit": float(view.intensity) if view.intensity is not None else None,
            "problems": view.problems}


@router.get("/enterprises/{enterprise_id}/figures", response=list[RecordOut],
            summary=gettext_noop("An enterprise's figures"),
            description=gettext_noop("Every record of the enterprise (newest first) with its "
                                     "lines, energy in toe and toe per unit of its main "
                                     "product. An enterprise's reporter sees only its own; "
                                     "figures that belong to a report are shown to whoever "
                                     "may read that report (a viewer: once it is accepted)."))
@paged()
def figures(request: HttpRequest, enterprise_id: int) -> Rows:
    enterprise = _enterprise(request, enterprise_id)
    return Rows(selectors.enterprise_records(enterprise=enterprise, user=request.user),
                lambda page: [_record_out(v) for v in page])


@router.put("/enterprises/{enterprise_id}/figures/{year}/{period}", response=RecordOut,
            summary=gettext_noop("Set an enterprise's figures for a year or half-year"),
            description=gettext_noop("Replace the record's lines. `period` is `year`, `h1` "
                                     "or `h2`. Send `version` (from the last read) to be "
                                     "told, with 409, when someone else saved meanwhile."))
def figures_put(request: HttpRequest, enterprise_id: int,
                year: int = Path(..., ge=YEAR_MIN, le=YEAR_MAX),
                period: Literal["year", "h1", "h2"] = Path(...),
                payload: FiguresIn = Body(...)) -> dict[str, Any]:  # noqa: B008
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
        note=payload.note, allocation=payload.allocation, table=table)
    record = selectors.record_for(enterprise=enterprise, year=year, period=period)
    assert record is not None
    return _record_out(selectors.record_view(record, table))


@router.post("/enterprises/{enterprise_id}/designate", response=DesignatedOut,
             summary=gettext_noop("Make an enterprise a reporting unit"))
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


@router.post("/import/{what}", response={200: ImportOut, 422: ImportRejectedOut},
             summary=gettext_noop("Import an Excel sheet (all or nothing)"),
            description=gettext_noop("`what` is a registry (`areas`, `retailers`, "
                                     "`enterprises`, `models`, `st-enterprises`) or "
                                     "`activities`, `packaging`, `figures`. If any row has "
                                     "a problem nothing is stored and the answer is 422 "
                                     "with every problem by sheet, row and column."))
def import_file(request: HttpRequest, what: str, file: File[UploadedFile]):
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


def _get(spec: RegistrySpec, request: HttpRequest, entry_id: int) -> Any:
    entry = selectors.entry_get(spec=spec, pk=entry_id)
    if entry is None:
        raise Http404(_("No such entry."))
    if isinstance(entry, Enterprise):
        permissions.require_view_enterprise(request.user, entry)
    else:
        permissions.require_read(request.user)
    return entry


def _entry_detail(spec: RegistrySpec, request: HttpRequest, entry_id: int,
                  on: dt.date | None) -> dict[str, Any]:
    entry = _get(spec, request, entry_id)
    day = _day(on)
    out = _entry_out(spec, entry, PlaceResolver().resolve(entry.place_id, entry.later_place_id,
                                                          day))
    out["history"] = [{"at": e.occurred_at, "actor": str(e.actor or ""),
                       "action": e.action, "changes": e.changes, "note": e.note}
                      for e in selectors.entry_history(entry=entry)[:200]]
    if isinstance(entry, Area):
        out["activities"] = [{"id": a.pk, "date": a.date, "title": a.title,
                              "organiser": a.organiser.code}
                             for a in entry.activities.select_related("organiser")]
    elif isinstance(entry, Retailer):
        out["packaging"] = [_packaging_out(p) for p in entry.packaging.all()]
    elif isinstance(entry, Enterprise):
        out["figures"] = [
            {"period_code": period_code(v.record.year, v.record.period),
             "toe": float(v.toe) if v.toe is not None else None}
            for v in selectors.enterprise_records(enterprise=entry, user=request.user)]
    return out


class HistoryOut(Schema):
    at: dt.datetime
    actor: str
    action: str
    changes: Any
    note: str


class LinkedActivityOut(Schema):
    id: int
    date: dt.date
    title: str
    organiser: str


class FigureSummaryOut(Schema):
    period_code: str
    toe: float | None


def _registry_routes(spec: RegistrySpec) -> None:
    """The four endpoints of one registry, typed by the schemas its declaration gives."""
    schemas = RegistrySchemas(spec)
    stem = schemas.out.__name__.removesuffix("Out")
    detail_extra: dict[str, Any] = {"history": (list[HistoryOut], ...)}
    if spec.model is Area:
        detail_extra["activities"] = (list[LinkedActivityOut], ...)
    elif spec.model is Retailer:
        detail_extra["packaging"] = (list[PackagingOut], ...)  # type: ignore[valid-type]
    elif spec.model is Enterprise:
        detail_extra["figures"] = (list[FigureSummaryOut], ...)
    detail_out = create_model(  # type: ignore[call-overload]
        f"{stem}DetailOut", __base__=schemas.out, **detail_extra)
    title = spec.title_one
    for name, text in [(f"{stem}In", gettext_lazy("{registry}: new entry")),
                       (f"{stem}Change", gettext_lazy("{registry}: changes to an entry")),
                       (f"{stem}Out", gettext_lazy("{registry}: entry")),
                       (f"{stem}DetailOut", gettext_lazy("{registry}: entry with its history")),
                       (f"Paged{stem}Out", gettext_lazy("{registry}: a page of entries"))]:
        SCHEMA_TITLES[name] = format_lazy(text, registry=title)

    def entries(request: HttpRequest) -> Rows:
        permissions.require_read(request.user)
        filterset = entry_filter_class(spec)(request.GET or None,
                                             queryset=selectors.entry_queryset(spec))
        if not filterset.is_valid():
            raise ValidationError({k: list(v) for k, v in filterset.errors.items()})
        day = filterset.day

        def shape(page: list[Any]) -> list[dict[str, Any]]:
            resolver = PlaceResolver()
            return [_entry_out(spec, e, resolver.resolve(e.place_id, e.later_place_id, day))
                    for e in page]

        return Rows(filterset.qs, shape, on=day)

    def create(request: HttpRequest, payload: Any) -> Any:
        permissions.require_edit(request.user)
        data = _parse(spec.columns, payload)
        entry = services.entry_save(spec=spec, data=data, actor=request.user)
        return Status(201, _entry_out(spec, entry))

    def detail(request: HttpRequest, entry_id: int, on: QueryDay = None) -> dict[str, Any]:
        return _entry_detail(spec, request, entry_id, on)

    def update(request: HttpRequest, entry_id: int, payload: Any) -> dict[str, Any]:
        permissions.require_edit(request.user)
        entry = spec.model._default_manager.filter(pk=entry_id).first()
        if entry is None:
            raise Http404(_("No such entry."))
        data = _parse(spec.columns, payload)
        saved = services.entry_save(spec=spec, data=data, actor=request.user, entry=entry)
        return _entry_out(spec, saved)

    # the request schemas are made at run time: django-ninja gets them as objects
    create.__annotations__["payload"] = schemas.create
    update.__annotations__["payload"] = schemas.change
    for func in (entries, create, detail, update):
        func.__name__ = f"{func.__name__}_{spec.slug.replace('-', '_')}"
    base = f"/{spec.slug}"
    filters = ", ".join(f"`{name}`" for name in entry_filter_class(spec).base_filters)

    def named(english: Any, **names: Any) -> str:  # translated when served (api.docs)
        return doc_text(format_lazy(english, **names))

    router.get(base, response=list[schemas.out],  # type: ignore[name-defined]
               summary=named(gettext_lazy("{registry}: list"), registry=title),
               description=named(gettext_lazy("Filters (query): {filters}."),
                                 filters=filters))(paged(EntryPages)(entries))
    router.post(base, response={201: schemas.out},
                summary=named(gettext_lazy("{registry}: add"), registry=title))(create)
    router.get(f"{base}/{{entry_id}}", response=detail_out, summary=named(
        gettext_lazy("{registry}: one entry with its history"), registry=title))(detail)
    router.patch(f"{base}/{{entry_id}}", response=schemas.out,
                 summary=named(gettext_lazy("{registry}: change"), registry=title))(update)


for _registry_spec in REGISTRIES.values():
    _registry_routes(_registry_spec)
