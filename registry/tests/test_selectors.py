"""Counts as of a day (by kind and by place, across openings, closings and the 2025
reorganisation), awareness reach, packaging coverage, and place resolution."""

from __future__ import annotations

import datetime as dt

import pytest

from orgunits.models import OrgUnit
from orgunits.selectors import orgunit_successors_on
from registry import services
from registry.places import PlaceResolver
from registry.selectors import (
    area_reach,
    counts_by_place,
    packaging_coverage,
    registry_counts,
)
from registry.specs import REGISTRIES
from registry.tests.conftest import unit

pytestmark = pytest.mark.django_db
D = dt.date


def _count(day, slug="areas", kind=None):
    row = next(c for c in registry_counts(day=day) if c.spec.slug == slug)
    if kind is None:
        return row.total
    return next(k.count for k in row.kinds if k.kind == kind)


def test_counts_follow_openings_and_closings(make_area):
    make_area("KCN A", opened=D(2015, 1, 1))
    make_area("KCN B", opened=D(2022, 7, 1))
    make_area("KCN C", opened=D(2010, 1, 1), closed=D(2023, 1, 1))
    make_area("CCN D", kind="industrial_cluster", opened=D(2021, 3, 15))
    assert _count(D(2014, 12, 31)) == 1                       # only C
    assert _count(D(2021, 3, 14), kind="industrial_cluster") == 0
    assert _count(D(2021, 3, 15), kind="industrial_cluster") == 1  # opening day counts
    assert _count(D(2022, 6, 30), kind="industrial_park") == 2     # A, C
    assert _count(D(2022, 7, 1), kind="industrial_park") == 3      # + B
    assert _count(D(2022, 12, 31), kind="industrial_park") == 3
    assert _count(D(2023, 1, 1), kind="industrial_park") == 2      # closing day excluded
    assert _count(D(2023, 1, 1)) == 3


def test_every_registry_is_counted_in_one_query_each(make_area, django_assert_num_queries):
    make_area()
    with django_assert_num_queries(len(REGISTRIES)):
        counts = registry_counts(day=D(2024, 1, 1))
    assert {c.spec.slug for c in counts} == set(REGISTRIES)


def _by_place(day, spec="areas"):
    return {(r.unit.code if r.unit else f"divided:{r.divided_from.code}"): r.total
            for r in counts_by_place(spec=REGISTRIES[spec], day=day)}


def test_counts_by_place_follow_the_reorganisation(make_area):
    # recorded in Hạ Long (a city of 2020) and known to lie in Bãi Cháy after the split
    make_area("KCN Cái Lân", place="tp-ha-long", later="p-bai-chay", opened=D(2000, 1, 1))
    # recorded in Hạ Long with no place after the split
    make_area("KCN Việt Hưng", place="tp-ha-long", opened=D(2008, 1, 1))
    # a district with one successor (Vân Đồn → special zone Vân Đồn)
    make_area("KKT Vân Đồn", kind="economic_zone", place="h-van-don", opened=D(2007, 1, 1))
    # recorded after the reorganisation in a ward of 2025, opened long before
    make_area("KCN Hải Yên", place="p-mong-cai-2", opened=D(2009, 1, 1))

    before = _by_place(D(2025, 6, 30))
    assert before == {"tp-ha-long": 2, "h-van-don": 1, "tp-mong-cai": 1}
    after = _by_place(D(2025, 7, 1))
    assert after == {"p-bai-chay": 1, "dk-van-don": 1, "p-mong-cai-2": 1,
                     "divided:tp-ha-long": 1}
    assert sum(after.values()) == sum(before.values()) == 4


def test_counts_by_place_use_a_fixed_number_of_queries(make_area, django_assert_num_queries):
    for i in range(6):
        make_area(f"CCN {i}", kind="industrial_cluster", place="tp-uong-bi")
    PlaceResolver()  # org units read once per process, as on a running server
    with django_assert_num_queries(2):  # the aggregate, the org units' fingerprint
        rows = counts_by_place(spec=REGISTRIES["areas"], day=D(2025, 8, 1))
    assert rows[0].unit is None and rows[0].total == 6  # Uông Bí was split three ways


def test_place_resolution_agrees_with_orgunit_successors_on(db):
    resolver = PlaceResolver()
    for code in ["tp-ha-long", "h-van-don", "tx-dong-trieu", "skhdt", "h-hai-ha"]:
        u = OrgUnit.objects.get(code=code)
        for day in [D(2020, 1, 1), D(2024, 12, 1), D(2025, 7, 1), D(2026, 1, 1)]:
            mine = [x.code for x in resolver.units_on(u.pk, day)]
            theirs = [x.code for x in orgunit_successors_on(unit=u, day=day)]
            assert mine == theirs, (code, day)


def test_a_new_unit_resolves_backwards_before_it_existed(db):
    resolver = PlaceResolver()
    ward = unit("p-bai-chay")
    assert [u.code for u in resolver.units_on(ward.pk, D(2023, 1, 1))] == ["tp-ha-long"]
    dong_trieu = unit("p-mao-khe")
    assert [u.code for u in resolver.units_on(dong_trieu.pk, D(2023, 1, 1))] == ["tx-dong-trieu"]
    assert [u.code for u in resolver.units_on(dong_trieu.pk, D(2025, 1, 1))] == ["tp-dong-trieu"]


def test_retailers_by_place(make_retailer):
    make_retailer("Vincom Hạ Long", kind="commercial_centre", place="p-hong-gai",
                  opened=D(2014, 1, 1))
    make_retailer("GO! Hạ Long", place="tp-ha-long", later="p-ha-long", opened=D(2011, 1, 1))
    assert _by_place(D(2024, 1, 1), "retailers") == {"tp-ha-long": 2}
    assert _by_place(D(2025, 7, 2), "retailers") == {"p-hong-gai": 1, "p-ha-long": 1}


def test_area_reach_counts_areas_reached_since_a_day(make_area, coordinator):
    a = make_area("KCN A", opened=D(2015, 1, 1))
    b = make_area("KCN B", opened=D(2015, 1, 1))
    make_area("KCN C", opened=D(2015, 1, 1), closed=D(2024, 1, 1))
    v = make_area("Làng nghề gốm", kind="craft_village", place="tx-dong-trieu",
                  opened=D(1990, 1, 1))
    services.activity_save(data={"date": D(2019, 5, 1), "organiser": unit("sct"),
                                 "title": "Trước kế hoạch", "areas": [a]}, actor=None)
    services.activity_save(data={"date": D(2022, 5, 1), "organiser": unit("sct"),
                                 "title": "Tập huấn", "areas": [b, v]}, actor=None)
    rows = {r.kind: r for r in area_reach(day=D(2023, 1, 1), since=D(2021, 1, 1))}
    assert (rows["industrial_park"].total, rows["industrial_park"].reached) == (3, 1)
    assert (rows["craft_village"].total, rows["craft_village"].reached) == (1, 1)
    rows = {r.kind: r for r in area_reach(day=D(2022, 4, 30), since=D(2021, 1, 1))}
    assert rows["industrial_park"].reached == 0
    rows = {r.kind: r for r in area_reach(day=D(2024, 6, 1), since=D(2021, 1, 1))}
    assert (rows["industrial_park"].total, rows["industrial_park"].reached) == (2, 1)
    assert str(rows["industrial_park"].share) == "50.0"
    rows = {r.kind: r for r in area_reach(day=D(2024, 6, 1))}
    assert rows["industrial_park"].reached == 2  # since ever: A counts too


def test_packaging_coverage_as_of_a_day(make_retailer):
    s1 = make_retailer("S1", opened=D(2015, 1, 1))
    s2 = make_retailer("S2", opened=D(2015, 1, 1))
    c1 = make_retailer("C1", kind="commercial_centre", opened=D(2018, 1, 1))
    make_retailer("Store", kind="convenience_store", opened=D(2018, 1, 1))
    services.packaging_save(retailer=s1, data={"since": D(2021, 3, 1), "basis": "inspected"},
                            actor=None)
    services.packaging_save(retailer=s2, data={"since": D(2022, 3, 1), "until": D(2023, 3, 1),
                                               "basis": "declared"}, actor=None)
    services.packaging_save(retailer=c1, data={"since": D(2023, 1, 1), "basis": "declared"},
                            actor=None)

    def cov(day):
        rows = packaging_coverage(day=day)
        return sum(r.reached for r in rows), sum(r.total for r in rows)

    assert cov(D(2021, 1, 1)) == (0, 3)
    assert cov(D(2022, 6, 1)) == (2, 3)
    assert cov(D(2023, 2, 1)) == (3, 3)
    assert cov(D(2023, 3, 1)) == (2, 3)  # S2 stopped
