"""The benchmark's national path (the dashboard's link sums, `link_sums_sql`, over the
synthetic table, chained by `SectorSums.odex`) gives the sector indices of `methods.odex`
on the same rows: the benchmark times the dashboard's method, not another one. Run on
DuckDB, in memory, with the benchmark's own generator."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

from progress import methods

duckdb = pytest.importorskip("duckdb")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from benchmarks import progress_bench as bench  # noqa: E402


def test_sql_sums_give_the_index_of_methods_odex():
    con = duckdb.connect()
    for statement in bench._generator_sql(1, 30, duck=True):
        con.execute(statement)
    sums = bench.sums_from_rows(con.execute(bench._links_sql("")).fetchall(),
                                con.execute(bench._energy_sql("")).fetchall())
    figures = con.execute("SELECT sector, enterprise, year, product, item, quantity "
                          "FROM figure").fetchall()
    outputs = {(e, y, p): q for _s, e, y, p, i, q in figures if i == -1}
    by_sector: dict[int, dict] = defaultdict(lambda: defaultdict(float))
    for sector, e, y, p, i, q in figures:
        if i >= 0:
            group, factor = bench.INPUTS[i]
            by_sector[sector][(e, y, p, group)] += q * factor
    assert sorted(sums) == sorted(by_sector) == list(range(bench.SECTORS))
    for sector, cons in by_sector.items():
        observations = [methods.Observation(y, str(p), outputs[(e, y, p)], c, str(e), g)
                        for (e, y, p, g), c in cons.items()]
        want = methods.odex(observations, base_year=2020)
        got = sums[sector].odex(base_year=2020, last_year=2030)
        assert got.index == pytest.approx(want.index, rel=1e-9)
        assert {y: (k.series, k.units) for y, k in got.links.items()} == {
            y: (k.series, k.units) for y, k in want.links.items()}
    # entrants (from 2023) are in the 2023 data but not in the 2023 links
    present = {e for _s, e, y, _p, _i, _q in figures if y == 2023}
    assert sum(s.odex(base_year=2020, last_year=2030).links[2023].units
               for s in sums.values()) == len(present) - 3
    result = bench.recompute(con.execute(bench._links_sql("")).fetchall(),
                             con.execute(bench._energy_sql("")).fetchall(), [], [], 2030)
    assert result[0][0][2020] == 100.0 and result[0][0][2030] is not None
