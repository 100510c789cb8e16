"""The statistics behind the progress pages, in plain Python (no Django): the ODEX-style
consumption index, the LMDI decomposition (Ang) and the target status (the UN Statistics
Division progress-chart / Open SDG progress measure). The dashboard, the API, the
`scp-monitor index compute` and `progress` commands and the benchmark all call these
functions, so an auditor who reruns the command gets the dashboard's numbers.
The method, its choices and sources: docs/progress-method.md.

Vocabulary. An *observation* is one elementary series in one year: the output of one
product and the consumption attributed to it, for one enterprise (`unit`) and one group of
commensurable inputs (`group`: "energy" in toe, or one material in its base unit). The
series key is (unit, product, group)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

INCREASE, DECREASE = "increase", "decrease"

# Status codes (shown in Vietnamese by the pages).
ACHIEVED = "achieved"
NOT_ACHIEVED = "not_achieved"  # a milestone whose year is past, target not reached
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NOT_ENOUGH_DATA = "not_enough_data"
STATUSES = (ACHIEVED, ON_TRACK, AT_RISK, OFF_TRACK, NOT_ACHIEVED, NOT_ENOUGH_DATA)

# Thresholds on the ratio of observed to required growth (Open SDG's defaults, from the
# UNSD SDG progress chart): at least 0.95 on track; 0.5 up to 0.95 at risk ("fair progress,
# acceleration needed"); below 0.5, including moving away from the target, off track.
ON_TRACK_RATIO = 0.95
AT_RISK_RATIO = 0.5


@dataclass(frozen=True)
class Observation:
    year: int
    product: str
    output: float
    consumption: float
    unit: str = ""
    group: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit, self.product, self.group)


# How a record's inputs entered for no product are shared (registry.models.Allocation)
ALLOCATE_PRINCIPAL, ALLOCATE_OUTPUT = "principal", "output"


def attribute(*, outputs: Mapping[str, float], shared: Mapping[str, float],
              per_product: Mapping[str, Mapping[str, float]], rule: str,
              principal: str = "") -> tuple[dict[str, dict[str, float]], bool]:
    """One record's consumption per product and group of inputs. Inputs entered for a
    product are that product's; inputs entered for none (`shared`, by group) go whole to
    the only product, or by the record's `rule`: all to the `principal` product, or in
    proportion to output (`outputs`, in base units). A principal product the record does
    not report falls back to output shares; the second value then says so (a note).
    Every product of a record shared by output gets its share, zero included, so a
    product with zero output is noted where the index leaves it out."""
    fallback = False
    if not shared or not outputs:
        shares: dict[str, float] = {}
    elif len(outputs) == 1:
        shares = {next(iter(outputs)): 1.0}
    elif rule == ALLOCATE_PRINCIPAL and principal in outputs:
        shares = {principal: 1.0}
    else:
        fallback = rule == ALLOCATE_PRINCIPAL
        total = sum(outputs.values())
        shares = {p: (q / total if total else 0.0) for p, q in outputs.items()}
    out: dict[str, dict[str, float]] = {}
    for product, share in shares.items():
        out[product] = {group: quantity * share for group, quantity in shared.items()}
    for product, groups in per_product.items():
        mine = out.setdefault(product, {})
        for group, quantity in groups.items():
            mine[group] = mine.get(group, 0.0) + quantity
    return out, fallback


@dataclass
class Link:
    """One year-on-year step of the chain: its index (previous year = 1), the series and
    enterprises it rests on, and what was left out."""

    year: int
    value: float | None
    series: int = 0
    units: int = 0
    groups: dict[str, float] = field(default_factory=dict)


@dataclass
class OdexResult:
    base_year: int | None
    index: dict[int, float | None]  # year -> index, base year = 100
    links: dict[int, Link]
    notes: list[str]


def _collect(observations: Iterable[Observation]) -> dict[int, dict[tuple, Observation]]:
    by_year: dict[int, dict[tuple, Observation]] = defaultdict(dict)
    for ob in observations:
        prior = by_year[ob.year].get(ob.key)
        if prior is not None:  # the same series twice in a year: add them up
            ob = Observation(ob.year, ob.product, prior.output + ob.output,
                             prior.consumption + ob.consumption, ob.unit, ob.group)
        by_year[ob.year][ob.key] = ob
    return by_year


def odex_link(before: Mapping[tuple, Observation], after: Mapping[tuple, Observation],
              year: int, notes: list[str]) -> Link:
    """The index of year `year` on the year before: within each group, the weighted mean
    of the series' specific-consumption ratios, weighted by the series' share of the
    group's consumption (mean of the two years' shares); across groups, the plain mean.
    Only enterprises present in both years and series with positive output in both years
    (and consumption in the earlier one) enter."""
    units_before = {k[0] for k in before}
    units_after = {k[0] for k in after}
    panel = units_before & units_after
    ratios: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for key in sorted(before.keys() & after.keys()):
        if key[0] not in panel:
            continue
        a, b = before[key], after[key]
        label = "/".join(p for p in key if p)
        if a.output <= 0 or b.output <= 0:
            notes.append(f"{year}: {label} left out of the link: zero output")
            continue
        if a.consumption <= 0:
            notes.append(f"{year}: {label} left out of the link: no consumption in {year - 1}")
            continue
        ratio = (b.consumption / b.output) / (a.consumption / a.output)
        ratios[key[2]].append((ratio, a.consumption, b.consumption))
    sums = {group: LinkSums(sum(r[0] * r[1] for r in rows), sum(r[0] * r[2] for r in rows),
                            sum(r[1] for r in rows), sum(r[2] for r in rows), len(rows))
            for group, rows in ratios.items()}
    used = {k[0] for k in before.keys() & after.keys() if k[0] in panel}
    return link_from_sums(year, sums, len(used))


@dataclass(frozen=True)
class LinkSums:
    """One group's sums over its series s in a link (r_s the series' ratio of specific
    consumption): Σ C_s(t-1)·r_s, Σ C_s(t)·r_s, Σ C_s(t-1), Σ C_s(t), and the count."""

    before_weighted: float
    after_weighted: float
    before_total: float
    after_total: float
    series: int


def link_from_sums(year: int, sums: Mapping[str, LinkSums], units: int) -> Link:
    """A link from its groups' sums (the plain mean of the group links), however the sums
    were computed: here from observations, or in the database (`progress.consumption`)."""
    groups = {group: group_link(before_weighted=s.before_weighted,
                                after_weighted=s.after_weighted,
                                before_total=s.before_total, after_total=s.after_total)
              for group, s in sorted(sums.items()) if s.series}
    if not groups:
        return Link(year, None)
    value = sum(groups.values()) / len(groups)
    return Link(year, value, sum(s.series for s in sums.values()), units, groups)


def group_link(*, before_weighted: float, after_weighted: float, before_total: float,
               after_total: float) -> float:
    """A group's link from four sums over its series s (r_s the series' link):
    Σ C_s(t-1)·r_s, Σ C_s(t)·r_s, Σ C_s(t-1), Σ C_s(t). With weights the mean of the two
    years' consumption shares this is (Σ C(t-1)r / C(t-1) + Σ C(t)r / C(t)) / 2, so a
    database can compute the sums (the benchmark does) and this function the rest."""
    if after_total <= 0:
        return before_weighted / before_total
    return (before_weighted / before_total + after_weighted / after_total) / 2.0


def odex(observations: Iterable[Observation], *, base_year: int | None = None,
         last_year: int | None = None) -> OdexResult:
    """Chain-linked index of specific consumption, base year = 100. Without `base_year`
    the first year of the data is the base; with one, data must exist in that year or
    there is no index. A year whose link cannot be computed ends the chain (later years
    have no index rather than a made-up one)."""
    by_year = _collect(observations)

    def link_of(year: int, notes: list[str]) -> Link:
        return odex_link(by_year.get(year - 1, {}), by_year.get(year, {}), year, notes)

    return odex_chain(set(by_year), link_of, base_year=base_year, last_year=last_year)


def odex_chain(years_with_data: set[int], link_of: Callable[[int, list[str]], Link], *,
               base_year: int | None = None, last_year: int | None = None) -> OdexResult:
    """Chain the links `link_of(year, notes)` (which appends its notes) from the base year:
    the rules of `odex` for any source of links."""
    notes: list[str] = []
    if not years_with_data:
        return OdexResult(None, {}, {}, ["no data"])
    years = sorted(years_with_data)
    base = years[0] if base_year is None else base_year
    if base not in years_with_data:
        return OdexResult(None, {}, {}, [f"no data in the base year {base}"])
    end = years[-1] if last_year is None else last_year
    index: dict[int, float | None] = {base: 100.0}
    links: dict[int, Link] = {}
    level: float | None = 100.0
    for year in range(base + 1, end + 1):
        if level is None:
            index[year] = None
            continue
        link = link_of(year, notes)
        links[year] = link
        if link.value is None:
            notes.append(f"{year}: no series present in both {year - 1} and {year}; "
                         "the chain stops")
            level = None
        else:
            level = level * link.value
        index[year] = level
    return OdexResult(base, index, links, notes)


def chain(links: Mapping[int, float | None], base_year: int, last_year: int
          ) -> dict[int, float | None]:
    """Chain year-on-year links into an index with the base year at 100."""
    out: dict[int, float | None] = {base_year: 100.0}
    level: float | None = 100.0
    for year in range(base_year + 1, last_year + 1):
        link = links.get(year)
        level = None if level is None or link is None else level * link
        out[year] = level
    return out


def weighted_links(parts: Iterable[tuple[Mapping[int, float | None], Mapping[int, float]]],
                   years: Iterable[int]) -> dict[int, float | None]:
    """Combine the links of several indices (e.g. sectors into the province): each part
    gives its links and its weight per year; a year's link is the weighted mean of the
    parts that have a link that year (None if none has)."""
    parts = list(parts)
    out: dict[int, float | None] = {}
    for year in years:
        pairs: list[tuple[float, float]] = []
        for links, weights in parts:
            link, weight = links.get(year), weights.get(year, 0.0)
            if link is not None and weight > 0:
                pairs.append((weight, link))
        total = sum(p[0] for p in pairs)
        out[year] = sum(p[0] * p[1] for p in pairs) / total if total > 0 else None
    return out


# ------------------------------------------------------------------ LMDI (Ang)


def _logmean(a: float, b: float) -> float:
    """The logarithmic mean; equal (or float-indistinguishable) values give the value."""
    gap = math.log(a) - math.log(b)
    if a == b or gap == 0.0:
        return a
    return (a - b) / gap


@dataclass
class Lmdi:
    start: int
    end: int
    additive: dict[str, float]
    multiplicative: dict[str, float]
    series: int
    notes: list[str]


def lmdi(observations: Iterable[Observation], *, start: int | None = None,
         end: int | None = None) -> Lmdi | None:
    """LMDI-I (Ang 2004/2015) of the change in consumption from `start` to `end` (default:
    first and last year) into activity (total output), structure (product shares of
    output) and intensity (consumption per unit of output):
    C = sum_i Q * S_i * I_i. Additive effects sum to C_end - C_start; multiplicative ones
    multiply to C_end / C_start. Series enter when present with positive output and
    consumption in both years (and, with enterprises, the enterprise in both years);
    outputs must be in one unit for activity and structure to mean anything."""
    by_year = _collect(observations)
    if not by_year:
        return None
    years = sorted(by_year)
    t0 = years[0] if start is None else start
    t1 = years[-1] if end is None else end
    if t0 not in by_year or t1 not in by_year or t0 == t1:
        return None
    a, b = by_year[t0], by_year[t1]
    panel = {k[0] for k in a} & {k[0] for k in b}
    notes: list[str] = []
    keys = []
    for key in sorted(a.keys() & b.keys()):
        if key[0] not in panel:
            continue
        if min(a[key].output, b[key].output, a[key].consumption, b[key].consumption) <= 0:
            notes.append(f"{'/'.join(p for p in key if p)} left out: zero output or "
                         "consumption in one of the two years")
            continue
        keys.append(key)
    if not keys:
        return None
    q0 = sum(a[k].output for k in keys)
    q1 = sum(b[k].output for k in keys)
    c0 = sum(a[k].consumption for k in keys)
    c1 = sum(b[k].consumption for k in keys)
    act = struct = inten = 0.0
    for k in keys:
        w = _logmean(b[k].consumption, a[k].consumption)
        s0, s1 = a[k].output / q0, b[k].output / q1
        i0, i1 = a[k].consumption / a[k].output, b[k].consumption / b[k].output
        act += w * math.log(q1 / q0)
        struct += w * math.log(s1 / s0)
        inten += w * math.log(i1 / i0)
    total_w = _logmean(c1, c0)
    additive = {"activity": act, "structure": struct, "intensity": inten, "total": c1 - c0}
    multiplicative = {"activity": math.exp(act / total_w), "structure": math.exp(struct / total_w),
                      "intensity": math.exp(inten / total_w), "total": c1 / c0}
    return Lmdi(t0, t1, additive, multiplicative, len(keys), notes)


# ------------------------------------------------------------------ target status


@dataclass
class Status:
    """Where a quantitative target stands, computed on levels (for "decrease by X%"
    targets the level is the consumption index, 100 in the base year)."""

    status: str
    share_covered: float | None = None
    observed_rate: float | None = None
    required_rate: float | None = None
    ratio: float | None = None
    method: str = ""  # "cagr" or "linear"
    projections: dict[int, float] = field(default_factory=dict)


def _met(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == DECREASE else value >= target


def target_status(*, baseline: tuple[int, float] | None, current: tuple[int, float] | None,
                  target: float, target_year: int, direction: str, past: bool,
                  horizons: Iterable[int] = (2025, 2030),
                  bounds: tuple[float, float] | None = None) -> Status:
    """Status of one target from its baseline (year, level) and its latest (year, level).

    - achieved: the latest level meets the (minimum) target;
    - the target year is `past` and it was not met: not achieved;
    - otherwise the ratio of the observed to the required rate of change decides:
      >= 0.95 on track, 0.5-0.95 at risk, < 0.5 off track (UNSD progress chart).
    Rates are compound annual growth rates when baseline, latest and target are all
    positive, else average yearly changes (linear). Projections extend the observed rate
    from the latest year; `bounds` clamps them (0-100 for shares)."""
    if current is None:
        return Status(NOT_ENOUGH_DATA)
    if baseline is None or current[0] <= baseline[0]:
        if _met(current[1], target, direction):
            return Status(ACHIEVED)
        return Status(NOT_ACHIEVED if past else NOT_ENOUGH_DATA)
    (t0, x0), (t1, x1) = baseline, current
    way = target - x0
    share = (x1 - x0) / way if way else None
    if x0 > 0 and x1 > 0 and target > 0:
        method = "cagr"
        observed = (x1 / x0) ** (1.0 / (t1 - t0)) - 1.0
        required = ((target / x0) ** (1.0 / (target_year - t0)) - 1.0
                    if target_year > t0 else 0.0)
    else:
        method = "linear"
        observed = (x1 - x0) / (t1 - t0)
        required = (target - x0) / (target_year - t0) if target_year > t0 else 0.0
    ratio = observed / required if required else None
    projections = {}
    for year in horizons:
        if method == "cagr":
            value = x1 * (1.0 + observed) ** (year - t1)
        else:
            value = x1 + observed * (year - t1)
        if bounds is not None:
            value = min(max(value, bounds[0]), bounds[1])
        projections[year] = value
    if _met(x1, target, direction):
        code = ACHIEVED
    elif past:
        code = NOT_ACHIEVED
    elif ratio is None:
        code = NOT_ENOUGH_DATA
    elif ratio >= ON_TRACK_RATIO:
        code = ON_TRACK
    elif ratio >= AT_RISK_RATIO:
        code = AT_RISK
    else:
        code = OFF_TRACK
    return Status(code, share, observed, required, ratio, method, projections)


def index_report(observations: Iterable[Observation]) -> dict:
    """What `scp-monitor index compute` prints: the ODEX series (first year = 100) and the
    LMDI decomposition from the first to the last year, rounded for reading."""
    observations = list(observations)
    result = odex(observations)
    decomposition = lmdi(observations)
    return {
        "odex": {str(y): (None if v is None else round(v, 4)) for y, v in result.index.items()},
        "lmdi": None if decomposition is None else {
            "from": decomposition.start, "to": decomposition.end,
            "additive": {k: round(v, 6) for k, v in decomposition.additive.items()},
            "multiplicative": {k: round(v, 6) for k, v in decomposition.multiplicative.items()},
        },
        "notes": result.notes + ([] if decomposition is None else decomposition.notes),
    }
