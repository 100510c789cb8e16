"""A national-scale database for the export, import and page benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scp_national \\
        uv run python benchmarks/national.py [--orgunits 3363] [--enterprises 30035] \\
        [--reports 39035]

(the database is created if missing, migrated and given the reference data). On top of
Quang Ninh's own units it builds, in bulk (COPY and INSERT ... SELECT, minutes not hours):

- the structure of 34 provinces: 33 more provinces `nat-pNN`, each with its commune-level
  units `nat-pNN-cNNN` (wards and communes, the province their parent), up to `--orgunits`
  units in all;
- `--enterprises` enterprises `nat-eNNNNNN` spread over every commune-level unit (so a
  province holds about 1/34 of them), in the plan's 8 sectors, each with a whole-year
  record of output and consumption for every year 2020-2030 (its sector's products and
  materials, electricity and diesel: 5-7 lines a record);
- reporting periods 2021S1 ... 2026S1 and 2021 ... 2025 with `--reports` report requests of
  the agencies and communes, mixed draft, submitted, accepted and returned.

Idempotent: run it again with the same sizes and nothing changes; other sizes replace the
generated rows (codes `nat-...`). Prints what it made and how long it took."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("SCP_DEBUG", "0")

from benchmarks.progress_bench import _ensure_database

PROVINCES = 34  # Quang Ninh and 33 generated
YEARS = (2020, 2030)
PREFIX = "nat-"
MARK = f"{PREFIX}sizes"  # a unit whose note records the sizes built


def _copy(cursor: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Rows into `table` through COPY (text format, tab-separated)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v).replace("\t", " ")
                               for v in row) + "\n")
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def _clear(cursor: Any) -> None:
    """Remove what an earlier run generated (other sizes)."""
    cursor.execute("DELETE FROM reporting_reportrequest WHERE period_id IN (SELECT id FROM "
                   "reporting_period WHERE code LIKE 'nat%%')")
    cursor.execute("DELETE FROM reporting_period WHERE code LIKE 'nat%%'")
    generated = f"SELECT id FROM registry_enterprise WHERE code LIKE '{PREFIX}%%'"
    cursor.execute("DELETE FROM registry_consumptionline WHERE record_id IN (SELECT id FROM "
                   f"registry_consumptionrecord WHERE enterprise_id IN ({generated}))")
    cursor.execute(f"DELETE FROM registry_consumptionrecord WHERE enterprise_id IN ({generated})")
    cursor.execute(f"DELETE FROM registry_enterprise WHERE code LIKE '{PREFIX}%%'")
    cursor.execute("DELETE FROM reporting_reportrequest WHERE org_unit_id IN (SELECT id FROM "
                   f"orgunits_orgunit WHERE code LIKE '{PREFIX}%%')")
    cursor.execute(f"DELETE FROM orgunits_orgunit WHERE code LIKE '{PREFIX}%%' "
                   "AND parent_id IS NOT NULL")
    cursor.execute(f"DELETE FROM orgunits_orgunit WHERE code LIKE '{PREFIX}%%'")


def _orgunits(cursor: Any, total: int, now: str) -> None:
    from common.text import fold, sort_key

    cursor.execute("SELECT count(*) FROM orgunits_orgunit")
    have = cursor.fetchone()[0]
    communes = total - have - (PROVINCES - 1) - 1  # less the provinces and the mark
    opened = "2025-07-01"
    provinces = []
    for p in range(1, PROVINCES):
        name = f"Tỉnh Số {p:02d}"
        code = f"{PREFIX}p{p:02d}"
        provinces.append((now, now, opened, code, name, "", "", "province", "", "", False, "",
                          "", "", sort_key(name), fold(f"{name} {code}")))
    columns = ["created_at", "updated_at", "valid_from", "code", "name", "name_en",
               "short_name", "kind", "official_code", "email", "uncertain", "source", "note",
               "note_en", "name_sort", "search_text"]
    _copy(cursor, "orgunits_orgunit", columns, provinces)
    cursor.execute(f"SELECT code, id FROM orgunits_orgunit WHERE code LIKE '{PREFIX}p%%'")
    ids = dict(cursor.fetchall())
    rows = []
    for n in range(communes):
        p = n % (PROVINCES - 1) + 1
        code = f"{PREFIX}p{p:02d}-c{n // (PROVINCES - 1) + 1:03d}"
        kind = "ward" if n % 3 == 0 else "commune"
        word = "Phường" if kind == "ward" else "Xã"
        name = f"{word} Số {n // (PROVINCES - 1) + 1} tỉnh {p:02d}"
        rows.append((now, now, opened, code, name, "", "", kind, "", "", False, "", "", "",
                     sort_key(name), fold(f"{name} {code}"), ids[f"{PREFIX}p{p:02d}"]))
    _copy(cursor, "orgunits_orgunit", [*columns, "parent_id"], rows)


def _enterprises(cursor: Any, count: int, now: str) -> None:
    from common.text import fold, sort_key

    # every commune-level unit open today, Quang Ninh's and the generated ones
    cursor.execute("SELECT id FROM orgunits_orgunit WHERE kind IN ('ward', 'commune', "
                   "'special_zone') AND valid_to IS NULL ORDER BY code")
    places = [r[0] for r in cursor.fetchall()]
    cursor.execute("SELECT id FROM plans_sector ORDER BY code")
    sectors = [r[0] for r in cursor.fetchall()]
    kinds = ["Sản xuất", "Thương mại", "Xi măng", "Than", "Dệt may", "Thực phẩm", "Bia",
             "Giày da"]
    rows = []
    for e in range(count):
        name = f"Công ty TNHH {kinds[e % len(kinds)]} Số {e + 1:06d}"
        code, tax = f"{PREFIX}e{e + 1:06d}", f"9{e + 1:09d}"
        rows.append((now, now, code, name, f"Số {e % 200 + 1}, đường {e % 37 + 1}",
                     "2015-01-01", True, "", "", tax, fold(name), places[e % len(places)],
                     sectors[e % len(sectors)], sort_key(name), fold(f"{name} {code} {tax}")))
    _copy(cursor, "registry_enterprise",
          ["created_at", "updated_at", "code", "name", "address", "valid_from", "illustrative",
           "source", "note", "tax_code", "name_key", "place_id", "sector_id", "name_sort",
           "search_text"], rows)


def _figures(cursor: Any, now: str) -> None:
    """A whole-year record per generated enterprise and year, and its lines: the
    sector's products and materials (at most two of each), electricity and diesel."""
    cursor.execute("SELECT s.id, s.code FROM plans_sector s")
    sectors = cursor.fetchall()
    cursor.execute("SELECT i.id, i.code, i.role, i.default_unit_id, i.sectors "
                   "FROM registry_item i ORDER BY i.role, i.\"order\", i.code")
    items = cursor.fetchall()
    lines = []  # (sector id, item id, unit id, size)
    for sector_id, code in sectors:
        mine = [i for i in items if code in (i[4] or [])]
        picked = ([i for i in mine if i[2] == "product"][:2]
                  + [i for i in mine if i[2] == "material"][:2]
                  + [i for i in items if i[1] in ("electricity", "diesel")])
        for k, (item_id, _code, _role, unit_id, _s) in enumerate(picked):
            lines.append((sector_id, item_id, unit_id, 1000 * (k + 1)))
    cursor.execute("CREATE TEMP TABLE nat_lines (sector_id bigint, item_id bigint, "
                   "unit_id bigint, size numeric)")
    _copy(cursor, "nat_lines", ["sector_id", "item_id", "unit_id", "size"], lines)
    cursor.execute(
        "INSERT INTO registry_consumptionrecord (created_at, updated_at, year, period, source, "
        "illustrative, note, version, allocation, enterprise_id) "
        "SELECT %s, %s, y, 'year', 'imported', true, '', 1, 'output', e.id "
        f"FROM registry_enterprise e, generate_series({YEARS[0]}, {YEARS[1]}) AS y "
        f"WHERE e.code LIKE '{PREFIX}%%'",
        [now, now])
    cursor.execute(
        "INSERT INTO registry_consumptionline (quantity, record_id, item_id, unit_id) "
        "SELECT round(l.size * (1 + e.id % 17) * (1 + 0.02 * (r.year - 2020)), 2), r.id, "
        "l.item_id, l.unit_id FROM registry_consumptionrecord r "
        "JOIN registry_enterprise e ON e.id = r.enterprise_id "
        "JOIN nat_lines l ON l.sector_id = e.sector_id "
        f"WHERE e.code LIKE '{PREFIX}%%'")
    cursor.execute("DROP TABLE nat_lines")


def _reports(cursor: Any, count: int, now: str) -> None:
    """Periods (half-years 2021S1-2026S1, years 2021-2025) and `count` requests: each
    period in turn asks every agency and commune-level unit, until the count is made."""
    from plans.selectors import plan_current

    plan = plan_current()
    assert plan is not None, "reference data missing"
    periods = []
    for year in range(2021, 2027):
        for half in (1, 2):
            if (year, half) > (2026, 1):
                continue
            start, end = (dt.date(year, 1, 1), dt.date(year, 6, 30)) if half == 1 else (
                dt.date(year, 7, 1), dt.date(year, 12, 31))
            due = dt.date(year, 6, 14) if half == 1 else dt.date(year, 12, 14)
            periods.append((f"nat{year}S{half}", "semiannual", year, start, end, due))
        if year <= 2025:
            periods.append((f"nat{year}", "annual", year, dt.date(year, 1, 1),
                            dt.date(year, 12, 31), dt.date(year, 12, 14)))
    _copy(cursor, "reporting_period",
          ["created_at", "updated_at", "code", "kind", "year", "title", "instructions", "start",
           "\"end\"", "due_date", "include_plan_questions", "plan_id"],
          [(now, now, code, kind, year, "", "", start, end, due, True, plan.pk)
           for code, kind, year, start, end, due in periods])
    cursor.execute(
        "INSERT INTO reporting_reportrequest (created_at, updated_at, state, version, "
        "submitted_at, first_submitted_at, first_submitted_on, accepted_at, return_reason, "
        "org_unit_id, period_id) "
        "SELECT %s, %s, s.state, 1, s.sent, s.sent, s.sent::date, "
        "CASE WHEN s.state = 'accepted' THEN s.sent + interval '3 days' END, "
        "CASE WHEN s.state = 'returned' THEN 'Thiếu số liệu' ELSE '' END, s.unit, s.period "
        "FROM (SELECT u.id AS unit, p.id AS period, "
        "(ARRAY['draft', 'submitted', 'accepted', 'accepted', 'returned'])"
        "[1 + (u.id + p.id) %% 5] AS state, "
        "CASE WHEN (u.id + p.id) %% 5 > 0 THEN p.due_date - ((u.id %% 20) || ' days')::interval "
        "END AS sent, row_number() OVER (ORDER BY p.due_date, p.code, u.id) AS n "
        "FROM reporting_period p, orgunits_orgunit u "
        "WHERE p.code LIKE 'nat%%' AND u.kind NOT IN ('province', 'ministry', 'enterprise', "
        "'peoples_committee') AND (u.valid_to IS NULL OR u.valid_to > p.start)) s "
        "WHERE s.n <= %s",
        [now, now, count])


def generate(*, orgunits: int, enterprises: int, reports: int) -> dict[str, int]:
    """Build the national scale (idempotent); returns the row counts."""
    from django.db import connection, transaction

    sizes = f"{orgunits} {enterprises} {reports}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM orgunits_orgunit WHERE code = %s", [MARK])
        found = cursor.fetchone()
    if not found or found[0] != sizes:
        now = dt.datetime.now(dt.UTC).isoformat()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor = cursor.cursor  # psycopg's own, for COPY
            _clear(cursor)
            _orgunits(cursor, orgunits, now)
            _enterprises(cursor, enterprises, now)
            _figures(cursor, now)
            _reports(cursor, reports, now)
            cursor.execute(
                "INSERT INTO orgunits_orgunit (created_at, updated_at, code, name, name_en, "
                "short_name, kind, official_code, email, uncertain, source, note, note_en, "
                "name_sort, search_text, valid_from, valid_to) VALUES (%s, %s, %s, "
                "'Mốc dữ liệu quy mô quốc gia', '', '', 'ministry', '', '', false, '', %s, '', "
                "'', '', '2000-01-01', '2000-01-02')", [now, now, MARK, sizes])
        with connection.cursor() as cursor:
            for table in ("orgunits_orgunit", "registry_enterprise", "registry_consumptionrecord",
                          "registry_consumptionline", "reporting_reportrequest"):
                cursor.execute(f"ANALYZE {table}")
    counts = {}
    with connection.cursor() as cursor:
        for label, table in (("org units", "orgunits_orgunit"),
                             ("enterprises", "registry_enterprise"),
                             ("figure records", "registry_consumptionrecord"),
                             ("figure lines", "registry_consumptionline"),
                             ("reports", "reporting_reportrequest")):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cursor.fetchone()[0]
    return counts


def setup(url: str) -> None:
    """The database created if missing, migrated, with the reference data."""
    _ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from plans.selectors import plan_current
    from plans.services import reference_data_load

    if plan_current() is None:
        reference_data_load(actor=None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgunits", type=int, default=3363)
    parser.add_argument("--enterprises", type=int, default=30035)
    parser.add_argument("--reports", type=int, default=39035)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/scp_national")
    start = time.perf_counter()
    setup(url)
    print(f"migrated, reference data: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    counts = generate(orgunits=args.orgunits, enterprises=args.enterprises,
                      reports=args.reports)
    print(f"generated in {time.perf_counter() - start:.1f} s: "
          + ", ".join(f"{n:,} {label}" for label, n in counts.items()))


if __name__ == "__main__":
    main()
