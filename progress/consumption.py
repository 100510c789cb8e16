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

`link_sums_sql(observations)` is the part shared with the benchmark, which feeds it the
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


def link_sums_sql(observations: str) -> str:
    """From `observations` (a query with columns scope, ent, product, grp, year, q, c: one
    series-year each, q its output, c the consumption attributed to it), rows of
    (kind, scope, grp, year, ent, product, a, b, ta, tb, n):

    - kind 'link': one group's link sums in `scope` and `year` on the year before
      (`methods.LinkSums`: Σ C(t-1)·r, Σ C(t)·r, Σ C(t-1), Σ C(t), count);
    - kind 'units': the enterprises with a series in both years (n);
    - kind 'note': a series present in both years but left out (n: ZERO_OUTPUT or
      NO_CONSUMPTION);
    - kind 'year': a year in which the scope has data.

    Counts are in the last column, sums in a, b, ta and tb.

    The window reads each series' previous year; the rest is one pass of sums."""
    valid = "pq > 0 AND q > 0 AND pc > 0"
    ratio = "((c / q) / (pc / pq))"
    return f"""
    obs AS ({observations}),
    lagged AS (
      SELECT scope, ent, product, grp, year, q, c,
             LAG(year) OVER w AS py, LAG(q) OVER w AS pq, LAG(c) OVER w AS pc
      FROM obs WINDOW w AS (PARTITION BY ent, product, grp ORDER BY year)),
    common AS (SELECT * FROM lagged WHERE py = year - 1)
    SELECT 'link', scope, grp, year, CAST(NULL AS BIGINT), CAST(NULL AS TEXT),
           SUM({ratio} * pc), SUM({ratio} * c), SUM(pc), SUM(c), COUNT(*)
      FROM common WHERE {valid} GROUP BY scope, grp, year
    UNION ALL
    SELECT 'units', scope, NULL, year, NULL, NULL, NULL, NULL, NULL, NULL, COUNT(DISTINCT ent)
      FROM common GROUP BY scope, year
    UNION ALL
    SELECT 'note', scope, grp, year, ent, product, NULL, NULL, NULL, NULL,
           CASE WHEN pq <= 0 OR q <= 0 THEN {ZERO_OUTPUT} ELSE {NO_CONSUMPTION} END
      FROM common WHERE NOT ({valid})
    UNION ALL
    SELECT 'year', scope, NULL, year, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM obs GROUP BY scope, year"""


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
    compiling each query took seconds even on a test database.
    One enterprise's records are best read through the indexes, as the planner chooses."""
    with transaction.atomic(), connection.cursor() as cursor:
        if many and connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
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
                factors: Sequence[Factor]) -> tuple[dict[int, SectorSums], list[str]]:
    """Every sector's sums from the raw figures (three queries; with `detail`, two more
    for the enterprises and the base-year and last-year observations the LMDI reads), and
    the notes: items left out for want of a conversion, records shared by output because
    their principal product is missing."""
    out: dict[int, SectorSums] = defaultdict(SectorSums)
    if not factors:
        return out, []
    accepted, accepted_params = accepted_sql(plan=plan, last_year=last_year)
    records = f"s.plan_id = %s AND r.year <= %s AND r.id IN ({accepted})"
    head = registry_sql(factors, records)
    params = [*_params(factors), plan.pk, last_year, *accepted_params]
    with aggregate_cursor() as cursor:
        cursor.execute(f"WITH {head}, {link_sums_sql('SELECT * FROM attributed')}"
                       " UNION ALL SELECT 'energy', scope, NULL, year, NULL, NULL, SUM(c), NULL,"
                       " NULL, NULL, NULL FROM used WHERE grp = %s GROUP BY scope, year",
                       [*params, ENERGY])
        for kind, scope, grp, year, ent, product, a, b, ta, tb, n in cursor.fetchall():
            sums = out[scope]
            if kind == "link":
                sums.links[year][grp] = methods.LinkSums(a, b, ta, tb, n)
            elif kind == "units":
                sums.units[year] = n
            elif kind == "note":
                sums.left_out[year].append((str(ent), product, grp, n))
            elif kind == "year":
                sums.years.add(year)
            else:
                sums.energy[year] = a
        # lines of counted records whose item and unit the unit table cannot convert
        cursor.execute(unconverted_sql(factors, records),
                       [*[v for f in factors for v in (f.item_id, f.unit_id)], plan.pk,
                        last_year, *accepted_params])
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
