"""Reads behind the progress pages, API and commands: indicator values from accepted data,
the sector consumption index, and a status for every target. Computed on request from the
accepted rows (no stored results, no nightly job), with the methods of
`progress.methods`; the method is docs/progress-method.md.

Entry points: `progress_for_period(*, period)` (every target's status for a year: the API,
the command, the overview and the consolidated report), `target_progress(*, target,
period)` (one target with its series) and `sector_indices(*, plan, last_year)`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common.exceptions import state_error
from orgunits.models import OrgUnitKind
from plans.formulas import Element, Formula, formula_parse
from plans.models import DataElement, Indicator, Plan, Sector, Target, TargetKind
from plans.selectors import plan_current
from progress import methods
from progress.consumption import SectorSums, sector_sums
from progress.models import Assessment, SectorTotals
from progress.summary import summary_factors, summary_sums
from registry.models import (
    Item,
    ScpModel,
    ScpModelKind,
    StEnterprise,
)
from registry.selectors import (
    YearCounts,
    area_reach_by_year,
    open_by_year,
    packaging_coverage_by_year,
)
from reporting.models import DataValue, ReportKind, ReportRequest, ReportState

BASE_YEAR = 2020
DETAIL_KEPT = 24 * 3600  # seconds a sector's detail stays in the cache at the most
ENERGY = "energy"


@dataclass(frozen=True)
class Source:
    """Where a number came from: a report, a registry list, a sector's figures.
    `opens`: what the link opens, for who may follow it (`progress.permissions`):
    "report:<unit code>" (an accepted report), "registry", "completeness" (a period's
    page), or "" (a progress page)."""

    label: str
    url: str
    opens: str = ""


@dataclass
class Point:
    """One year of an indicator: the value the target uses, the other source's value
    (`compare`), the elements the formula read and where they came from."""

    year: int
    value: float | None
    compare: float | None = None
    parts: dict[str, float | None] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    @property
    def disagrees(self) -> bool:
        return (self.value is not None and self.compare is not None
                and abs(self.value - self.compare) > 0.05)


@dataclass
class TargetStatus:
    """Where one target stands for a period (a year)."""

    target: Target
    period: int
    status: str
    unit: str
    series: list[Point] = field(default_factory=list)
    baseline: Point | None = None
    current: Point | None = None
    minimum: float | None = None
    stretch: float | None = None
    share_covered: float | None = None
    ratio: float | None = None
    observed_rate: float | None = None
    required_rate: float | None = None
    method: str = ""
    projections: dict[int, float] = field(default_factory=dict)
    assessment: Assessment | None = None
    indicator: Indicator | None = None
    past: bool = False

    @property
    def milestone_year(self) -> int:
        return self.target.milestone.end_year

    @property
    def sources(self) -> list[Source]:
        if self.current is None:
            return []
        return self.current.sources


# ------------------------------------------------------------------ consumption


@dataclass
class SectorIndex:
    """One sector's consumption index (2020 = 100), its links, LMDI per group of inputs,
    the enterprises behind it and its energy use (toe) by year, used as the province
    weight."""

    sector: Sector
    result: methods.OdexResult
    lmdi: dict[str, methods.Lmdi | None]
    lmdi_units: dict[str, str]
    group_names: dict[str, str]
    enterprises: dict[int, str]
    energy: dict[int, float]
    notes: list[str]

    @property
    def reduction(self) -> dict[int, float | None]:
        return {y: None if v is None else 100.0 - v for y, v in self.result.index.items()}


@dataclass
class ConsumptionIndex:
    sectors: list[SectorIndex]
    province: dict[int, float | None]
    notes: list[str]


def sector_indices(*, plan: Plan, last_year: int, detail: bool = True,
                   sector: Sector | None = None) -> ConsumptionIndex:
    """Every sector's index and the province index (sectors weighted by their share of
    the province's energy use, mean of the two years of each link), from sums computed in
    the database. Without `detail` (the overview, the statuses, the charts: the live path)
    the sums come from the summary (`progress.summary`) and the LMDI and the list of
    enterprises are left out; with it, or while the summary's factors are not the unit
    table's, from the raw figures (`progress.consumption`). The index and its links are
    the same. With `sector`, that sector alone (a sector's page: its detail from its own
    figures, an eighth of the work) and no province index."""
    factors, current = summary_factors()
    sectors = [sector] if sector is not None else list(plan.sectors.all())
    if not detail and current:
        sums, notes = summary_sums(sectors=sectors, last_year=last_year)
    else:
        sums, notes = sector_sums(plan=plan, last_year=last_year, base_year=BASE_YEAR,
                                  detail=detail, factors=factors,
                                  sector_id=sector.pk if sector is not None else None)
    units = {f.group: f.base for f in factors}
    groups = {ENERGY: str(_("Energy (fuels and electricity)")),
              **dict(Item.objects.values_list("code", "name"))} if detail else {}
    out: list[SectorIndex] = []
    for each in sectors:
        found = sums.get(each.pk) or SectorSums()
        result = found.odex(base_year=BASE_YEAR, last_year=last_year)
        lmdi: dict[str, methods.Lmdi | None] = {}
        for group in sorted(found.groups):
            # activity and structure need one unit of output: only products of one kind
            lmdi[group] = methods.lmdi([o for o in found.observations if o.group == group],
                                       start=BASE_YEAR)
        out.append(SectorIndex(
            each, result, lmdi, {g: units.get(g, "") for g in lmdi},
            {g: groups.get(g, g) for g in lmdi},
            dict(sorted(found.enterprises.items(), key=lambda kv: kv[1])),
            found.energy, result.notes))
    return ConsumptionIndex(out, {} if sector is not None else _province(out, last_year),
                            notes)


def _detail_keys(sectors: list[Sector], last_year: int) -> dict[int, str | None]:
    """Per sector, the cache key of its detail: it holds the sector's generation
    (`SectorTotals`, raised in the transaction of every change that can move its
    figures), so a change shows at once. None while the summary's basis is stale or the
    sector has no totals row yet: computed, not kept."""
    _factors, current = summary_factors()
    generations = dict(SectorTotals.objects.filter(sector__in=sectors).values_list(
        "sector_id", "generation")) if current else {}
    return {s.pk: (f"progress:sector:{s.pk}:{generations[s.pk]}:{last_year}:{get_language()}"
                   if s.pk in generations else None) for s in sectors}


def _details_kept(plan: Plan, last_year: int, sectors: list[Sector]
                  ) -> dict[int, SectorIndex]:
    """These sectors' indices with their detail, by sector id, each kept by the process
    while unchanged (`_detail_keys`); those missing computed from the raw figures, one
    sector from its own figures alone, several in one pass."""
    keys = _detail_keys(sectors, last_year)
    kept = cache.get_many([k for k in keys.values() if k])
    found = {s.pk: kept[keys[s.pk]] for s in sectors if keys[s.pk] in kept}
    missing = [s for s in sectors if s.pk not in found]
    if missing:
        computed = sector_indices(plan=plan, last_year=last_year,
                                  sector=missing[0] if len(missing) == 1 else None).sectors
        found.update({s.sector.pk: s for s in computed if s.sector in missing})
        cache.set_many({keys[s.pk]: found[s.pk] for s in missing if keys[s.pk]},
                       timeout=DETAIL_KEPT)
    return found


def sector_index_detail(*, plan: Plan, last_year: int, sector: Sector) -> SectorIndex:
    """One sector's index with its LMDI and enterprises (its page), kept while the
    sector's data is unchanged: not recomputed from its raw figures (seconds for
    thousands of enterprises) at every view."""
    return _details_kept(plan, last_year, [sector])[sector.pk]


def sector_indices_kept(*, plan: Plan, last_year: int) -> ConsumptionIndex:
    """Every sector's index with its detail, as `sector_indices` gives it, each sector
    kept while unchanged, and the province index from the summary: the consolidated
    report, generated again and again near a deadline, recomputes only the sectors
    changed since."""
    lean = sector_indices(plan=plan, last_year=last_year, detail=False)
    sectors = [s.sector for s in lean.sectors]
    found = _details_kept(plan, last_year, sectors)
    return ConsumptionIndex([found[s.pk] for s in sectors], lean.province, lean.notes)


def _province(sectors: list[SectorIndex], last_year: int) -> dict[int, float | None]:
    years = range(BASE_YEAR + 1, last_year + 1)
    parts = []
    for s in sectors:
        if s.result.base_year is None:
            continue
        links = {y: link.value for y, link in s.result.links.items()}
        weights = {y: (s.energy.get(y - 1, 0.0) + s.energy.get(y, 0.0)) / 2 for y in years}
        parts.append((links, weights))
    if not parts:
        return {}
    return methods.chain(methods.weighted_links(parts, years), BASE_YEAR, last_year)


# ------------------------------------------------------------------ indicator elements


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


class Asked(NamedTuple):
    """Annual report requests by year: the number per unit kind, and (kind, code) of those
    to units that questions name by code."""

    by_kind: defaultdict[int, dict[str, int]]
    named: defaultdict[int, list[tuple[str, str]]]


class _Elements:
    """Values of formula elements by year, read once per request."""

    def __init__(self, plan: Plan, last_year: int) -> None:
        self.plan = plan
        self.last_year = last_year
        self._answers: dict[tuple[str, int], list[tuple[str, float, str, str]]] | None = None
        self.questions: set[str] = set()  # those the formulas read (set by the caller)
        self._requests: Asked | None = None
        self._elements = {e.code: e for e in DataElement.objects.filter(plan=plan)}
        self._consumption: ConsumptionIndex | None = None
        self._registry: dict[str, YearCounts] = {}

    # answers ---------------------------------------------------------------------
    def _load_answers(self) -> dict[tuple[str, int], list[tuple[str, float, str, str]]]:
        """Accepted annual answers to the questions the formulas read: one query, plain
        rows (unit name, value, link to the report)."""
        if self._answers is None:
            self._answers = defaultdict(list)
            # one reverse() for the pattern: period and unit codes are URL-safe slugs
            pattern = reverse("reporting:report", args=["PERIOD", "unit"])
            rows = DataValue.objects.filter(
                request__period__plan=self.plan, request__period__kind=ReportKind.ANNUAL,
                request__state=ReportState.ACCEPTED, element__code__in=self.questions,
                numeric__isnull=False, request__period__year__lte=self.last_year,
            ).values_list("element__code", "request__period__year", "request__period__code",
                          "request__org_unit__code", "request__org_unit__name", "numeric")
            for code, year, period, unit, name, numeric in rows:
                assert numeric is not None
                url = pattern.replace("/PERIOD/unit/", f"/{period}/{unit}/")
                self._answers[(code, year)].append((name, float(numeric), url,
                                                    f"report:{unit}"))
        return self._answers

    def _load_requests(self) -> Asked:
        """Who was asked for an annual report, by year, counted in the database: the
        number of requests per unit kind, and the requests to units a question names by
        code (a few). A request per unit and year is tens of thousands at national scale."""
        if self._requests is None:
            asked = Asked(defaultdict(dict), defaultdict(list))
            requests = ReportRequest.objects.filter(
                period__plan=self.plan, period__kind=ReportKind.ANNUAL,
                period__year__lte=self.last_year).order_by()
            for year, kind, n in requests.values_list("period__year", "org_unit__kind") \
                    .annotate(n=Count("pk")):
                asked.by_kind[year][kind] = n
            named = {c for code, e in self._elements.items() if code in self.questions
                     for c in (e.unit_codes or [])}
            if named:
                for year, kind, code in requests.filter(org_unit__code__in=named).values_list(
                        "period__year", "org_unit__kind", "org_unit__code"):
                    asked.named[year].append((kind, code))
            self._requests = asked
        return self._requests

    def value(self, element: Element, year: int) -> tuple[float | None, list[Source]]:
        f, arg = element.function, element.argument
        if f == "answer":
            rows = self._load_answers().get((arg, year), [])
            if not rows:
                return None, []
            return sum(r[1] for r in rows), [Source(r[0], r[2], r[3]) for r in rows]
        if f == "units_with":
            rows = self._load_answers().get((arg, year), [])
            if not rows:
                return None, []
            hits = [r for r in rows if r[1] > 0]
            return float(len(hits)), [Source(r[0], r[2], r[3]) for r in hits]
        if f == "units_asked":
            de = self._elements.get(arg)
            if de is None:
                return None, []
            requests = self._load_requests()
            by_kind = {kind: n for kind, n in requests.by_kind[year].items()
                       if kind in de.unit_kinds}
            named = [kind for kind, code in requests.named[year]
                     if code in de.unit_codes and kind not in de.unit_kinds]
            count = sum(by_kind.values()) + len(named)
            if not count:
                return None, []
            labels = dict(OrgUnitKind.choices)
            kinds = sorted(str(labels.get(kind, kind)) for kind in {*by_kind, *named})
            return float(count), [Source(", ".join(kinds) + f" ({year})",
                                         reverse("reporting:period", args=[str(year)]),
                                         "completeness")]
        if f == "registry":
            return self._registry_value(arg, year)
        if f == "consumption_index":
            index = self.consumption().province.get(year)
            return index, [Source(s.sector.name, reverse("progress:sector", args=[s.sector.code]))
                           for s in self.consumption().sectors if s.result.index.get(year)]
        return None, []

    def consumption(self) -> ConsumptionIndex:
        if self._consumption is None:
            self._consumption = sector_indices(plan=self.plan, last_year=self.last_year,
                                               detail=False)
        return self._consumption

    def label(self, element: Element) -> str:
        """What an element is, in the user's language (no codes on the pages)."""
        de = self._elements.get(element.argument)
        name = de.name if de is not None else element.argument
        f = element.function
        if f == "answer":
            return str(_("Reported: %(name)s")) % {"name": name}
        if f == "units_with":
            return str(_("Units reporting more than zero: %(name)s")) % {"name": name}
        if f == "units_asked":
            return str(_("Units asked: %(name)s")) % {"name": name}
        if f == "consumption_index":
            return str(_("Province consumption index (2020 = 100)"))
        return str(REGISTRY_LABELS.get(element.argument, element.argument))

    def _registry_value(self, measure: str, year: int) -> tuple[float | None, list[Source]]:
        """A registry count at the end of `year`; None while the registry is empty (nothing
        recorded is missing data, not zero)."""
        if year > self.last_year:
            return None, []
        counts = self._registry_counts(measure)
        if not counts.recorded or year not in counts.total:
            return None, []
        slug = REGISTRY_PAGES[measure]
        source = [Source(str(REGISTRY_LABELS[measure]), reverse("registry:list", args=[slug]),
                         "registry")]
        part = measure in ("areas-reached", "supermarkets-eco-packaging")
        return float((counts.reached if part else counts.total)[year]), source

    def _registry_counts(self, measure: str) -> YearCounts:
        """The measure's counts for every year to `last_year`: one query per registry (and
        per kind of model), whatever the years and the rows."""
        key = {"areas-reached": "areas", "supermarkets-eco-packaging": "supermarkets"}.get(
            measure, measure)
        if key not in self._registry:
            years = range(min(BASE_YEAR, self.plan.start_year), self.last_year + 1)
            if key == "areas":
                found = area_reach_by_year(years=years, since=dt.date(self.plan.start_year, 1, 1))
            elif key == "supermarkets":
                found = packaging_coverage_by_year(years=years)
            elif key in ("scp-models", "cleaner-production-models"):
                kind = ScpModelKind.SCP if key == "scp-models" else \
                    ScpModelKind.CLEANER_PRODUCTION
                found = open_by_year(model=ScpModel, years=years, among=Q(kind=kind))
            else:
                found = open_by_year(model=StEnterprise, years=years)
            self._registry[key] = found
        return self._registry[key]


REGISTRY_LABELS = {
    "areas": gettext_lazy("Zones, parks, clusters and villages open"),
    "areas-reached": gettext_lazy("Of which reached by SCP awareness since 2021"),
    "supermarkets": gettext_lazy("Supermarkets and commercial centres open"),
    "supermarkets-eco-packaging": gettext_lazy("Of which on eco-friendly packaging"),
    "scp-models": gettext_lazy("SCP models in the registry"),
    "cleaner-production-models": gettext_lazy("Cleaner-production models in the registry"),
    "st-enterprises": gettext_lazy("Certified S&T enterprises in the registry"),
}
REGISTRY_PAGES = {  # the registry list a measure counts
    "areas": "areas", "areas-reached": "areas",
    "supermarkets": "retailers", "supermarkets-eco-packaging": "retailers",
    "scp-models": "models", "cleaner-production-models": "models",
    "st-enterprises": "st-enterprises",
}


def _formula(text: str, plan_questions: set[str]) -> Formula | None:
    return formula_parse(text, questions=plan_questions) if text else None


def indicator_series(*, indicator: Indicator, elements: _Elements, years: Iterable[int]
                     ) -> list[Point]:
    questions = set(elements._elements)
    main = _formula(indicator.formula, questions)
    other = _formula(indicator.compare, questions)
    points = []
    for year in years:
        values: dict[Element, float | None] = {}
        sources: list[Source] = []
        parts: dict[str, float | None] = {}
        assert main is not None
        for element in main.elements:
            values[element], found = elements.value(element, year)
            parts[elements.label(element)] = values[element]
            sources.extend(f for f in found if f not in sources)
        compare = None
        if other is not None:
            other_values = {}
            for element in other.elements:
                other_values[element], _found = elements.value(element, year)
                parts[elements.label(element)] = other_values[element]
            compare = other.evaluate(other_values)
        points.append(Point(year, main.evaluate(values), compare, parts, sources))
    return points


# ------------------------------------------------------------------ statuses


def _today() -> dt.date:
    return timezone.localdate()


def _status_of(target: Target, indicator: Indicator | None, points: list[Point], period: int,
               assessments: dict[int, Assessment]) -> TargetStatus:
    end_year = target.milestone.end_year
    past = end_year < _today().year and end_year <= period
    if target.kind == TargetKind.QUALITATIVE:
        found = assessments.get(target.pk)
        return TargetStatus(target, period, found.status if found else methods.NOT_ENOUGH_DATA,
                            "", assessment=found, past=past)
    minimum = float(target.minimum_value) if target.minimum_value is not None else None
    stretch = float(target.stretch_value) if target.stretch_value is not None else None
    known = [p for p in points if p.value is not None and p.year <= period]
    status = TargetStatus(target, period, methods.NOT_ENOUGH_DATA, target.unit, series=points,
                          minimum=minimum, stretch=stretch, indicator=indicator, past=past)
    if not known or minimum is None:
        return status
    baseline = next((p for p in known if p.year == target.baseline_year), None) \
        if target.baseline_year else known[0]
    # a past milestone is judged on its own year's value
    current = next((p for p in known if p.year == end_year), None) if past else known[-1]
    status.baseline, status.current = baseline, current
    decrease = target.direction == "decrease"

    def level(v: float) -> float:
        return 100.0 - v if decrease else v

    result = methods.target_status(
        baseline=(baseline.year, level(baseline.value)) if baseline and baseline.value is not None
        else None,
        current=(current.year, level(current.value)) if current and current.value is not None
        else None,
        target=level(minimum), target_year=end_year,
        direction=methods.DECREASE if decrease else methods.INCREASE, past=past,
        bounds=(0.0, 100.0) if target.unit == "percent" else None)
    status.status = result.status
    status.share_covered, status.ratio = result.share_covered, result.ratio
    status.observed_rate, status.required_rate = result.observed_rate, result.required_rate
    status.method = result.method
    status.projections = {y: level(v) for y, v in result.projections.items()}
    return status


def _latest_assessments(plan: Plan, period: int) -> dict[int, Assessment]:
    out: dict[int, Assessment] = {}
    for a in Assessment.objects.filter(target__plan=plan, year__lte=period).order_by(
            "target_id", "year", "assessed_at").select_related("assessed_by"):
        out[a.target_id] = a
    return out


def progress_for_period(*, period: int, plan: Plan | None = None) -> list[TargetStatus]:
    """Every target's status for the year `period`: value, baseline, target band, progress
    ratio, projection and sources. The consolidated report calls this."""
    plan = plan or plan_current()
    if plan is None:
        return []
    targets = list(Target.objects.filter(plan=plan).select_related("milestone")
                   .order_by("order"))
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    elements = _Elements(plan, period)
    questions = set(elements._elements)
    for declared in indicators.values():
        for text in (declared.formula, declared.compare):
            formula = _formula(text, questions)
            if formula is not None:
                elements.questions.update(e.argument for e in formula.elements
                                          if e.function in ("answer", "units_with"))
    years = range(BASE_YEAR, period + 1)
    series: dict[str, list[Point]] = {}
    assessments = _latest_assessments(plan, period)
    out = []
    for target in targets:
        indicator = indicators.get(target.indicator)
        if indicator is not None and indicator.code not in series:
            series[indicator.code] = indicator_series(indicator=indicator, elements=elements,
                                                      years=years)
        points = series.get(indicator.code, []) if indicator is not None else []
        out.append(_status_of(target, indicator, points, period, assessments))
    return out


def target_progress(*, target: Target, period: int) -> TargetStatus:
    """One target with its whole series (the target page)."""
    for status in progress_for_period(period=period, plan=target.plan):
        if status.target.pk == target.pk:
            return status
    raise LookupError(target.code)


def assessments_of(*, target: Target) -> list[Assessment]:
    return list(Assessment.objects.filter(target=target).select_related("assessed_by")
                .order_by("-year", "-assessed_at"))


def default_period() -> int:
    """The latest year whose annual report is due: last year until mid-December."""
    today = _today()
    return today.year if (today.month, today.day) >= (12, 15) else today.year - 1


def sector_get(*, plan: Plan, code: str) -> Sector | None:
    return plan.sectors.filter(Q(code=code)).first()


def period_check(*, period: Any, plan: Plan | None) -> int:
    """The year asked for, or ValidationError naming `period` (in the user's language)."""
    from django.core.exceptions import ValidationError

    first, last = BASE_YEAR, (plan.end_year if plan else 2030)
    text = str(period if period is not None else "").strip()
    message = _("Enter a year from %(first)s to %(last)s, e.g. 2025.") % {
        "first": first, "last": last}
    if not text.isdigit() or int(text) < first:
        raise ValidationError({"period": [message]})
    if int(text) > last:  # the loaded plan's last year: stored data
        raise ValidationError({"period": [state_error(message)]})
    return int(text)


def _num(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def progress_rows(*, statuses: list[TargetStatus]) -> list[dict[str, Any]]:
    """Statuses as plain data for the API and the command: numbers as numbers."""
    rows = []
    for s in statuses:
        t = s.target
        rows.append({
            "code": t.code, "ref": t.ref, "milestone": t.milestone.code,
            "milestone_year": t.milestone.end_year, "kind": t.kind, "unit": s.unit,
            "direction": t.direction or None, "period": s.period,
            "value": _num(s.current.value) if s.current else None,
            "value_year": s.current.year if s.current else None,
            "compare": _num(s.current.compare) if s.current else None,
            "baseline": _num(s.baseline.value) if s.baseline else None,
            "baseline_year": s.baseline.year if s.baseline else None,
            "minimum": s.minimum, "stretch": s.stretch,
            "share_covered": _num(s.share_covered), "progress_ratio": _num(s.ratio),
            "observed_rate": _num(s.observed_rate, 6), "required_rate": _num(s.required_rate, 6),
            "rate_method": s.method or None,
            "projection": {str(y): _num(v) for y, v in s.projections.items()},
            "status": s.status, "milestone_past": s.past,
            "assessment": None if s.assessment is None else {
                "year": s.assessment.year, "status": s.assessment.status,
                "justification": s.assessment.justification},
            "indicator": s.indicator.code if s.indicator else None,
            "formula": s.indicator.formula if s.indicator else None,
            "sources": [{"label": src.label, "url": src.url} for src in s.sources],
        })
    return rows
