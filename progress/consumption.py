"""The sector consumption index computed where the figures are: one SQL aggregate turns the
accepted consumption lines (millions at national scale) into the sums each year-on-year
link needs, per sector, group of inputs and year (a few hundred rows), and
`progress.methods` combines and chains them in Python. The rules are those of
`methods.odex` over observations from `methods.attribute` (the plain-Python reference the
tests compare with: `progress/tests/reference.py`): unit conversion through the unit
table, inputs attributed to products as entered or by the record's allocation rule
(principal product or output), only accepted whole-year records
(`registry.selectors.records_accepted`), only series present in both years of a
link. The method: docs/progress-method.md, section 3.

`link_sums_sql(observations, groups)` is the part shared with the benchmark, which feeds it the
national synthetic table instead of the registry's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from plans.models import Plan
from progress import methods
from registry.conversion import UnitTable
from registry.models import ItemRole
from registry.selectors import records_accepted

ENERGY = "energy"

# A series left out of a link: why (the note `methods.odex_link` writes).
ZERO_OUTPUT, NO_CONSUMPTION = 0, 1


@dataclass(frozen=True)
class Factor:
    """How one (item, unit) pair enters the index: an output of product `group`, or an
    input of group `group` (ENERGY or a material's code), times `factor` into the group's
    base unit `base`."""

    item_id: int
    unit_id: int
    item: str
    group: str
    factor: float
    base: str
    output: bool


def factors_of(table: UnitTable) -> list[Factor]:
    """Fuels and electricity to toe; products and materials to their kind's base unit."""
    out: list[Factor] = []
    for code, item in table.items.items():
        for info in table.by_pk.values():
            if item.role == ItemRole.FUEL:
                if info.kind not in table.toe.get(code, {}):
                    continue
                toe = table.to_toe(item=code, value=Decimal(1), unit=info)
                if toe is not None:
                    out.append(Factor(item.pk, info.pk, code, ENERGY, float(toe), "toe", False))
            elif info.kind in table.item_kinds.get(code, set()):
                base = table.kinds[info.kind].base_unit
                out.append(Factor(item.pk, info.pk, code, code, float(info.factor), base,
                                  item.role == ItemRole.PRODUCT))
    return out


def link_sums_sql(observations: str, groups: int) -> str:
    """From `observations` (a query with columns scope, ent, product, year, q, c0 ..
    c{groups-1}: one row per product-year of an enterprise, q its output, c<k> the
    consumption of group k attributed to it, NULL where the enterprise has no series of
    that group), rows of (kind, scope, grp, year, ent, product, a, b, ta, tb, n), grp the
    group's number:

    - kind 'link': one group's link sums in `scope` and `year` on the year before
      (`methods.LinkSums`: Σ C(t-1)·r, Σ C(t)·r, Σ C(t-1), Σ C(t), count);
    - kind 'units': the enterprises with a series in both years (n);
    - kind 'note': a series present in both years but left out (n: ZERO_OUTPUT or
      NO_CONSUMPTION);
    - kind 'year': a year in which the scope has data.

    Counts are in the last column, sums in a, b, ta and tb.

    The groups are columns, not rows, so that the one sort (the window that reads each
    product's previous year) and the one pass of sums run over a row per product-year
    rather than per product-year and group; the link rows are unfolded from the few
    sums per scope and year."""
    ks = range(groups)
    lags = ", ".join(f"c{k}, LAG(c{k}) OVER w AS pc{k}" for k in ks)
    both = " OR ".join(f"(c{k} IS NOT NULL AND pc{k} IS NOT NULL)" for k in ks)
    # per group: the ratio, and the two consumptions, only where the series is in the link
    valid = [f"py = year - 1 AND pq > 0 AND q > 0 AND c{k} IS NOT NULL AND pc{k} > 0"
             for k in ks]
    kept = ", ".join(
        f"CASE WHEN {valid[k]} THEN (c{k} / q) / (pc{k} / pq) END AS r{k}, "
        f"CASE WHEN {valid[k]} THEN pc{k} END AS kb{k}, "
        f"CASE WHEN {valid[k]} THEN c{k} END AS ka{k}" for k in ks)
    sums = ", ".join(
        f"SUM(r{k} * kb{k}) AS a{k}, SUM(r{k} * ka{k}) AS b{k}, SUM(kb{k}) AS ta{k}, "
        f"SUM(ka{k}) AS tb{k}, COUNT(ka{k}) AS n{k}" for k in ks)
    numbers = " UNION ALL ".join(f"SELECT {k} AS grp" for k in ks)

    def pick(column: str) -> str:  # group g.grp's column
        return "CASE g.grp " + " ".join(f"WHEN {k} THEN {column}{k}" for k in ks) + " END"

    left_out = " OR ".join(f"pc{k} <= 0" for k in ks)
    return f"""
    lagged AS (
      SELECT scope, ent, product, year, q, LAG(year) OVER w AS py, LAG(q) OVER w AS pq,
             {lags}
      FROM ({observations}) obs WINDOW w AS (PARTITION BY ent, product ORDER BY year)),
    linked AS (
      SELECT scope, year, {sums} FROM (SELECT scope, year, {kept} FROM lagged) kept
      GROUP BY scope, year),
    units AS (
      SELECT scope, year, COUNT(*) AS n
      FROM (SELECT DISTINCT scope, year, ent FROM lagged
            WHERE py = year - 1 AND ({both})) linked_units
      GROUP BY scope, year)
    SELECT 'link', scope, grp, year, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), a, b, ta, tb, n
      FROM (SELECT scope, g.grp, year, {pick("a")} AS a, {pick("b")} AS b, {pick("ta")} AS ta,
                   {pick("tb")} AS tb, {pick("n")} AS n
            FROM linked CROSS JOIN ({numbers}) g) unfolded
      WHERE n > 0
    UNION ALL
    SELECT 'units', scope, NULL, year, NULL, NULL, NULL, NULL, NULL, NULL, n FROM units
    UNION ALL
    SELECT 'year', scope, NULL, year, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM linked
    UNION ALL
    SELECT 'note', scope, grp, year, ent, product, NULL, NULL, NULL, NULL,
           CASE WHEN pq <= 0 OR q <= 0 THEN {ZERO_OUTPUT} ELSE {NO_CONSUMPTION} END
      FROM (SELECT scope, g.grp, year, ent, CAST(product AS TEXT) AS product, q, pq,
                   {pick("c")} AS c, {pick("pc")} AS pc
            FROM lagged CROSS JOIN ({numbers}) g
            WHERE py = year - 1 AND (pq <= 0 OR q <= 0 OR {left_out})) pairs
      WHERE c IS NOT NULL AND pc IS NOT NULL AND NOT (pq > 0 AND q > 0 AND pc > 0)"""


@dataclass
class SectorSums:
    """What the database returns for one sector: its links' sums by year and group, the
    enterprises in each link, the series left out, the years with data, energy (toe) by
    year, and (with detail) the enterprises and the observations of the LMDI years."""

    links: dict[int, dict[str, methods.LinkSums]] = field(
        default_factory=lambda: defaultdict(dict))
    units: dict[int, int] = field(default_factory=dict)
    left_out: dict[int, list[tuple[str, str, str, int]]] = field(
        default_factory=lambda: defaultdict(list))
    years: set[int] = field(default_factory=set)
    energy: dict[int, float] = field(default_factory=dict)
    groups: set[str] = field(default_factory=set)
    enterprises: dict[int, str] = field(default_factory=dict)
    observations: list[methods.Observation] = field(default_factory=list)

    def link(self, year: int, notes: list[str]) -> methods.Link:
        """The link of `year`, with the notes `methods.odex_link` would write."""
        for unit, product, group, reason in sorted(self.left_out.get(year, [])):
            label = "/".join(p for p in (unit, product, group) if p)
            notes.append(f"{year}: {label} left out of the link: zero output"
                         if reason == ZERO_OUTPUT else
                         f"{year}: {label} left out of the link: no consumption in {year - 1}")
        return methods.link_from_sums(year, self.links.get(year, {}), self.units.get(year, 0))

    def odex(self, *, base_year: int, last_year: int) -> methods.OdexResult:
        return methods.odex_chain(self.years, self.link, base_year=base_year,
                                  last_year=last_year)


def registry_sql(factors: Sequence[Factor], records: str) -> str:
    """CTEs over the registry's whole-year records chosen by `records` (a condition on
    `r`, the record, `e` its enterprise and `s` its sector; its params follow the
    factors'): `line` (each line converted), `produced` (outputs, with the record's count,
    total and whether the principal product is among them), `used` (inputs per record,
    product they were entered for, if any, and group), `attributed` (the series-years:
    `methods.attribute`'s rule) and `fallback` (records whose principal product is not
    among their outputs, shared by output instead)."""
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(factors))
    whole = "p.n = 1 OR (p.rule = 'principal' AND p.main = 1)"
    return f"""
    factor(item_id, unit_id, grp, factor, is_output) AS (VALUES {values}),
    rec AS (
      SELECT r.id AS rid, r.enterprise_id AS ent, r.year AS year, e.sector_id AS scope,
             s.principal_product AS principal, r.allocation AS rule
      FROM registry_consumptionrecord r
      JOIN registry_enterprise e ON e.id = r.enterprise_id
      JOIN plans_sector s ON s.id = e.sector_id
      WHERE r.period = 'year' AND {records}),
    line AS (
      SELECT rec.rid, rec.ent, rec.year, rec.scope, rec.principal, rec.rule, f.grp,
             f.is_output, dest.code AS dest,
             CAST(l.quantity AS DOUBLE PRECISION) * f.factor AS v
      FROM rec JOIN registry_consumptionline l ON l.record_id = rec.rid
      JOIN factor f ON f.item_id = l.item_id AND f.unit_id = l.unit_id
      LEFT JOIN registry_item dest ON dest.id = l.product_id),
    produced AS (
      SELECT rid, grp AS product, v AS q, principal, rule,
             COUNT(*) OVER (PARTITION BY rid) AS n, SUM(v) OVER (PARTITION BY rid) AS total,
             MAX(CASE WHEN grp = principal THEN 1 ELSE 0 END) OVER (PARTITION BY rid) AS main
      FROM line WHERE is_output),
    used AS (
      SELECT rid, ent, year, scope, dest, grp, SUM(v) AS c FROM line WHERE NOT is_output
      GROUP BY rid, ent, year, scope, dest, grp),
    parts AS (
      SELECT u.scope, u.ent, u.rid, p.product, u.grp, u.year,
             CASE WHEN {whole} THEN u.c * 1.0
                  WHEN p.total <> 0 THEN u.c * (p.q / p.total) ELSE u.c * 0.0 END AS c
      FROM used u JOIN produced p ON p.rid = u.rid
      WHERE u.dest IS NULL AND (NOT ({whole}) OR p.n = 1 OR p.product = p.principal)
      UNION ALL
      SELECT u.scope, u.ent, u.rid, u.dest, u.grp, u.year, u.c FROM used u
      WHERE u.dest IS NOT NULL AND u.rid IN (SELECT rid FROM produced)),
    attributed AS (
      SELECT a.scope, a.ent, a.rid, a.product, a.grp, a.year, COALESCE(p.q, 0.0) AS q,
             SUM(a.c) AS c
      FROM parts a LEFT JOIN produced p ON p.rid = a.rid AND p.product = a.product
      GROUP BY a.scope, a.ent, a.rid, a.product, a.grp, a.year, p.q),
    fallback AS (
      SELECT DISTINCT p.rid FROM produced p JOIN used u ON u.rid = p.rid AND u.dest IS NULL
      WHERE p.rule = 'principal' AND p.n > 1 AND p.main = 0)"""


def input_groups(factors: Sequence[Factor]) -> list[str]:
    """The groups of inputs, in the order of `link_sums_sql`'s columns."""
    return sorted({f.group for f in factors if not f.output})


def attributed_by_group(groups: Sequence[str]) -> str:
    """`registry_sql`'s series-years with the groups as columns, as `link_sums_sql` reads
    them (the groups' names are parameters, in `groups`' order)."""
    columns = ", ".join(f"SUM(c) FILTER (WHERE grp = %s) AS c{k}" for k in range(len(groups)))
    return (f"SELECT scope, ent, product, year, MIN(q) AS q, {columns} FROM attributed "
            "GROUP BY scope, ent, product, year")


def fallback_note(ent: int, year: int) -> str:
    return (f"enterprise {ent}, {year}: the principal product is not among the outputs; "
            "shared by output")


def unconverted_sql(factors: Sequence[Factor], records: str) -> str:
    """(record id, item code) of the lines of the records chosen by `records` (as in
    `registry_sql`) that the unit table cannot convert."""
    values = ", ".join(["(%s, %s)"] * len(factors))
    return (f"WITH factor(item_id, unit_id) AS (VALUES {values}) "
            "SELECT DISTINCT r.id, i.code FROM registry_consumptionline l "
            "JOIN registry_consumptionrecord r ON r.id = l.record_id "
            "JOIN registry_enterprise e ON e.id = r.enterprise_id "
            "JOIN plans_sector s ON s.id = e.sector_id "
            "JOIN registry_item i ON i.id = l.item_id "
            "LEFT JOIN factor f ON f.item_id = l.item_id AND f.unit_id = l.unit_id "
            f"WHERE f.item_id IS NULL AND r.period = 'year' AND {records}")


@contextmanager
def aggregate_cursor(*, many: bool = True) -> Iterator[Any]:
    """A cursor for the aggregates over the raw figures. On PostgreSQL, over `many`
    records, in a transaction of its own: hash joins rather than nested loops (the
    planner cannot estimate the CTEs' sizes, and a nested loop between two of them is
    quadratic), memory enough to sort a province's series without spilling to disk, and no
    JIT: disabling nested loops inflates the cost estimates past the JIT threshold, and
    compiling each query took seconds even on a test database; and the cost of a random
    read of solid-state storage, so that figures read in an index's order (grouped and
    windowed without a sort) are preferred to hashing them all.
    One enterprise's records are best read through the indexes, as the planner chooses."""
    with transaction.atomic(), connection.cursor() as cursor:
        if many and connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield cursor


def accepted_sql(*, plan: Plan, last_year: int) -> tuple[str, tuple[Any, ...]]:
    """The ids of the plan's whole-year records up to `last_year` that count
    (`records_accepted`, the registry's one rule), as SQL to embed."""
    return (records_accepted().filter(period="year", year__lte=last_year,
                                      enterprise__sector__plan=plan)
            .order_by().values("pk").query.sql_with_params())


def unconverted_notes(codes: Iterable[str]) -> list[str]:
    return sorted({f"{code}: no conversion for its unit; left out" for code in codes})


def _params(factors: Sequence[Factor]) -> list[Any]:
    return [v for f in factors for v in (f.item_id, f.unit_id, f.group, f.factor, f.output)]


def sector_sums(*, plan: Plan, last_year: int, base_year: int, detail: bool,
                factors: Sequence[Factor], sector_id: int | None = None
                ) -> tuple[dict[int, SectorSums], list[str]]:
    """Every sector's sums (or, with `sector_id`, one sector's) from the raw figures (three
    queries; with `detail`, two more for the enterprises and the base-year and last-year
    observations the LMDI reads), and the notes: items left out for want of a
    conversion, records shared by output because their principal product is missing."""
    out: dict[int, SectorSums] = defaultdict(SectorSums)
    groups = input_groups(factors)
    if not groups:  # nothing consumed can be converted: no series
        return out, []
    accepted, accepted_params = accepted_sql(plan=plan, last_year=last_year)
    records = f"s.plan_id = %s AND r.year <= %s AND r.id IN ({accepted})"
    chosen = [*accepted_params]  # the records' parameters, in the order of `records`
    if sector_id is not None:
        records += " AND s.id = %s"
        chosen.append(sector_id)
    head = registry_sql(factors, records)
    params = [*_params(factors), plan.pk, last_year, *chosen]
    with aggregate_cursor() as cursor:
        cursor.execute(f"WITH {head}, {link_sums_sql(attributed_by_group(groups), len(groups))}"
                       " UNION ALL SELECT 'energy', scope, NULL, year, NULL, NULL, SUM(c), NULL,"
                       " NULL, NULL, NULL FROM used WHERE grp = %s GROUP BY scope, year",
                       [*params, *groups, ENERGY])
        for kind, scope, k, year, ent, product, a, b, ta, tb, n in cursor.fetchall():
            sums = out[scope]
            if kind == "link":
                sums.links[year][groups[k]] = methods.LinkSums(a, b, ta, tb, n)
            elif kind == "units":
                sums.units[year] = n
            elif kind == "note":
                sums.left_out[year].append((str(ent), product, groups[k], n))
            elif kind == "year":
                sums.years.add(year)
            else:
                sums.energy[year] = a
        # lines of counted records whose item and unit the unit table cannot convert
        cursor.execute(unconverted_sql(factors, records),
                       [*[v for f in factors for v in (f.item_id, f.unit_id)], plan.pk,
                        last_year, *chosen])
        notes = unconverted_notes(code for _record, code in cursor.fetchall())
        cursor.execute(f"WITH {head} SELECT rec.ent, rec.year FROM rec "
                       "WHERE rec.rid IN (SELECT rid FROM fallback)", params)
        notes = sorted({*notes, *(fallback_note(ent, year) for ent, year in cursor.fetchall())})
        if detail:
            _detail(cursor, head, params, base_year, out)
    return out, notes


def _detail(cursor: Any, head: str, params: list[Any], base_year: int,
            out: dict[int, SectorSums]) -> None:
    """The enterprises behind each sector, the groups it has, and the observations of the
    LMDI's two years (the base year and each group's last year)."""
    cursor.execute(
        f"WITH {head}, last AS (SELECT scope, grp, MAX(year) AS year FROM attributed "
        "GROUP BY scope, grp) "
        "SELECT a.scope, a.ent, a.product, a.grp, a.year, a.q, a.c FROM attributed a "
        "JOIN last ON last.scope = a.scope AND last.grp = a.grp "
        "WHERE a.year = %s OR a.year = last.year", [*params, base_year])
    for scope, ent, product, grp, year, q, c in cursor.fetchall():
        out[scope].observations.append(
            methods.Observation(year, product, q, c, str(ent), grp))
    cursor.execute(
        f"WITH {head} SELECT DISTINCT a.scope, a.grp, a.ent, e.name FROM attributed a "
        "JOIN registry_enterprise e ON e.id = a.ent", params)
    for scope, grp, ent, name in cursor.fetchall():
        out[scope].groups.add(grp)
        out[scope].enterprises[ent] = name
