"""Who is responsible on date D: successor walks, counts of units by level, history and the
tree export, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest

from orgunits.models import (
    AGENCY_KINDS,
    COMMUNE_LEVEL_KINDS,
    DISTRICT_LEVEL_KINDS,
    OrgUnit,
    OrgUnitKind,
    Succession,
)
from orgunits.selectors import (
    SuccessionGraph,
    orgunit_graph,
    orgunit_history,
    orgunit_successors_on,
    orgunit_tree,
    orgunits_of_kinds_on,
    orgunits_responsible_on,
)
from orgunits.tests.helpers import load_reference

D = dt.date
PLAN_ISSUED = D(2020, 8, 6)

HA_LONG_SUCCESSORS = {
    "p-ha-tu", "p-cao-xanh", "p-viet-hung", "p-bai-chay", "p-ha-lam", "p-hong-gai",
    "p-ha-long", "p-tuan-chau", "p-hoanh-bo", "x-quang-la", "x-thong-nhat",
    "x-luong-minh", "x-ky-thuong",
}
DONG_TRIEU_WARDS = {"p-mao-khe", "p-binh-khe", "p-an-sinh", "p-dong-trieu", "p-hoang-que"}


@pytest.fixture
def units(db) -> dict[str, OrgUnit]:
    load_reference()
    orgunit_graph()  # warm, so query counts below are those of a running server
    return {u.code: u for u in OrgUnit.objects.all()}


def codes(found) -> set[str]:
    return {u.code for u in found}


@pytest.mark.parametrize(
    ("code", "day", "expected"),
    [
        ("skhdt", D(2024, 12, 31), {"skhdt"}),
        ("skhdt", D(2025, 2, 28), {"skhdt"}),
        ("skhdt", D(2025, 3, 1), {"stc"}),
        ("skhdt", D(2025, 6, 1), {"stc"}),
        ("stc", D(2025, 6, 1), {"stc"}),
        ("svhtt", D(2025, 6, 1), {"svhttdl"}),
        ("stnmt", D(2025, 6, 1), {"snnmt"}),
        ("snnptnt", D(2025, 6, 1), {"snnmt"}),
        ("sgtvt", D(2025, 6, 1), {"sxd"}),
        ("sldtbxh", D(2025, 6, 1), {"snv"}),
        ("stttt", D(2025, 6, 1), {"skhcn"}),
        ("sct", D(2030, 1, 1), {"sct"}),
        ("nhnn-qn", D(2025, 3, 1), {"nhnn-kv"}),
        ("h-van-don", D(2025, 6, 30), {"h-van-don"}),
        ("h-van-don", D(2025, 8, 1), {"dk-van-don"}),
        ("h-co-to", D(2025, 8, 1), {"dk-co-to"}),
        ("tp-ha-long", D(2025, 8, 1), HA_LONG_SUCCESSORS),
        ("tx-dong-trieu", D(2024, 10, 31), {"tx-dong-trieu"}),
        ("tx-dong-trieu", D(2025, 1, 1), {"tp-dong-trieu"}),
        ("tx-dong-trieu", D(2025, 8, 1), DONG_TRIEU_WARDS),
        ("tp-dong-trieu", D(2020, 8, 6), set()),  # not yet opened
        ("p-ha-tu", D(2025, 6, 30), set()),
        ("p-ha-tu", D(2025, 7, 1), {"p-ha-tu"}),
        ("h-binh-lieu", D(2025, 8, 1), {"x-binh-lieu", "x-hoanh-mo", "x-luc-hon",
                                        "x-tien-yen"}),
    ],
)
def test_successors_on(units, django_assert_num_queries, code, day, expected):
    with django_assert_num_queries(1):
        found = orgunit_successors_on(unit=units[code], day=day)
    assert codes(found) == expected
    assert len(found) == len(expected)


def test_units_spanning_two_districts_succeed_both(units):
    day = D(2025, 8, 1)
    for commune, districts in {
        "x-hai-hoa": {"h-tien-yen", "tp-cam-pha"},
        "x-luong-minh": {"tp-ha-long", "h-ba-che"},
        "x-ky-thuong": {"tp-ha-long", "h-ba-che"},
        "x-tien-yen": {"h-tien-yen", "h-binh-lieu"},
    }.items():
        for district in districts:
            assert commune in codes(orgunit_successors_on(unit=units[district], day=day))
        preds = {link.unit.code for link in orgunit_history(unit=units[commune]).predecessors}
        assert preds == districts


def test_district_level_counts_around_abolition(units, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = orgunits_of_kinds_on(kinds=DISTRICT_LEVEL_KINDS, day=D(2025, 6, 30))
    assert len(before) == 13
    assert codes(before) >= {"tp-dong-trieu", "tx-quang-yen", "h-co-to"}
    assert "tx-dong-trieu" not in codes(before)
    assert len(orgunits_of_kinds_on(kinds=DISTRICT_LEVEL_KINDS, day=PLAN_ISSUED)) == 13
    assert orgunits_of_kinds_on(kinds=DISTRICT_LEVEL_KINDS, day=D(2025, 7, 1)) == []


def test_commune_level_counts_from_july_2025(units):
    found = orgunits_of_kinds_on(kinds=COMMUNE_LEVEL_KINDS, day=D(2025, 7, 1))
    by_kind = {k: sum(1 for u in found if u.kind == k) for k in COMMUNE_LEVEL_KINDS}
    assert len(found) == 54
    assert by_kind == {OrgUnitKind.WARD: 30, OrgUnitKind.COMMUNE: 22,
                       OrgUnitKind.SPECIAL_ZONE: 2}
    assert codes(u for u in found if u.kind == OrgUnitKind.SPECIAL_ZONE) == {
        "dk-van-don", "dk-co-to"
    }
    assert orgunits_of_kinds_on(kinds=COMMUNE_LEVEL_KINDS, day=D(2025, 6, 30)) == []
    assert all(len(u.official_code) == 5 and u.official_code.isdigit() for u in found)
    assert len({u.official_code for u in found}) == 54


def test_every_closed_district_has_commune_level_successors(units):
    districts = [u for u in units.values() if u.kind in DISTRICT_LEVEL_KINDS]
    assert len(districts) == 14  # the 13 of 2020 plus tp-dong-trieu
    for unit in districts:
        assert unit.valid_to is not None, unit.code
        assert Succession.objects.filter(predecessor=unit).exists(), unit.code
        after = orgunit_successors_on(unit=unit, day=D(2025, 7, 1))
        assert after, unit.code
        assert all(u.kind in COMMUNE_LEVEL_KINDS for u in after), unit.code
    closing = {u.valid_to for u in districts if u.code != "tx-dong-trieu"}
    assert closing == {D(2025, 7, 1)}


def test_all_2020_districts_lead_to_exactly_the_54_new_units(units,
                                                             django_assert_num_queries):
    start = orgunits_of_kinds_on(kinds=DISTRICT_LEVEL_KINDS, day=PLAN_ISSUED)
    with django_assert_num_queries(1):
        found = orgunits_responsible_on(units=start, day=D(2025, 8, 1))
    assert len(found) == 54 == len(codes(found))


def test_responsible_on_unions_deduplicates_and_orders(units, django_assert_num_queries):
    start = orgunits_of_kinds_on(kinds=AGENCY_KINDS, day=PLAN_ISSUED)
    # 20 departments and bodies of department rank, 3 other agencies, the bank branch
    assert len(start) == 24
    assert {u.code for u in start} >= {"syt", "stp", "thanh-tra", "vp-dbqh-hdnd-ubnd",
                                       "ban-dan-toc", "bqlkkt", "bqlkkt-van-don", "ttt-qn"}
    with django_assert_num_queries(1):
        found = orgunits_responsible_on(units=start, day=D(2025, 8, 1))
    assert codes(found) == {"sct", "sgddt", "skhcn", "sngv", "snv", "stc", "sxd", "svhttdl",
                            "snnmt", "syt", "stp", "thanh-tra", "vp-ubnd", "sdttg", "bqlkkt",
                            "ttt-qn", "nhnn-kv"}
    assert len(found) == 17
    # departments first, then the other agencies, then the bank branch
    assert [u.code for u in found[-3:]] == ["bqlkkt", "ttt-qn", "nhnn-kv"]
    names = [u.name for u in found[:-3]]
    assert names[0] == "Sở Công Thương" and names[1] == "Sở Dân tộc và Tôn giáo"
    # Same input twice, and a mix of before/after units: still one of each.
    again = orgunits_responsible_on(units=[units["skhdt"], units["stc"], units["skhdt"]],
                                    day=D(2025, 8, 1))
    assert codes(again) == {"stc"} and len(again) == 1
    assert orgunits_responsible_on(units=[], day=D(2025, 8, 1)) == []


def test_a_task_transfer_moves_only_its_task(units, django_assert_num_queries,
                                            django_assert_max_num_queries):
    # Sở Thông tin và Truyền thông merged into Khoa học và Công nghệ; its press duties, and
    # with them task IV.7.1, went to Văn hóa, Thể thao và Du lịch.
    after = D(2025, 8, 1)
    with django_assert_max_num_queries(3):  # the graph, read again if it changed
        graph = SuccessionGraph()
    assert codes(graph.responsible_on([units["stttt"]], after)) == {"skhcn"}
    with django_assert_num_queries(0):
        moved = graph.responsible_on([units["stttt"]], after, "141/KH-UBND IV.7.1")
    assert codes(moved) == {"svhttdl"}
    assert codes(graph.responsible_on([units["stttt"]], after, "141/KH-UBND IV.1.1")) == {
        "skhcn"}
    assert codes(graph.responsible_on([units["stttt"]], D(2025, 2, 28),
                                      "141/KH-UBND IV.7.1")) == {"stttt"}
    assert codes(graph.responsible_on([units["sldtbxh"]], after, "141/KH-UBND IV.8.1")) == {
        "sgddt"}
    assert "141/KH-UBND IV.8.1" in graph.transferred_tasks
    # A transfer does not close its predecessor: Nội vụ passed religion on and goes on.
    assert units["snv"].valid_to is None
    assert codes(orgunit_successors_on(unit=units["snv"], day=after)) == {"snv"}
    assert codes(orgunit_successors_on(unit=units["ban-dan-toc"], day=after)) == {"sdttg"}
    assert codes(orgunit_successors_on(unit=units["vp-dbqh-hdnd-ubnd"], day=after)) == {
        "vp-ubnd"}
    assert codes(orgunit_successors_on(unit=units["bqlkkt-van-don"], day=after)) == {"bqlkkt"}


def test_history(units, django_assert_num_queries):
    with django_assert_num_queries(1):
        history = orgunit_history(unit=units["stc"])
    assert {(link.unit.code, link.date) for link in history.predecessors} == {
        ("skhdt", D(2025, 3, 1))
    }
    assert history.successors == []
    history = orgunit_history(unit=units["tp-dong-trieu"])
    assert [link.unit.code for link in history.predecessors] == ["tx-dong-trieu"]
    assert {link.unit.code for link in history.successors} == DONG_TRIEU_WARDS
    assert all(link.kind == "split" and link.date == D(2025, 7, 1)
               for link in history.successors)


def test_tree_export(units, django_assert_num_queries):
    with django_assert_num_queries(2):
        tree = orgunit_tree(day=None)
    by_code = {u["code"]: u for u in tree}
    assert len(tree) == OrgUnit.objects.count()
    assert by_code["skhdt"]["valid_to"] == "2025-03-01"
    assert by_code["skhdt"]["successors"] == [
        {"code": "stc", "date": "2025-03-01", "kind": "merge", "share": None,
         "uncertain": True, "tasks": []}
    ]
    assert {"code": "svhttdl", "date": "2025-03-01", "kind": "transfer", "share": None,
            "uncertain": True, "tasks": ["141/KH-UBND IV.7.1"]} in by_code["stttt"]["successors"]
    assert by_code["p-ha-tu"]["parent"] == "quang-ninh"
    assert by_code["p-ha-tu"]["predecessors"][0]["code"] == "tp-ha-long"
    with django_assert_num_queries(2):
        on_day = orgunit_tree(day=D(2025, 8, 1))
    assert {u["code"] for u in on_day} >= {"stc", "p-ha-tu"}
    assert "skhdt" not in {u["code"] for u in on_day}
    kinds = [u["kind"] for u in on_day]
    order = [k.value for k in OrgUnitKind]
    assert kinds == sorted(kinds, key=order.index)


def test_walk_is_safe_on_a_cycle(units):
    # A data mistake (a → b → a, both closed) must not loop forever.
    a = OrgUnit.objects.create(code="cyc-a", name="A", kind="department",
                               valid_to=D(2030, 1, 1))
    b = OrgUnit.objects.create(code="cyc-b", name="B", kind="department",
                               valid_from=D(2030, 1, 1), valid_to=D(2031, 1, 1))
    Succession.objects.create(predecessor=a, successor=b, date=D(2030, 1, 1), kind="rename")
    Succession.objects.create(predecessor=b, successor=a, date=D(2031, 1, 1), kind="rename")
    assert orgunit_successors_on(unit=a, day=D(2032, 1, 1)) == []


def test_the_graph_is_read_once_and_again_only_after_a_change(units,
                                                              django_assert_num_queries):
    first = orgunit_graph()
    with django_assert_num_queries(1):  # the fingerprint
        assert orgunit_graph() is first
    stc = OrgUnit.objects.get(code="stc")
    stc.name = "Sở Tài chính (đổi tên)"
    stc.save()
    with django_assert_num_queries(3):  # fingerprint, units, successions
        renamed = orgunit_graph()
    assert renamed is not first
    assert renamed.units[stc.pk].name == "Sở Tài chính (đổi tên)"
    new = OrgUnit.objects.create(code="x-thu-nghiem", name="Xã Thử Nghiệm", kind="commune",
                                 valid_from=D(2025, 7, 1))
    Succession.objects.create(predecessor=units["h-co-to"], successor=new,
                              date=D(2025, 7, 1), kind="split")
    grown = orgunit_graph()
    assert new.pk in grown.units
    assert new.pk in {row.successor_id for row in grown.outgoing[units["h-co-to"].pk]}
    assert codes(orgunit_successors_on(unit=units["h-co-to"], day=D(2025, 8, 1))) >= {
        "x-thu-nghiem"}
    Succession.objects.filter(successor=new).delete()
    assert "x-thu-nghiem" not in codes(
        orgunit_successors_on(unit=units["h-co-to"], day=D(2025, 8, 1)))
