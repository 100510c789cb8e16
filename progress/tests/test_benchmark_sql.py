"""The benchmark's fast path (sums in SQL, combined by `methods.group_link`) gives the same
sector links as `methods.odex` on the same rows: the benchmark times the dashboard's method,
not another one. Run on DuckDB, in memory, with the benchmark's own generator."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

from progress import methods

duckdb = pytest.importorskip("duckdb")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks import progress_bench as bench  # noqa: E402


def test_sql_sums_give_the_links_of_methods_odex():
    con = duckdb.connect()
    for statement in bench._generator_sql(1, 30, duck=True):
        con.execute(statement)
    rows = con.execute(bench._links_sql("")).fetchall()
    figures = con.execute("SELECT sector, enterprise, year, product, item, quantity "
                          "FROM figure").fetchall()
    outputs = {(e, y, p): q for _s, e, y, p, i, q in figures if i == -1}
    by_sector: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    for sector, e, y, p, i, q in figures:
        if i >= 0:
            group, factor = bench.INPUTS[i]
            by_sector[sector][(e, y, p, group)] += q * factor
    checked = 0
    result = bench.recompute(rows, [], [], 2030)
    index = result[0][0]
    assert index[2020] == 100.0 and index[2030] is not None
    for sector, cons in by_sector.items():
        observations = [methods.Observation(y, str(p), outputs[(e, y, p)], c, str(e), g)
                        for (e, y, p, g), c in cons.items()]
        expected = methods.odex(observations, base_year=2020)
        for row in rows:
            if row[0] == 0 and row[1] == sector and row[2] > 2020:
                links = []
                for k in range(3):
                    a, b, ta, tb = row[3 + 4 * k:7 + 4 * k]
                    links.append(methods.group_link(before_weighted=a, after_weighted=b,
                                                    before_total=ta, after_total=tb))
                assert sum(links) / 3 == pytest.approx(expected.links[row[2]].value)
                checked += 1
    assert checked == 8 * 10
