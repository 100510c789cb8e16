"""The sector consumption index computed in the database, from the raw figures
(`progress.consumption`) and from the summary (`progress.summary`, the live path), equals
the plain-Python reference (`progress.tests.reference`: every accepted line read through
the ORM, `methods.odex` and `methods.lmdi` over the observations), on fixed cases and on
random figures entered through the registry's service; it follows acceptance at once, and
the summary stays in step with every change it is built from."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import bulk
from plans.models import Sector
from progress import summary as summary_module
from progress.consumption import factors_of
from progress.models import LinkPart, RecordPart
from progress.selectors import ConsumptionIndex, progress_for_period, sector_indices
from progress.summary import summary_current, summary_refresh
from progress.tests.reference import sector_indices_reference
from registry import services
from registry.conversion import UnitTable
from registry.models import Enterprise, MeasureUnit
from reporting.models import ReportRequest
from reporting.services import period_open, report_accept, report_reopen, report_submit

pytestmark = pytest.mark.django_db

REL = 1e-9  # the database adds in another order than Python: equal to the last few bits


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == pytest.approx(b, rel=REL, abs=1e-12)


def assert_same(got: ConsumptionIndex, want: ConsumptionIndex) -> None:
    assert got.notes == want.notes
    assert got.province.keys() == want.province.keys()
    assert all(_close(got.province[y], want.province[y]) for y in want.province)
    for g, w in zip(got.sectors, want.sectors, strict=True):
        assert g.sector == w.sector
        assert g.result.base_year == w.result.base_year
        assert g.result.notes == w.result.notes
        assert g.result.index.keys() == w.result.index.keys()
        assert all(_close(g.result.index[y], w.result.index[y]) for y in w.result.index)
        assert g.result.links.keys() == w.result.links.keys()
        for year, wl in w.result.links.items():
            gl = g.result.links[year]
            assert (gl.year, gl.series, gl.units) == (wl.year, wl.series, wl.units)
            assert _close(gl.value, wl.value)
            assert gl.groups.keys() == wl.groups.keys()
            assert all(_close(gl.groups[k], wl.groups[k]) for k in wl.groups)
        assert g.enterprises == w.enterprises
        assert g.group_names == w.group_names and g.lmdi_units == w.lmdi_units
        assert g.lmdi.keys() == w.lmdi.keys()
        for group, wd in w.lmdi.items():
            gd = g.lmdi[group]
            if wd is None:
                assert gd is None
                continue
            assert gd is not None
            assert (gd.start, gd.end, gd.series, gd.notes) == (wd.start, wd.end, wd.series,
                                                               wd.notes)
            for part in ("additive", "multiplicative"):
                assert all(_close(getattr(gd, part)[k], getattr(wd, part)[k])
                           for k in getattr(wd, part))
        assert {y: e for y, e in g.energy.items() if e} == pytest.approx(
            {y: e for y, e in w.energy.items() if e}, rel=REL)


def _record(enterprise: Any, year: int, lines: list[tuple]) -> None:
    """Lines (item, quantity, unit[, the product an input was used for])."""
    services.consumption_record_save(enterprise=enterprise, year=year, actor=None,
                                     lines=[(c, round(q, 2), *rest) for c, q, *rest in lines])


def summary_in_use() -> bool:
    return summary_current(factors_of(UnitTable()))


def assert_both_paths(plan, last_year: int) -> ConsumptionIndex:
    """The raw path (with detail) and the summary (without) against the reference; the
    summary must be the one read."""
    want = sector_indices_reference(plan=plan, last_year=last_year)
    full = sector_indices(plan=plan, last_year=last_year)
    assert_same(full, want)
    assert summary_in_use()
    lean = sector_indices(plan=plan, last_year=last_year, detail=False)
    assert lean.notes == want.notes and lean.province.keys() == want.province.keys()
    for g, w in zip(lean.sectors, want.sectors, strict=True):
        assert g.result.notes == w.result.notes
        assert all(_close(g.result.index[y], w.result.index[y]) for y in w.result.index)
        assert {y: (k.series, k.units) for y, k in g.result.links.items()} == {
            y: (k.series, k.units) for y, k in w.result.links.items()}
    assert all(_close(lean.province[y], want.province[y]) for y in want.province)
    return full


@pytest.fixture
def summary(units_loaded):
    """The unit table loaded and the summary built with it (a deployment's migrate does
    this; the test's transaction never commits, so the rebuild after the commit does not
    run by itself)."""
    summary_refresh(enterprise_ids=None)


@pytest.fixture
def figures(plan, make_enterprise, summary):
    """Cement (principal product clinker: its records keep that rule), coal (two products,
    inputs by output, pit props entered for clean coal), an entrant, a plant with zero
    output one year, one with no consumption one year, and a sector (textiles) without
    2020 data."""
    cement = make_enterprise("Xi măng Hạ Long", sector="cement")
    second = make_enterprise("Xi măng Cẩm Phả", sector="cement")
    coal = make_enterprise("Than Hà Lầm", sector="coal")
    entrant = make_enterprise("Than Mới", sector="coal")
    textile = make_enterprise("Dệt Quang Ninh", sector="textiles")
    for year, k in ((2020, 1.0), (2021, 0.97), (2022, 0.95), (2023, 0.93)):
        _record(cement, year, [("clinker", 1000 * k + year - 2000, "t"),
                               ("cement", 1500, "t"), ("limestone", 1300 * k, "t"),
                               ("coal-fuel-3-4", 120 * k, "t"),
                               ("electricity", 90_000 * k, "kWh")])
        _record(second, year, [("clinker", 0 if year == 2021 else 800, "t"),
                               ("limestone", 0 if year == 2021 else 1100 * k, "t"),
                               ("electricity", 0 if year == 2021 else 70 * k, "MWh")])
        _record(coal, year, [("coal", 2_000_000 * (2 - k), "t"),
                             ("coal-clean", 1_500_000, "t"),
                             ("explosives", 0 if year == 2022 else 900_000 * k, "kg"),
                             ("diesel", 3_000_000 * k, "l"),
                             ("pit-props", 4_000 * k, "m3", "coal-clean"),
                             ("diesel", 100_000, "l", "coal-clean"),
                             ("electricity", 50_000_000, "kWh")])
        if year >= 2022:
            _record(entrant, year, [("coal", 10_000, "t"), ("diesel", 99_000, "l")])
        if year >= 2021:
            _record(textile, year, [("yarn", 100, "t"), ("cotton", 110 * k, "t")])
    return {"cement": cement, "coal": coal}


def test_the_database_path_equals_the_reference(plan, figures):
    for last_year in (2021, 2023, 2025):
        got = assert_both_paths(plan, last_year)
    coal = next(s for s in got.sectors if s.sector.code == "coal")
    # the entrant is in the data but not in any link before 2023
    assert coal.result.links[2022].units == 1 and coal.result.links[2023].units == 2
    assert any("left out of the link" in n for n in coal.result.notes)
    cement = next(s for s in got.sectors if s.sector.code == "cement")
    assert any("zero output" in n for n in cement.result.notes)
    textiles = next(s for s in got.sectors if s.sector.code == "textiles")
    assert textiles.result.base_year is None  # no 2020 data: no index
    assert got.province[2023] is not None


def test_without_detail_the_index_is_the_same(plan, figures):
    full = sector_indices(plan=plan, last_year=2023)
    lean = sector_indices(plan=plan, last_year=2023, detail=False)
    assert lean.province == full.province
    assert [s.result.index for s in lean.sectors] == [s.result.index for s in full.sectors]
    assert all(not s.lmdi and not s.enterprises for s in lean.sectors)


def test_the_index_follows_acceptance_at_once(plan, figures, django_assert_max_num_queries):
    """An enterprise reporting for itself: its 2022 figures count only while its 2022
    report is accepted (accept, reopen, accept again), with no step in between."""
    enterprise = figures["coal"]
    designated = services.enterprise_designate(enterprise=enterprise, actor=None,
                                               since=dt.date(2021, 1, 1))
    period, _ = period_open(plan=plan, code="2022", actor=None, notify=False)
    report = ReportRequest.objects.get(period=period, org_unit=designated.unit)

    def coal_links():
        found = assert_both_paths(plan, 2023)
        return next(s for s in found.sectors if s.sector.code == "coal").result.links

    hidden = coal_links()
    assert hidden[2022].value is None  # Hà Lầm's 2022 is hidden, the entrant has no 2021
    report_submit(report=report, actor=None)
    assert coal_links()[2022].value is None
    report_accept(report=report, actor=None, notify=False)
    shown = coal_links()
    assert shown[2022].value is not None and shown[2022].units == 1
    report_reopen(report=report, actor=None, reason="Sửa số liệu.")
    assert coal_links()[2022].value is None
    period.delete()  # its reports go with it: the 2022 figures are outside any report again
    assert coal_links()[2022].value is not None


def test_the_statuses_read_the_index_in_a_fixed_number_of_queries(
        plan, figures, make_enterprise, django_assert_num_queries):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            progress_for_period(period=2025, plan=plan)
        return len(ctx.captured_queries)

    count()  # every sector's totals stored
    steady = count()
    first = make_enterprise("Than Một", sector="coal")
    _record(first, 2020, [("coal", 5000, "t"), ("diesel", 8000, "l")])
    after_one = count()  # the coal sector summed again
    more = [make_enterprise(f"Than Thêm {n}", sector="coal") for n in range(3)]
    for enterprise in more:
        for year in (2020, 2021, 2022):
            _record(enterprise, year, [("coal", 5000, "t"), ("diesel", 8000, "l")])
    assert count() == after_one == steady + 2  # one sum of the sector, one write
    assert count() == steady


# ------------------------------------------------------------------ random figures

PRODUCTS = {"cement": ["clinker", "cement"], "coal": ["coal", "coal-clean"],
            "beverages": ["beer", "soft-drinks"]}
INPUTS = [("limestone", "t"), ("explosives", "kg"), ("diesel", "l"), ("electricity", "MWh"),
          ("malt", "t"), ("coal-fuel-3-4", "t")]

quantity = st.one_of(st.just(0), st.integers(1, 10**7))
record = st.tuples(st.lists(st.sampled_from([0, 1]), min_size=1, max_size=2, unique=True),
                   st.lists(quantity, min_size=2, max_size=2),
                   st.lists(st.sampled_from(range(len(INPUTS))), min_size=0, max_size=3,
                            unique=True),
                   st.lists(quantity, min_size=3, max_size=3),
                   # the product each input was used for: none (shared) or the n-th
                   st.lists(st.sampled_from([None, 0, 1]), min_size=3, max_size=3),
                   st.sampled_from(["", "output", "principal"]))
enterprise = st.tuples(st.sampled_from(sorted(PRODUCTS)),
                       st.dictionaries(st.integers(2020, 2024), record, max_size=5))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(enterprise, min_size=1, max_size=4))
def test_random_figures_give_the_reference_results(plan, make_enterprise, summary, data):
    sid = transaction.savepoint()
    try:
        for n, (sector, years) in enumerate(data):
            made = make_enterprise(f"Công ty {n}", sector=sector)
            for year, (products, outputs, inputs, used, dests, rule) in sorted(years.items()):
                made_of = {PRODUCTS[sector][p]: outputs[i] for i, p in enumerate(products)}
                lines: list[tuple] = [(code, q, "t" if sector != "beverages" else "l")
                                      for code, q in made_of.items()]
                if any(made_of.values()):
                    for i, k in enumerate(inputs):
                        dest = None if dests[i] is None else PRODUCTS[sector][dests[i]]
                        # an input names a product only if the record makes it
                        lines.append((INPUTS[k][0], used[i], INPUTS[k][1],
                                      dest if made_of.get(dest) else ""))
                principal = made.sector.principal_product in made_of
                services.consumption_record_save(
                    enterprise=made, year=year, actor=None,
                    allocation=rule if rule != "principal" or principal else "output",
                    lines=lines)
        for last_year in (2022, 2024):
            assert_both_paths(plan, last_year)
    finally:
        transaction.savepoint_rollback(sid)


def _parts() -> tuple[list[tuple], list[tuple]]:
    def rows(model: Any) -> list[tuple]:
        names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        return sorted(tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                      for row in model.objects.values_list(*names))
    return rows(RecordPart), rows(LinkPart)


def test_a_rewrite_of_many_enterprises_at_once_equals_one_at_a_time(plan, figures,
                                                                    monkeypatch):
    """An import rewrites thousands of enterprises' parts in one go, planned like a full
    rebuild and stored by COPY on PostgreSQL: the parts are those of one at a time."""
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    for pk in ids:
        summary_refresh(enterprise_ids=[pk])
    one_at_a_time = _parts()
    assert len(one_at_a_time[0]) > 10 and len(one_at_a_time[1]) > 10
    monkeypatch.setattr(summary_module, "MANY", 1)
    monkeypatch.setattr(bulk, "COPY_FROM", 1)
    summary_refresh(enterprise_ids=ids)
    assert _parts() == one_at_a_time
    assert_both_paths(plan, 2023)


def test_the_summary_follows_edits_deletions_sectors_and_principal_products(plan, figures):
    coal = figures["coal"]
    assert_both_paths(plan, 2023)
    before = set(LinkPart.objects.filter(enterprise=coal).values_list(
        "year", "group", "before_weighted"))
    # an edit: 2022's diesel doubles
    _record(coal, 2022, [("coal", 2_100_000, "t"), ("coal-clean", 1_500_000, "t"),
                         ("explosives", 800_000, "kg"), ("diesel", 6_000_000, "l"),
                         ("electricity", 50_000_000, "kWh")])
    assert set(LinkPart.objects.filter(enterprise=coal).values_list(
        "year", "group", "before_weighted")) != before
    assert_both_paths(plan, 2023)
    # a deletion: 2022 goes, and with it the links of 2022 and 2023
    record = coal.records.get(year=2022)
    services.consumption_record_delete(record=record, actor=None)
    assert not RecordPart.objects.filter(record_id=record.pk).exists()
    assert set(LinkPart.objects.filter(enterprise=coal).values_list("year", flat=True)) == {
        2021}
    assert_both_paths(plan, 2023)
    # a new record in the gap brings both links back
    _record(coal, 2022, [("coal", 2_000_000, "t"), ("diesel", 2_900_000, "l")])
    assert set(LinkPart.objects.filter(enterprise=coal).values_list("year", flat=True)) == {
        2021, 2022, 2023}
    assert_both_paths(plan, 2023)
    # the cement plant moves to coal (no principal product): inputs by output from then on
    cement = figures["cement"]
    services.enterprise_save(entry=cement, actor=None, data={
        "tax_code": cement.tax_code, "name": cement.name, "place": cement.place,
        "valid_from": cement.valid_from, "sector": Sector.objects.get(plan=plan, code="coal")})
    assert_both_paths(plan, 2023)
    # coal gets a principal product: every coal record's inputs go to it
    sector = Sector.objects.get(plan=plan, code="coal")
    sector.principal_product = "coal-clean"
    sector.save()
    assert_both_paths(plan, 2023)


def test_a_changed_unit_table_reads_the_raw_figures_until_rebuilt(
        plan, figures, django_capture_on_commit_callbacks):
    unit = MeasureUnit.objects.get(code="kg")
    unit.factor = unit.factor * 2  # explosives in kg now weigh twice as much
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        unit.save()
    assert callbacks and not summary_in_use()
    want = sector_indices_reference(plan=plan, last_year=2023)
    assert_same(sector_indices(plan=plan, last_year=2023), want)
    lean = sector_indices(plan=plan, last_year=2023, detail=False)
    assert lean.province == pytest.approx(want.province, rel=REL)
    for callback in callbacks:
        callback()
    assert_both_paths(plan, 2023)


def test_one_sector_alone_is_that_sector_of_all(plan, figures):
    """A sector's page computes its detail from its own figures only: the same index,
    links, LMDI and enterprises as the whole computation gives that sector."""
    whole = sector_indices(plan=plan, last_year=2023)
    for want in whole.sectors:
        alone = sector_indices(plan=plan, last_year=2023, sector=want.sector)
        assert alone.province == {} and len(alone.sectors) == 1
        assert_same(ConsumptionIndex(alone.sectors, {}, alone.notes),
                    ConsumptionIndex([want], {}, alone.notes))
    assert any(s.enterprises for s in whole.sectors)


def test_the_sector_chart_and_page_read_the_summary_for_the_index(client, plan, figures,
                                                                   coordinator):
    """The charts need the index alone: no raw figure is read; the page reads its own
    sector's figures, not every sector's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    for url in ("/progress/charts/sector/coal.svg?period=2023",
                "/progress/charts/province/all.svg?period=2023"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not any("registry_consumptionline" in q["sql"] for q in queries), url
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/progress/sectors/coal/?period=2023").content.decode()
    assert "Than Hà Lầm" in html and "(2)" in html
    sector = Sector.objects.get(plan=plan, code="coal")
    raw = [q["sql"] for q in queries if "registry_consumptionline" in q["sql"]]
    assert raw and all(f"s.id = {sector.pk}" in q or f'"s"."id" = {sector.pk}' in q
                       for q in raw), raw[0][-300:]


def test_a_sector_page_is_kept_until_the_sector_changes(client, plan, figures, coordinator):
    """Seen again unchanged, the page reads no raw figure; a change of the sector's
    figures shows at the next view."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page() -> str:  # the page without its CSRF token, which changes at every view
        html = client.get(url).content.decode()
        return re.sub(r'(FToken": |csrfmiddlewaretoken" value=)"[^"]+"', "", html)

    client.force_login(coordinator)
    url = "/progress/sectors/coal/?period=2023"
    first = page()
    with CaptureQueriesContext(connection) as queries:
        again = page()
    assert again == first
    assert not any("registry_consumptionline" in q["sql"] for q in queries)
    coal = figures["coal"]
    _record(coal, 2023, [("coal", 2_500_000, "t"), ("coal-clean", 1_500_000, "t"),
                         ("explosives", 1, "kg"), ("diesel", 10, "l"),
                         ("electricity", 50_000_000, "kWh")])
    with CaptureQueriesContext(connection) as queries:
        changed = page()
    assert any("registry_consumptionline" in q["sql"] for q in queries)
    assert changed != first


def test_an_enterprise_reporter_reads_the_names_behind_a_sector_not_the_registry(
        client, plan, figures, make_user):
    from accounts.models import Role

    designated = services.enterprise_designate(enterprise=figures["coal"], actor=None,
                                               since=dt.date(2021, 1, 1))
    for role, unit, links in ((Role.REPORTER, designated.unit.code, False),
                              (Role.REPORTER, "sct", True)):
        client.force_login(make_user(role, unit))
        html = client.get("/progress/sectors/coal/?period=2023").content.decode()
        assert "Than Hà Lầm" in html
        assert ('href="/registry/enterprises/' in html) is links


def test_the_kept_indices_equal_the_computed_ones_and_follow_changes(plan, figures):
    """What the consolidated report reads: every sector computed in one pass the first
    time, then kept while unchanged, the same as computed at once; a changed sector is
    computed again from its own figures alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from progress.selectors import sector_indices_kept

    def raw(queries) -> list[str]:
        return [q["sql"] for q in queries if "registry_consumptionline" in q["sql"]]

    with CaptureQueriesContext(connection) as first:
        assert_same(sector_indices_kept(plan=plan, last_year=2023),
                    sector_indices(plan=plan, last_year=2023))
    with CaptureQueriesContext(connection) as again:
        sector_indices_kept(plan=plan, last_year=2023)
    assert raw(first) and not raw(again)
    coal = figures["coal"]
    _record(coal, 2023, [("coal", 2_500_000, "t"), ("coal-clean", 1_500_000, "t"),
                         ("diesel", 10, "l"), ("electricity", 50_000_000, "kWh")])
    with CaptureQueriesContext(connection) as changed:
        kept = sector_indices_kept(plan=plan, last_year=2023)
    assert_same(kept, sector_indices(plan=plan, last_year=2023))
    assert raw(changed) and all(f"s.id = {coal.sector_id}" in q for q in raw(changed))
