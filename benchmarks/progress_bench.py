"""Progress at national scale: a synthetic data generator and a recomputation benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scp_progress_bench \\
        uv run python benchmarks/progress_bench.py [--provinces 34] [--enterprises 1000]

(the database is created if missing). It

1. generates, inside PostgreSQL, 34 provinces with the plan's structure (8 sectors; 1,000
   enterprises each with 3 products and 4 inputs, two materials and two fuels, 2020-2030,
   with entrants from 2023 and leavers after 2027: about 5.3 million figures, one row each:
   outputs, and each input's consumption per product, stored in the order of an index on
   each product's years), plus the answers of 20 agencies and 60 communes a province each
   year (about 5% not accepted);
2. times a full recomputation from the raw rows of every province's indicators, sector
   indices (the dashboard's link sums, `progress.consumption.link_sums_sql`, combined and
   chained by `SectorSums.odex` and `progress.methods`) and the 13 targets' statuses,
   against a bare hand-written SQL aggregate over the same rows, and the same two in
   DuckDB on the same data as the hardware's reference; and, once, the link sums as they
   were computed before (a row per product-year and group), for the before/after ratio;
3. loads one province into the application's own tables and times the dashboard's
   set-based path (`progress.selectors.sector_indices`) against the same figures computed
   one object at a time through the ORM, per figure;
4. times the live path on that province: accepting one enterprise-year's report, and
   changing one enterprise-year's figures, each until every target's status
   (`progress_for_period`, the index read from the sectors' totals) is recomputed.

Figures, not pass/fail; the aims are printed beside them, and the load average beside
each (the machine may be shared)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("SCP_DEBUG", "0")

YEARS = (2020, 2030)
SECTORS = 8
PRODUCTS = 3
# input -> (group, factor to the group's unit): two materials (tonnes), two fuels (toe)
INPUTS = {0: ("m0", 1.0), 1: ("m1", 1.0), 2: ("energy", 0.00085), 3: ("energy", 0.0001543)}
AGENCIES, COMMUNES = 20, 60
# questions answered: 0 zones total, 1 zones reached, 2 supermarkets, 3 on eco-packaging,
# 4 SCP models, 5 S&T enterprises (the lead agency, unit 0); 6 campaigns (every commune)
SCHEMA = "bench_progress"


def _generator_sql(provinces: int, enterprises: int, *, duck: bool = False) -> list[str]:
    """Statements that build the figure and answer tables (PostgreSQL and DuckDB alike)."""
    unlogged = "" if duck else "UNLOGGED "
    prefix = "" if duck else f"{SCHEMA}."
    noise = "(1 + 0.01 * sin(e * 7 + y * 13 + pr * 3 + it))"
    quantity = (
        "CASE WHEN it = -1 THEN 1000.0 * (1 + e % 17) * (1 + 0.3 * pr) * (1 + 0.02 * (y - 2020))"
        " ELSE 1000.0 * (1 + e % 17) * (1 + 0.3 * pr) * (1 + 0.02 * (y - 2020))"
        f" * (1 + it) * (1 + 0.1 * pr) * (0.8 + 0.004 * ((e * 31) % 100))"
        f" * power(0.988 + 0.002 * (e % 5), y - 2020) * {noise} END")
    return [
        f"DROP TABLE IF EXISTS {prefix}figure",
        f"DROP TABLE IF EXISTS {prefix}answer",
        f"CREATE {unlogged}TABLE {prefix}figure (province smallint, sector smallint, "
        "enterprise integer, year smallint, product smallint, item smallint, "
        "quantity double precision)",
        f"INSERT INTO {prefix}figure SELECT p, e % {SECTORS}, p * {enterprises} + e, y, pr, it, "
        f"{quantity} FROM generate_series(0, {provinces - 1}) AS a(p), "
        f"generate_series(0, {enterprises - 1}) AS b(e), "
        f"generate_series({YEARS[0]}, {YEARS[1]}) AS c(y), "
        f"generate_series(0, {PRODUCTS - 1}) AS d(pr), generate_series(-1, 3) AS f(it) "
        "WHERE (e % 10 <> 7 OR y >= 2023) AND (e % 10 <> 3 OR y <= 2027) "
        "ORDER BY 3, 5, 4, 6",
        *([] if duck else [
            # the order of the dashboard's aggregate (each product's years, its items):
            # read in that order, the grouping and the window need no sort
            f"CREATE INDEX figure_series ON {prefix}figure (enterprise, product, year) "
            "INCLUDE (province, sector, item, quantity)"]),
        f"CREATE {unlogged}TABLE {prefix}answer (province smallint, unit smallint, "
        "year smallint, question smallint, value double precision, accepted boolean)",
        f"INSERT INTO {prefix}answer SELECT p, u, y, q, "
        "CASE q WHEN 0 THEN 60 WHEN 1 THEN least(60, 12 * (y - 2019)) WHEN 2 THEN 40 "
        "WHEN 3 THEN least(40, 3 + 6 * (y - 2020)) WHEN 4 THEN y - 2021 WHEN 5 THEN 2 * (y - 2020) "
        "ELSE (u + y) % 7 END, (p + u + y + q) % 20 <> 0 "
        f"FROM generate_series(0, {provinces - 1}) AS a(p), "
        f"generate_series(0, {AGENCIES + COMMUNES - 1}) AS b(u), "
        f"generate_series({YEARS[0] + 1}, {YEARS[1]}) AS c(y), generate_series(0, 6) AS d(q) "
        f"WHERE (q < 6 AND u = 0) OR (q = 6 AND u >= {AGENCIES})",
    ]


GROUPS = sorted({g for g, _f in INPUTS.values()})


def _observations_sql(prefix: str) -> str:
    """The product-years of the national table (scope = province × sector), as
    `progress.consumption.link_sums_sql` reads them: the output, and each input converted
    by its factor and summed per group (a column per group, in `GROUPS`' order)."""
    columns = ", ".join(
        "SUM(quantity * CASE item "
        + " ".join(f"WHEN {i} THEN CAST({f} AS DOUBLE PRECISION)"
                   for i, (g, f) in INPUTS.items() if g == group)
        + f" END) AS c{k}" for k, group in enumerate(GROUPS))
    # an enterprise's province and sector are its own: grouped by the series alone, the
    # rows come in the order of the index
    return (f"SELECT MIN(province * {SECTORS} + sector) AS scope, enterprise AS ent, product, "
            f"year, SUM(quantity) FILTER (WHERE item = -1) AS q, {columns} FROM {prefix}figure "
            "GROUP BY enterprise, product, year")


def _links_sql(prefix: str) -> str:
    """The dashboard's link sums (`progress.consumption.link_sums_sql`) over the national
    table."""
    from progress.consumption import link_sums_sql

    return "WITH " + link_sums_sql(_observations_sql(prefix), len(GROUPS))


def _links_before_sql(prefix: str) -> str:
    """The link sums as the dashboard computed them before (for the before/after line):
    a row per product-year and group, joined to the output, sorted per series and summed
    in four passes."""
    factors = ", ".join(f"({i}, '{g}', CAST({f} AS DOUBLE PRECISION))"
                        for i, (g, f) in INPUTS.items())
    obs = (f"SELECT u.province * {SECTORS} + u.sector AS scope, u.enterprise AS ent, "
           "CAST(u.product AS TEXT) AS product, u.grp, u.year, o.quantity AS q, u.c "
           "FROM (SELECT province, sector, enterprise, product, year, f.grp, "
           f"SUM(x.quantity * f.factor) AS c FROM {prefix}figure x "
           f"JOIN (VALUES {factors}) AS f(item, grp, factor) ON f.item = x.item "
           "GROUP BY province, sector, enterprise, product, year, f.grp) u "
           f"JOIN {prefix}figure o ON o.item = -1 AND o.enterprise = u.enterprise "
           "AND o.product = u.product AND o.year = u.year")
    valid = "pq > 0 AND q > 0 AND pc > 0"
    ratio = "((c / q) / (pc / pq))"
    return f"""WITH obs AS ({obs}),
    lagged AS (
      SELECT scope, ent, product, grp, year, q, c,
             LAG(year) OVER w AS py, LAG(q) OVER w AS pq, LAG(c) OVER w AS pc
      FROM obs WINDOW w AS (PARTITION BY ent, product, grp ORDER BY year)),
    common AS (SELECT * FROM lagged WHERE py = year - 1)
    SELECT 'link', scope, grp, year, SUM({ratio} * pc), SUM({ratio} * c), SUM(pc), SUM(c),
           COUNT(*) FROM common WHERE {valid} GROUP BY scope, grp, year
    UNION ALL SELECT 'units', scope, NULL, year, NULL, NULL, NULL, NULL, COUNT(DISTINCT ent)
      FROM common GROUP BY scope, year
    UNION ALL SELECT 'note', scope, grp, year, NULL, NULL, NULL, NULL, COUNT(*)
      FROM common WHERE NOT ({valid}) GROUP BY scope, grp, year
    UNION ALL SELECT 'year', scope, NULL, year, NULL, NULL, NULL, NULL, NULL
      FROM obs GROUP BY scope, year"""


def _energy_sql(prefix: str) -> str:
    cases = " ".join(f"WHEN {i} THEN CAST({f} AS DOUBLE PRECISION)"
                     for i, (g, f) in INPUTS.items() if g == "energy")
    items = ", ".join(str(i) for i, (g, _f) in INPUTS.items() if g == "energy")
    return (f"SELECT province * {SECTORS} + sector, year, SUM(quantity * CASE item {cases} END) "
            f"FROM {prefix}figure WHERE item IN ({items}) GROUP BY 1, 2")


BARE_SQL = ("SELECT province, sector, year, item, sum(quantity) FROM {prefix}figure "
            "GROUP BY province, sector, year, item")
ANSWERS_SQL = ("SELECT province, year, question, sum(value), count(*) FILTER (WHERE value > 0), "
               "count(*) FROM {prefix}answer WHERE accepted GROUP BY province, year, question")
ASKED_SQL = ("SELECT province, year, count(*) FROM {prefix}answer WHERE question = 6 "
             "GROUP BY province, year")


def sums_from_rows(rows: list[tuple], energy_rows: list[tuple]) -> dict[int, Any]:
    """The rows of `_links_sql` and `_energy_sql` as `SectorSums` per scope."""
    from progress import methods
    from progress.consumption import SectorSums

    sums: dict[int, SectorSums] = defaultdict(SectorSums)
    for kind, scope, k, year, ent, product, a, b, ta, tb, n in rows:
        found = sums[scope]
        grp = "" if k is None else GROUPS[k]
        if kind == "link":
            found.links[year][grp] = methods.LinkSums(a, b, ta, tb, int(n))
        elif kind == "units":
            found.units[year] = int(n)
        elif kind == "note":
            found.left_out[year].append((str(ent), product, grp, int(n)))
        else:
            found.years.add(year)
    for scope, year, total in energy_rows:
        sums[scope].energy[year] = total
    return sums


def recompute(rows: list[tuple], energy_rows: list[tuple], answers: list[tuple],
              asked: list[tuple], period: int) -> dict[int, list[Any]]:
    """Every province's sector indices, province index, indicators and 13 statuses from the
    SQL sums, with the dashboard's code (`SectorSums.odex`, `methods`)."""
    from progress import methods

    sums = sums_from_rows(rows, energy_rows)
    years = range(YEARS[0] + 1, period + 1)
    by_province: dict[int, list] = defaultdict(list)
    for scope, found in sums.items():
        result = found.odex(base_year=YEARS[0], last_year=period)
        if result.base_year is None:
            continue
        links = {y: link.value for y, link in result.links.items()}
        weights = {y: (found.energy.get(y - 1, 0.0) + found.energy.get(y, 0.0)) / 2
                   for y in years}
        by_province[scope // SECTORS].append((links, weights))
    values: dict[tuple[int, int, int], tuple[float, int]] = {}
    for province, year, question, total, positive, _n in answers:
        values[(province, year, question)] = (total, positive)
    asked_by = {(p, y): n for p, y, n in asked}
    out: dict[int, list[Any]] = {}
    for province, parts in by_province.items():
        index = methods.chain(methods.weighted_links(parts, years), YEARS[0], period)
        series: dict[str, dict[int, float | None]] = defaultdict(dict)
        for year in range(YEARS[0], period + 1):
            level = index.get(year)
            series["material"][year] = None if level is None else 100 - level

            def v(q: int, y: int = year, p: int = province) -> float | None:
                return values.get((p, y, q), (None, 0))[0]

            zones, reached = v(0), v(1)
            series["zones"][year] = 100 * reached / zones if zones and reached is not None \
                else None
            shops, eco = v(2), v(3)
            series["packaging"][year] = 100 * eco / shops if shops and eco is not None else None
            series["models"][year] = v(4)
            series["st"][year] = v(5)
            asked_n = asked_by.get((province, year))
            positive = values.get((province, year, 6), (None, None))[1]
            series["campaigns"][year] = 100 * positive / asked_n \
                if asked_n and positive is not None else None
        targets = [("material", 5, 2025, "decrease"), ("zones", 70, 2025, "increase"),
                   ("models", 1, 2025, "increase"), ("campaigns", 80, 2025, "increase"),
                   ("packaging", 85, 2025, "increase"), ("material", 7, 2030, "decrease"),
                   ("zones", 100, 2030, "increase"), ("campaigns", 100, 2030, "increase"),
                   ("packaging", 100, 2030, "increase"), ("st", 20, 2030, "increase")]
        statuses = []
        for name, target, year_t, direction in targets:
            known = [(y, x) for y, x in series[name].items() if x is not None and y <= period]
            if not known:
                statuses.append(methods.NOT_ENOUGH_DATA)
                continue

            def level_of(x: float, decrease: bool = direction == "decrease") -> float:
                return 100 - x if decrease else x

            statuses.append(methods.target_status(
                baseline=(known[0][0], level_of(known[0][1])),
                current=(known[-1][0], level_of(known[-1][1])),
                target=level_of(target), target_year=year_t,
                direction=methods.DECREASE if direction == "decrease" else methods.INCREASE,
                past=year_t < period).status)
        statuses += ["assessed"] * 3  # the three qualitative targets: a lookup, not computed
        out[province] = [index, statuses]
    return out


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def _ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", type=int, default=2025)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--no-before", action="store_true",
                        help="skip timing the link sums as computed before (about a minute)")
    parser.add_argument("--app-only", action="store_true",
                        help="only the province in the application's tables (ORM, live)")
    parser.add_argument("--orm-enterprises", type=int, default=40,
                        help="enterprises computed one object at a time (per-figure ratio)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/scp_progress_bench")
    _ensure_database(url)
    import django
    import psycopg

    django.setup()
    print(f"load average (uptime): {_load()}")
    if args.app_only:
        _orm(args)
        return

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
        if not args.skip_generate:
            start = time.perf_counter()
            for statement in _generator_sql(args.provinces, args.enterprises):
                conn.execute(statement)
            conn.execute(f"VACUUM ANALYZE {SCHEMA}.figure")
            conn.execute(f"VACUUM ANALYZE {SCHEMA}.answer")
            print(f"generated in PostgreSQL: {time.perf_counter() - start:.1f} s")
        figures = conn.execute(f"SELECT count(*) FROM {SCHEMA}.figure").fetchall()[0][0]
        answers_n = conn.execute(f"SELECT count(*) FROM {SCHEMA}.answer").fetchall()[0][0]
        print(f"rows: {figures:,} figures, {answers_n:,} answers, {args.provinces} provinces")
        prefix = f"{SCHEMA}."
        conn.execute("SELECT 1")

        # what `progress.consumption.aggregate_cursor` sets for the dashboard's aggregates
        conn.execute("SET enable_nestloop = off")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET jit = off")
        conn.execute("SET random_page_cost = 1.1")

        def full() -> dict:
            rows = conn.execute(_links_sql(prefix)).fetchall()
            energy = conn.execute(_energy_sql(prefix)).fetchall()
            answers = conn.execute(ANSWERS_SQL.format(prefix=prefix)).fetchall()
            asked = conn.execute(ASKED_SQL.format(prefix=prefix)).fetchall()
            return recompute(rows, energy, answers, asked, args.period)

        def sector_part() -> list:
            return conn.execute(_links_sql(prefix)).fetchall()

        def bare() -> list:
            return conn.execute(BARE_SQL.format(prefix=prefix)).fetchall()

        t_full, result = _time(full, args.repeat)
        load_full = _load()
        t_sector, _rows = _time(sector_part, args.repeat)
        t_bare, _rows = _time(bare, args.repeat)
        load_sector = _load()
        t_before = None
        if not args.no_before:
            t_before, _rows = _time(lambda: conn.execute(_links_before_sql(prefix)).fetchall(),
                                    1)
    some = result[0]
    print(f"province 0: index {args.period} = {some[0][args.period]:.2f}; "
          f"statuses {', '.join(some[1])}")
    print(f"full recomputation from the raw rows (every province: indicators, sector indices, "
          f"13 statuses): {t_full:.2f} s  [aim < 5 s: {_verdict(t_full < 5)}]  "
          f"(load {load_full})")
    print(f"  sector-index SQL part: {t_sector:.2f} s; bare SQL aggregate over the same rows: "
          f"{t_bare:.2f} s; ratio {t_sector / t_bare:.2f}  "
          f"[aim <= 2: {_verdict(t_sector / t_bare <= 2)}]  (load {load_sector})")
    if t_before is not None:
        print(f"  before: the link sums as a row per product-year and group: {t_before:.2f} s, "
              f"ratio {t_before / t_bare:.2f} to the bare aggregate; now {t_before / t_sector:.1f}"
              f"× faster  (load {_load()})")
    _duckdb(args)
    _orm(args)


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _duckdb(args: argparse.Namespace) -> None:
    import duckdb

    con = duckdb.connect()
    start = time.perf_counter()
    for statement in _generator_sql(args.provinces, args.enterprises, duck=True):
        con.execute(statement)
    print(f"DuckDB (same data, in memory), generated in {time.perf_counter() - start:.1f} s")
    t_bare, _r = _time(lambda: con.execute(BARE_SQL.format(prefix="")).fetchall(), args.repeat)
    t_links, _r = _time(lambda: con.execute(_links_sql("")).fetchall(), args.repeat)
    print(f"  DuckDB bare aggregate: {t_bare:.2f} s; DuckDB sector-index SQL: {t_links:.2f} s; "
          f"ratio {t_links / t_bare:.2f} (the hardware's reference)  (load {_load()})")


def _orm(args: argparse.Namespace) -> None:
    """One province in the application's tables: set-based dashboard path against one
    object at a time through the ORM, per figure; and the live path."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from plans.services import reference_data_load

    reference_data_load(actor=None)
    from plans.selectors import plan_current
    from progress.selectors import sector_indices
    from progress.summary import summary_refresh
    from registry.models import ConsumptionRecord, Enterprise

    plan = plan_current()
    assert plan is not None
    loaded = _load_province(plan, args.enterprises)
    from django.db import connection

    with connection.cursor() as cursor:  # the planner's statistics, as autovacuum keeps them
        cursor.execute("ANALYZE")
    if loaded:
        start = time.perf_counter()
        summary_refresh(enterprise_ids=None)  # bulk-loaded rows send no signal
        print(f"summary of the province built in {time.perf_counter() - start:.1f} s")
    records = ConsumptionRecord.objects.filter(enterprise__code__startswith="bench-").count()
    figures = records * 7
    t_set, _r = _time(lambda: sector_indices(plan=plan, last_year=YEARS[1]), args.repeat)
    subset = list(Enterprise.objects.filter(code__startswith="bench-").order_by("pk")
                  .values_list("pk", flat=True)[:args.orm_enterprises])
    start = time.perf_counter()
    n_orm = _orm_per_object(plan, subset)
    t_orm = time.perf_counter() - start
    per_set, per_orm = t_set / figures, t_orm / n_orm
    ratio = per_orm / per_set
    print(f"one province in the app's tables ({figures:,} figures): dashboard path from the "
          f"raw figures {t_set:.2f} s ({per_set * 1e6:.1f} µs/figure); ORM one object at a time "
          f"on {len(subset)} enterprises ({n_orm:,} figures): {t_orm:.2f} s "
          f"({per_orm * 1e6:.1f} µs/figure); ratio {ratio:.0f}×  "
          f"[aim >= 20×: {_verdict(ratio >= 20)}]  (load {_load()})")
    _live(args, plan)


def _live(args: argparse.Namespace, plan: Any) -> None:
    """Accept one enterprise-year's report, and change one enterprise-year's figures: each
    timed until every target's status (the index among them) is recomputed."""
    import datetime as dt

    from progress.selectors import progress_for_period
    from registry.models import Enterprise
    from registry.services import consumption_record_save, enterprise_designate
    from reporting.models import ReportRequest, ReportState
    from reporting.services import period_open, report_accept, report_reopen, report_submit

    enterprise = Enterprise.objects.get(code="bench-1")
    if enterprise.reporting_unit_id is None:
        enterprise_designate(enterprise=enterprise, actor=None, since=dt.date(2020, 1, 1))
        enterprise.refresh_from_db()
    period, _requests = period_open(plan=plan, code="2024", actor=None, notify=False)
    report = ReportRequest.objects.get(period=period, org_unit_id=enterprise.reporting_unit_id)
    if report.state == ReportState.ACCEPTED:
        report_reopen(report=report, actor=None, reason="benchmark")
    report_submit(report=report, actor=None)
    progress_for_period(period=args.period, plan=plan)  # warm up: URL configuration, imports
    start = time.perf_counter()
    report_accept(report=report, actor=None, notify=False)
    progress_for_period(period=args.period, plan=plan)
    t_accept = time.perf_counter() - start
    print(f"live: accept one enterprise-year's report, then every target's status: "
          f"{t_accept * 1000:.0f} ms  [aim < 100 ms: {_verdict(t_accept < 0.1)}]  "
          f"(load {_load()})")
    lines = [(ln.item.code, ln.quantity * 2 if ln.item.role == "fuel" else ln.quantity,
              ln.unit.code) for ln in enterprise.records.get(year=2022).lines.select_related(
                  "item", "unit")]
    start = time.perf_counter()
    consumption_record_save(enterprise=enterprise, year=2022, lines=lines, actor=None)
    progress_for_period(period=args.period, plan=plan)
    t_edit = time.perf_counter() - start
    t_read, _r = _time(lambda: progress_for_period(period=args.period, plan=plan), args.repeat)
    print(f"live: change one enterprise-year's figures (summary rewritten in the same "
          f"transaction), then every target's status: {t_edit * 1000:.0f} ms  "
          f"[aim < 100 ms: {_verdict(t_edit < 0.1)}]; every target's status alone: "
          f"{t_read * 1000:.0f} ms  (load {_load()})")
    print(f"load average (uptime): {_load()}")


def _load_province(plan: Any, enterprises: int) -> bool:
    """One province's enterprises and figures in the registry tables (bulk, idempotent):
    whether it loaded them."""
    import datetime as dt
    import math

    from orgunits.models import OrgUnit
    from registry.conversion import UnitTable
    from registry.models import ConsumptionLine, ConsumptionRecord, Enterprise

    have = Enterprise.objects.filter(code__startswith="bench-")
    if have.count() == enterprises:
        return False
    have.delete()  # another size was loaded before
    table = UnitTable()
    place = OrgUnit.objects.filter(kind="district").order_by("pk").first()
    sectors = list(plan.sectors.all())
    products = ["clinker", "cement", "coal"]
    inputs = [("limestone", "t"), ("clay", "t"), ("diesel", "l"), ("electricity", "kWh")]
    made = Enterprise.objects.bulk_create([
        Enterprise(code=f"bench-{e}", name=f"Bench {e}", name_key=f"bench {e}",
                   tax_code=f"99{e:08d}", sector=sectors[e % len(sectors)], place=place,
                   valid_from=dt.date(2000, 1, 1), illustrative=True)
        for e in range(enterprises)])
    records = ConsumptionRecord.objects.bulk_create([
        ConsumptionRecord(enterprise=ent, year=y, period="year", source="demo",
                          illustrative=True)
        for e, ent in enumerate(made) for y in range(YEARS[0], YEARS[1] + 1)
        if (e % 10 != 7 or y >= 2023) and (e % 10 != 3 or y <= 2027)])
    lines = []
    for rec in records:
        e, y = int(rec.enterprise.code[6:]), rec.year
        for pr, code in enumerate(products):
            q = 1000.0 * (1 + e % 17) * (1 + 0.3 * pr) * (1 + 0.02 * (y - 2020))
            lines.append(ConsumptionLine(record=rec, item=table.items[code], quantity=round(q, 2),
                                         unit_id=table.units["t"].pk))
        for it, (code, unit) in enumerate(inputs):
            c = sum(1000.0 * (1 + e % 17) * (1 + 0.3 * pr) * (1 + 0.02 * (y - 2020)) * (1 + it)
                    * (1 + 0.1 * pr) * (0.988 + 0.002 * (e % 5)) ** (y - 2020)
                    * (1 + 0.01 * math.sin(e * 7 + y * 13 + pr * 3 + it)) for pr in range(3))
            lines.append(ConsumptionLine(record=rec, item=table.items[code], quantity=round(c, 2),
                                         unit_id=table.units[unit].pk))
    ConsumptionLine.objects.bulk_create(lines, batch_size=5000)
    return True


def _orm_per_object(plan: Any, enterprise_ids: list[int]) -> int:
    """The same figures one object at a time: each enterprise, its records, their lines,
    each line's item and unit read through the ORM, then the same method."""
    from progress import methods
    from registry.conversion import UnitTable
    from registry.models import Enterprise

    table = UnitTable()
    count = 0
    by_sector: dict[int, list[methods.Observation]] = defaultdict(list)
    for pk in enterprise_ids:
        enterprise = Enterprise.objects.get(pk=pk)
        for record in enterprise.records.filter(period="year"):
            outputs: dict[str, float] = {}
            inputs: dict[str, float] = defaultdict(float)
            for line in record.lines.all():
                item, unit = line.item, line.unit  # one query each
                count += 1
                info = table.unit(unit.code)
                if item.role == "product":
                    outputs[item.code] = float(line.quantity * info.factor)
                elif item.role == "fuel":
                    toe = table.to_toe(item=item.code, value=line.quantity, unit=info)
                    inputs["energy"] += float(toe or 0)
                else:
                    inputs[item.code] += float(line.quantity * info.factor)
            total = sum(outputs.values())
            for product, q in outputs.items():
                for group, c in inputs.items():
                    by_sector[enterprise.sector_id].append(methods.Observation(
                        record.year, product, q, c * q / total, str(pk), group))
    for observations in by_sector.values():
        methods.odex(observations, base_year=YEARS[0])
    return count


if __name__ == "__main__":
    main()
