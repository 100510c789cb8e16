"""Reads on the registries: lists, counts as of a day (by kind and by place, as aggregate
queries), awareness reach, packaging coverage, an enterprise's figures with their energy
in toe, and each entry's history."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from common.audit import history_rows
from common.models import AuditEvent
from common.selectors import audit_events_for
from common.text import fold
from orgunits.models import LOCAL_KINDS, OrgUnit
from orgunits.selectors import orgunit_sort_key, orgunit_within_ids
from plans.models import ReportingRule, ReportKind
from registry.conversion import TOE, UnitTable
from registry.figures import period_label
from registry.models import (
    PACKAGING_TARGET_KINDS,
    Area,
    AreaKind,
    AwarenessActivity,
    ConsumptionLine,
    ConsumptionRecord,
    Enterprise,
    FigurePeriod,
    FuelFactor,
    Item,
    ItemRole,
    MeasureUnit,
    PackagingPractice,
    Retailer,
    RetailerKind,
)
from registry.places import PlaceResolver, unit_label
from registry.specs import REGISTRIES, RegistrySpec


def active_q(day: dt.date, prefix: str = "") -> Q:
    """Entries open on `day` (opened on or before it, not yet closed)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day}))


def entry_queryset(spec: RegistrySpec) -> QuerySet:
    """The registry's entries with what a list row shows joined (a fixed number of
    queries whatever the page size)."""
    qs = spec.model._default_manager.select_related("place", "later_place")
    if spec.model is Enterprise:
        qs = qs.select_related("sector", "reporting_unit")
    elif spec.model is Area:
        qs = qs.select_related("zone").annotate(activity_count=Count("activities"))
    elif spec.model is Retailer:
        qs = qs.prefetch_related(Prefetch("packaging",
                                          queryset=PackagingPractice.objects.order_by("since")))
    elif spec.slug == "models":
        qs = qs.select_related("enterprise")
    if spec.kind_choices is not None:
        qs = qs.annotate(kind_order=Case(
            *(When(kind=value, then=Value(i)) for i, value in enumerate(spec.kind_choices.values)),
            default=Value(99), output_field=IntegerField()))
        return qs.order_by("kind_order", "name_sort", "pk")
    return qs.order_by("name_sort", "pk")


def entry_history(*, entry: models.Model, limit: int = 100) -> list[AuditEvent]:
    """The latest recorded changes to the entry (and, for an enterprise, its figures; for a
    retailer, its packaging practice), newest first, ready for a history table: actions,
    fields and values as people read them (names, not codes)."""
    events = list(audit_events_for(obj=entry)[:limit])
    if not any(e.action.startswith("figures.") for e in events):
        return history_rows(events, model=type(entry))
    items = dict(Item.objects.values_list("code", "name"))
    def figure_row(event: Any, change: dict[str, Any]) -> tuple[str, Any, Any] | None:
        field = str(change.get("field", ""))
        if not event.action.startswith("figures.") or field in {"note", "illustrative",
                                                                 "allocation"}:
            return None
        item, _slash, product = field.partition("/")  # "item/product": entered for one
        what = _("Figures") if field == "lines" else items.get(item, item)
        if product:
            what = _("%(item)s for %(product)s") % {"item": what,
                                                     "product": items.get(product, product)}
        # which lines changed, not their quantities: those show (by role) in the records
        return (what, None, None)

    for event in events:
        code = re.fullmatch(r"(\d{4})(?:S([12]))?", event.note or "")
        if event.action.startswith("figures.") and code:  # the note is the period's code
            event.note = period_label(code[1], f"h{code[2]}" if code[2] else "year")
    return history_rows(events, model=type(entry), other=figure_row)


# ------------------------------------------------------------------ counts


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class RegistryCount:
    spec: RegistrySpec
    total: int
    kinds: list[KindCount]


def registry_counts(*, day: dt.date) -> list[RegistryCount]:
    """How many entries of each registry (and of each kind) are open on `day`. One
    aggregate query per registry."""
    out = []
    for spec in REGISTRIES.values():
        qs = spec.model._default_manager.filter(active_q(day))
        if spec.kind_choices is not None:
            got = dict(qs.values_list("kind").annotate(n=Count("pk")).order_by())
            kinds = [KindCount(value, str(label), got.get(value, 0))
                     for value, label in spec.kind_choices.choices]
            out.append(RegistryCount(spec, sum(k.count for k in kinds), kinds))
        else:
            out.append(RegistryCount(spec, qs.count(), []))
    return out


@dataclass
class PlaceCount:
    """Entries open on a day in one place: `unit` is None for entries whose recorded place
    was split without saying where they went (`divided_from` is then that place)."""

    unit: OrgUnit | None
    divided_from: OrgUnit | None
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def counts_by_place(*, spec: RegistrySpec, day: dt.date, kind: str | None = None
                    ) -> list[PlaceCount]:
    """Entries of a registry open on `day`, counted by the unit they lie in on that day
    (see registry.places) and by kind. One aggregate query plus two for the org units
    and successions."""
    qs = spec.model._default_manager.filter(active_q(day))
    if kind:
        kinds = spec.kind_choices.values if spec.kind_choices is not None else []
        if kind not in kinds:
            raise ValidationError({"kind": [
                _("This registry has no kind “%(kind)s”; kinds are: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(kinds) or "—"}]})
        qs = qs.filter(kind=kind)
    group = ["place_id", "later_place_id"]
    if spec.kind_choices is not None:
        group.append("kind")
    rows = qs.values(*group).annotate(n=Count("pk")).order_by()
    resolver = PlaceResolver()
    buckets: dict[tuple[str, int], PlaceCount] = {}
    for row in rows:
        resolved = resolver.resolve(row["place_id"], row["later_place_id"], day)
        if resolved.unit is not None:
            key = ("unit", resolved.unit.pk)
            bucket = buckets.setdefault(key, PlaceCount(resolved.unit, None))
        else:
            key = ("divided", row["place_id"])
            bucket = buckets.setdefault(
                key, PlaceCount(None, resolver.units[row["place_id"]]))
        k = row.get("kind", "")
        bucket.by_kind[k] = bucket.by_kind.get(k, 0) + row["n"]

    def order(b: PlaceCount) -> tuple:
        unit = b.unit or b.divided_from
        assert unit is not None
        return (b.unit is None, *orgunit_sort_key(unit))

    return sorted(buckets.values(), key=order)


@dataclass(frozen=True)
class PlaceMove:
    """One entry recorded in a unit that no longer exists on `day`: the unit it lies in
    then (`target`), or, when its place was split and it does not say where it went, the
    units to choose from (`candidates`, `target` None). `keep_place`: the target was
    formed from several units, so the entry keeps its recorded place and gets the target
    as its place after the split (counts before the split stay exact)."""

    spec: RegistrySpec
    entry: Any
    place: OrgUnit
    target: OrgUnit | None
    candidates: tuple[OrgUnit, ...]
    keep_place: bool = False

    @property
    def key(self) -> str:
        """Names the entry in a form or on the command line: "areas:12"."""
        return f"{self.spec.slug}:{self.entry.pk}"

    @property
    def needs_choice(self) -> bool:
        return self.target is None


def place_moves_preview(*, day: dt.date) -> list[PlaceMove]:
    """Every registry entry still open when its recorded place closed, that place being
    closed by `day` (a district after 1 July 2025): where it lies on `day` (see
    registry.places), or the units to choose among. Ordered by registry, then place, then
    entry name. One query per registry plus two for the org units and successions."""
    resolver = PlaceResolver()
    moves: list[PlaceMove] = []
    for spec in REGISTRIES.values():
        entries: QuerySet[Any] = (spec.model._default_manager
                   .filter(place__valid_to__lte=day)
                   .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=F("place__valid_to")))
                   .select_related("place", "later_place").order_by("name", "pk"))
        rows = []
        for entry in entries:
            resolved = resolver.resolve(entry.place_id, entry.later_place_id, day)
            target = resolved.unit
            several = target is not None and resolver.formed_from_several(target.pk)
            if several and target is not None and entry.later_place_id == target.pk:
                continue  # already placed as exactly as the data allows
            rows.append(PlaceMove(spec, entry, entry.place, target, resolved.candidates,
                                  keep_place=several))
        rows.sort(key=lambda m: orgunit_sort_key(m.place))  # stable: names stay in order
        moves.extend(rows)
    return moves


def place_filter_pairs(*, queryset: QuerySet, unit: OrgUnit, day: dt.date) -> Q:
    """A filter for the entries of `queryset` lying in `unit` on `day` (through
    successions): one query for the distinct recorded places, resolved in memory."""
    pairs = set(queryset.order_by().values_list("place_id", "later_place_id").distinct())
    resolver = PlaceResolver()
    q = Q(pk__in=[])
    for place_id, later_id in pairs:
        resolved = resolver.resolve(place_id, later_id, day)
        hit = resolved.unit.pk == unit.pk if resolved.unit else place_id == unit.pk
        if hit:
            q |= Q(place_id=place_id, later_place_id=later_id)
    return q


# ------------------------------------------------------------------ targets' raw facts


@dataclass(frozen=True)
class ReachRow:
    kind: str
    label: str
    total: int
    reached: int

    @property
    def share(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.reached) * 100 / self.total).quantize(Decimal("0.1"))


def area_reach(*, day: dt.date, since: dt.date | None = None) -> list[ReachRow]:
    """Per kind: the zones, parks, clusters and villages open on `day`, and how many of
    them an awareness activity dated from `since` (default: any) to `day` reached. One
    query."""
    activities = AwarenessActivity.objects.filter(areas=OuterRef("pk"), date__lte=day)
    if since is not None:
        activities = activities.filter(date__gte=since)
    rows = (Area.objects.filter(active_q(day))
            .annotate(hit=Exists(activities))
            .values("kind")
            .annotate(total=Count("pk"), reached=Count("pk", filter=Q(hit=True)))
            .order_by())
    got: dict[str, tuple[int, int]] = {r["kind"]: (r["total"], r["reached"]) for r in rows}
    return [ReachRow(value, str(label), *got.get(value, (0, 0)))
            for value, label in AreaKind.choices]


def reach_total(rows: list[ReachRow]) -> ReachRow:
    return ReachRow("", _("All"), sum(r.total for r in rows), sum(r.reached for r in rows))


def packaging_coverage(*, day: dt.date, kinds: tuple[str, ...] = PACKAGING_TARGET_KINDS
                       ) -> list[ReachRow]:
    """Per retailer kind (by default supermarkets and commercial centres, which target
    II.2.1.5 counts): how many are open on `day`, and how many use eco-friendly packaging
    that day. One query."""
    practice = PackagingPractice.objects.filter(
        retailer=OuterRef("pk"), since__lte=day).filter(Q(until__isnull=True) | Q(until__gt=day))
    rows = (Retailer.objects.filter(active_q(day), kind__in=kinds)
            .annotate(hit=Exists(practice))
            .values("kind")
            .annotate(total=Count("pk"), reached=Count("pk", filter=Q(hit=True)))
            .order_by())
    got: dict[str, tuple[int, int]] = {r["kind"]: (r["total"], r["reached"]) for r in rows}
    labels = dict(RetailerKind.choices)
    return [ReachRow(k, str(labels[k]), *got.get(k, (0, 0))) for k in kinds]


@dataclass(frozen=True)
class YearCounts:
    """A registry's entries open at the end of each year (`total`) and, where a part is
    asked, how many of them reach it (`reached`); `recorded`: whether the registry holds
    any entry at all (an empty registry is missing data, not zero)."""

    recorded: bool
    total: dict[int, int]
    reached: dict[int, int]


# The SQL of `_open_by_year` by what it counts: building its dozens of filtered counts
# through the ORM took longer than running them (the progress overview reads four).
_open_sql: dict[tuple[str, tuple[int, ...], str], tuple[str, tuple[Any, ...], list[str]]] = {}


def _open_by_year(queryset: QuerySet, years: Iterable[int], *, key: str,
                  among: Q | None = None,
                  reached: Callable[[dt.date], Q] | None = None) -> YearCounts:
    """One aggregate query, however many years and rows; `key` names what `queryset`,
    `among` and `reached` select (the SQL is built once per process for it)."""
    years = list(years)
    cache_key = (key, tuple(years), connection.vendor)
    if cache_key not in _open_sql:
        counts: dict[str, Any] = {"recorded": Count("pk")}
        for year in years:
            day = dt.date(year, 12, 31)
            open_q = active_q(day) & (among or Q())
            counts[f"total_{year}"] = Count("pk", filter=open_q)
            if reached is not None:
                counts[f"reached_{year}"] = Count("pk", filter=open_q & reached(day))
        # no grouping column: one row over the whole queryset
        query = (queryset.order_by().annotate(_all=Value(1)).values("_all")
                 .annotate(**counts).values(*counts).query)
        _open_sql[cache_key] = (*query.sql_with_params(), list(counts))
    sql, params, names = _open_sql[cache_key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = dict(zip(names, cursor.fetchone(), strict=True))
    return YearCounts(bool(row["recorded"]), {y: row[f"total_{y}"] for y in years},
                      {y: row.get(f"reached_{y}", 0) for y in years})


def area_reach_by_year(*, years: Iterable[int], since: dt.date) -> YearCounts:
    """`area_reach` summed over the kinds, for the end of each year: the zones, parks,
    clusters and villages open, and those an activity dated from `since` reached. One
    query."""
    def reached(day: dt.date) -> Q:
        return Q(Exists(AwarenessActivity.objects.filter(areas=OuterRef("pk"),
                                                         date__gte=since, date__lte=day)))

    return _open_by_year(Area.objects.all(), years, key=f"areas reached since {since}",
                         reached=reached)


def packaging_coverage_by_year(*, years: Iterable[int],
                               kinds: tuple[str, ...] = PACKAGING_TARGET_KINDS) -> YearCounts:
    """`packaging_coverage` summed over `kinds`, for the end of each year. One query."""
    def reached(day: dt.date) -> Q:
        return Q(Exists(PackagingPractice.objects.filter(
            retailer=OuterRef("pk"), since__lte=day).filter(
                Q(until__isnull=True) | Q(until__gt=day))))

    return _open_by_year(Retailer.objects.all(), years, key=f"retailers {kinds!r} packaging",
                         among=Q(kind__in=kinds), reached=reached)


def open_by_year(*, model: type[models.Model], years: Iterable[int], among: Q | None = None
                 ) -> YearCounts:
    """How many entries of a registry (those matching `among`) are open at the end of
    each year. One query."""
    return _open_by_year(model._default_manager.all(), years,
                         key=f"{model._meta.label} {among!r}", among=among)


def activity_list() -> QuerySet[AwarenessActivity]:
    return AwarenessActivity.objects.select_related("organiser").annotate(
        area_count=Count("areas"))


def activities_with_areas() -> QuerySet[AwarenessActivity]:
    """Activities with their organiser and the areas they reached (for exports and the
    API): two queries however many rows."""
    return AwarenessActivity.objects.select_related("organiser").prefetch_related("areas")


def activity_find(*, date: dt.date, organiser: OrgUnit, title: str) -> AwarenessActivity | None:
    """The stored activity with this natural key (date, organiser, title), if any: an
    import or the demo updates it rather than adding a twin."""
    return AwarenessActivity.objects.filter(date=date, organiser=organiser, title=title).first()


def packaging_rows() -> QuerySet[PackagingPractice]:
    """Every packaging-practice record with its retailer, by retailer and start date."""
    return PackagingPractice.objects.select_related("retailer").order_by("retailer__code",
                                                                         "since")


def packaging_find(*, retailer: Retailer, since: dt.date) -> PackagingPractice | None:
    """The stored practice with this natural key (retailer, start date), if any."""
    return PackagingPractice.objects.filter(retailer=retailer, since=since).first()


# ------------------------------------------------------------------ figures


@dataclass
class RecordView:
    """A record with its lines split into outputs and inputs, the energy of its fuels in
    toe, and toe per unit of its main product (in that product's usual unit)."""

    record: ConsumptionRecord
    outputs: list[ConsumptionLine]
    inputs: list[ConsumptionLine]
    toe: Decimal | None
    main_output: ConsumptionLine | None
    main_output_base: Decimal | None
    intensity: Decimal | None
    problems: list[str]

    @property
    def allocation_applies(self) -> bool:
        """Whether the record's allocation rule shares anything: several products and an
        input entered for none of them."""
        return len(self.outputs) > 1 and any(ln.product_id is None for ln in self.inputs)


def _main_output(lines: list[ConsumptionLine], table: UnitTable
                 ) -> tuple[ConsumptionLine | None, Decimal | None]:
    best, best_qty = None, None
    for ln in lines:
        if ln.item.role != ItemRole.PRODUCT:
            continue
        usual = ln.item.default_unit.code
        try:
            qty = table.convert(value=ln.quantity, from_unit=ln.unit.code, to_unit=usual)
        except Exception:
            continue
        if best is None or ln.item.order < best.item.order:
            best, best_qty = ln, qty
    return best, best_qty


def record_view(record: ConsumptionRecord, table: UnitTable) -> RecordView:
    from registry.figures import lines_sorted

    lines = lines_sorted(list(record.lines.all()))
    outputs = [ln for ln in lines if ln.item.role == ItemRole.PRODUCT]
    inputs = [ln for ln in lines if ln.item.role != ItemRole.PRODUCT]
    toe = Decimal(0)
    has_fuel = False
    for ln in inputs:
        value = table.to_toe(item=ln.item.code, value=ln.quantity, unit=ln.unit.code) \
            if ln.item.code in table.toe else None
        if value is not None:
            toe += value
            has_fuel = True
    main, main_qty = _main_output(outputs, table)
    intensity = None
    if has_fuel and main_qty:
        intensity = toe / main_qty
    from registry.figures import record_problems

    return RecordView(record, outputs, inputs, toe if has_fuel else None, main, main_qty,
                      intensity, record_problems(record=record, lines=lines))


def _records_outside_hidden_reports(visible_reports: Any) -> QuerySet[ConsumptionRecord]:
    """Records, less those in a report not among `visible_reports` (a queryset of report
    ids): the rule behind `records_visible` and `records_accepted`."""
    records = ConsumptionRecord.objects.all()
    try:
        from reporting.models import ReportRequest
    except ImportError:  # the registry without the reporting cycle: no report hides anything
        return records
    records = records.annotate(report_code=Case(
        When(period=FigurePeriod.H1, then=Concat(Cast("year", CharField()), Value("S1"))),
        When(period=FigurePeriod.H2, then=Concat(Cast("year", CharField()), Value("S2"))),
        default=Cast("year", CharField()), output_field=CharField()))
    hidden = (ReportRequest.objects
              .filter(org_unit_id=OuterRef("enterprise__reporting_unit_id"),
                      period__code=OuterRef("report_code"))
              .exclude(pk__in=visible_reports))
    return records.filter(~Exists(hidden))


def records_visible(*, user: Any) -> QuerySet[ConsumptionRecord]:
    """The consumption records `user` may see: the one rule for pages, API, exports and
    counts. A record that belongs to a report (the enterprise's report for that year or
    half-year, `2025` or `2025S1`) follows that report's visibility
    (`reporting.permissions.visible_reports_q`): a viewer sees it once the report is
    accepted, a reporter only its own unit's, the coordinator all. A record outside any
    report (entered or imported by the coordinator) is seen by whoever reads the
    registries. `user=None` is the system: everything."""
    try:
        from reporting.models import ReportRequest
        from reporting.permissions import visible_reports_q
    except ImportError:
        return ConsumptionRecord.objects.all()
    return _records_outside_hidden_reports(
        ReportRequest.objects.filter(visible_reports_q(user)).values("pk"))


def records_accepted() -> QuerySet[ConsumptionRecord]:
    """The records that count in the province's figures (indices, progress): those
    outside any report and those whose report is accepted, i.e. what a viewer sees."""
    try:
        from reporting.models import ReportRequest, ReportState
    except ImportError:
        return ConsumptionRecord.objects.all()
    return _records_outside_hidden_reports(
        ReportRequest.objects.filter(state=ReportState.ACCEPTED).values("pk"))


def figure_lines_visible(*, user: Any) -> QuerySet[ConsumptionLine]:
    """The lines of the records `user` may see (`records_visible`)."""
    return ConsumptionLine.objects.filter(
        record__in=records_visible(user=user).values("pk"))


def enterprise_records(*, enterprise: Enterprise, user: Any, table: UnitTable | None = None
                       ) -> list[RecordView]:
    """The enterprise's records `user` may see, newest first, each with lines, toe and
    intensity. Three queries plus the unit table's four."""
    table = table or UnitTable()
    records = (records_visible(user=user).filter(enterprise=enterprise)
               .prefetch_related(Prefetch(
                   "lines", queryset=ConsumptionLine.objects.select_related(
                       "item", "item__default_unit", "unit", "product")))
               .annotate(period_order=Case(When(period="year", then=Value(0)),
                                           When(period="h2", then=Value(1)),
                                           default=Value(2), output_field=IntegerField()))
               .order_by("-year", "period_order"))
    return [record_view(r, table) for r in records]


def figure_periods_asked(*, plan: Any) -> list[tuple[str, str]]:
    """The figure periods the plan's reports ask for, as (value, label) choices: the whole
    year for an annual report, the first half for a semi-annual one (the plan's
    semi-annual report covers the first half only, so the second half is never asked)."""
    kinds = set(ReportingRule.objects.filter(plan=plan).values_list("kind", flat=True)) \
        if plan is not None else set()
    asked = {ReportKind.ANNUAL: FigurePeriod.YEAR, ReportKind.SEMIANNUAL: FigurePeriod.H1}
    wanted = {str(period) for kind, period in asked.items() if kind in kinds}
    return [(str(v), str(label)) for v, label in FigurePeriod.choices if v in wanted]


def record_for(*, enterprise: Enterprise, year: int, period: str) -> ConsumptionRecord | None:
    return (ConsumptionRecord.objects.filter(enterprise=enterprise, year=year, period=period)
            .prefetch_related(Prefetch("lines", queryset=ConsumptionLine.objects.select_related(
                "item", "item__default_unit", "unit", "product")))
            .first())


def enterprise_for_unit(*, unit: OrgUnit | None) -> Enterprise | None:
    if unit is None:
        return None
    return Enterprise.objects.select_related("sector", "place").filter(
        reporting_unit=unit).first()


def figures_rows(*, user: Any, sector_code: str | None = None,
                 place: OrgUnit | None = None) -> QuerySet[ConsumptionLine]:
    """Every line `user` may see with its record and enterprise, for the export of
    figures; of one sector, and of the enterprises recorded in `place` or a unit below it
    (a province, a district)."""
    qs = figure_lines_visible(user=user).select_related("record", "record__enterprise",
                                                        "item", "unit", "product")
    if sector_code:
        qs = qs.filter(record__enterprise__sector__code=sector_code)
    if place is not None:
        qs = qs.filter(record__enterprise__place_id__in=orgunit_within_ids(unit=place))
    return qs.order_by("record__enterprise__tax_code", "record__year", "record__period",
                       "item__role", "item__order", "product__order")


def toe_total_by_sector(*, year: int, user: Any, table: UnitTable | None = None
                        ) -> dict[str, Decimal]:
    """Energy (toe) of the fuels used in `year` (whole-year records `user` may see), by
    sector code: one aggregate query summing quantities by item and unit, converted in
    memory."""
    table = table or UnitTable()
    rows = (figure_lines_visible(user=user)
            .filter(record__year=year, record__period="year",
                    item__code__in=list(table.toe))
            .values("record__enterprise__sector__code", "item__code", "unit__code")
            .annotate(total=models.Sum("quantity")).order_by())
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[r["record__enterprise__sector__code"]] += table.convert(
            value=r["total"], from_unit=r["unit__code"], to_unit=TOE, fuel=r["item__code"])
    return dict(out)


def registry_spec(slug: str) -> RegistrySpec | None:
    return REGISTRIES.get(slug)


def entry_get(*, spec: RegistrySpec, pk: Any) -> Any:
    return entry_queryset(spec).filter(pk=pk).first()


@dataclass(frozen=True)
class UnitTableListing:
    units: models.QuerySet[MeasureUnit]
    items: models.QuerySet[Item]
    factors: models.QuerySet[FuelFactor]


def unit_table_listing() -> UnitTableListing:
    """The unit table as stored: units with their kind, items with their kinds and default
    unit, and the toe factors with their sources (three queries, plus one prefetch)."""
    return UnitTableListing(
        units=MeasureUnit.objects.select_related("kind"),
        items=Item.objects.select_related("default_unit").prefetch_related("kinds"),
        factors=FuelFactor.objects.select_related("item", "unit").order_by("item__order",
                                                                           "unit__order"),
    )


# ------------------------------------------------------------------ places typed in a field


def _local() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(kind__in=list(LOCAL_KINDS))


PLACES_SHOWN = 20


def places_matching(text: str, limit: int = PLACES_SHOWN) -> list[OrgUnit]:
    """Districts, communes and wards whose name, short name or code hold every word of
    `text` (case and diacritics ignored; an era "(từ 01/07/2025)" ignored), by name; at
    most `limit`. One query."""
    words = fold(text.split(" (")[0]).split()
    found = _local()
    for word in words:
        found = found.filter(search_text__contains=word)
    return sorted(found.order_by("name_sort", "pk")[:limit], key=orgunit_sort_key)


def place_find(text: str) -> OrgUnit | list[OrgUnit]:
    """The one place `text` names (see registry.forms.PlaceField), or the places it could
    mean (none, or several). At most three queries."""
    local = _local()
    if text.isdigit():
        unit = local.filter(pk=int(text)).first()
        if unit is not None:
            return unit
    unit = local.filter(code=text).first()
    if unit is not None:
        return unit
    candidates = places_matching(text, limit=50)
    folded = fold(text)
    for same in ([u for u in candidates if fold(unit_label(u)) == folded],
                 [u for u in candidates if fold(u.name) == folded], candidates):
        if len(same) == 1:
            return same[0]
    return candidates
