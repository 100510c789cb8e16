"""The demo loads quickly, twice without change, and shows the plan's targets near where
the demo story puts them in 2025."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role, User
from common.models import AuditEvent
from registry.demo import demo_load, series_records
from registry.models import Area, ConsumptionRecord, Enterprise
from registry.selectors import (
    area_reach,
    counts_by_place,
    enterprise_records,
    packaging_coverage,
    place_moves_preview,
    reach_total,
)
from registry.specs import REGISTRIES

pytestmark = pytest.mark.django_db


def test_demo_loads_in_a_bounded_number_of_queries_and_idempotently(
        plan, django_assert_max_num_queries):
    # the work measured in queries (4.834 when written), not in seconds: a slow machine
    # does not fail it, a loader that starts querying per line does. Each figure save
    # also rewrites that enterprise's part of the progress summary in its transaction
    # (about 13 queries, progress.summary): 8.648 with that
    with django_assert_max_num_queries(5500):
        counts = demo_load(actor=None)
    assert counts["areas"] >= 30 and counts["retailers"] >= 40
    assert counts["enterprises"] >= 30 and counts["st_enterprises"] >= 5
    events = AuditEvent.objects.count()
    records = ConsumptionRecord.objects.count()
    with django_assert_max_num_queries(4000):
        assert demo_load(actor=None) == counts
    assert AuditEvent.objects.count() == events
    assert ConsumptionRecord.objects.count() == records


def test_demo_entries_lie_in_their_commune_level_place(plan):
    demo_load(actor=None)
    day = dt.date(2025, 8, 1)
    for spec in REGISTRIES.values():
        rows = counts_by_place(spec=spec, day=day)
        assert rows and all(r.unit is not None and r.unit.is_commune_level for r in rows), spec
    assert place_moves_preview(day=day) == []
    assert Area.objects.get(code="kcn-viet-hung").place.code == "p-viet-hung"
    # Before 1 July 2025 the same entries count under the districts of the time.
    districts = counts_by_place(spec=REGISTRIES["areas"], day=dt.date(2024, 12, 31))
    assert all(r.unit is not None and r.unit.is_district_level for r in districts)


def test_demo_tells_the_plan_story(plan):
    demo_load(actor=None)
    day = dt.date(2025, 12, 31)
    reach = reach_total(area_reach(day=day, since=dt.date(2021, 1, 1)))
    assert 65 <= reach.share <= 75
    packaging = reach_total(packaging_coverage(day=day))
    assert 80 <= packaging.share <= 86
    # three enterprises report through the cycle, each with its reporter dn-<tax code>
    designated = Enterprise.objects.filter(reporting_unit__isnull=False)
    assert designated.count() == 3
    for e in designated:
        user = User.objects.get(username=f"dn-{e.tax_code}")
        assert user.role == Role.REPORTER and user.org_unit_id == e.reporting_unit_id
        assert user.check_password("demo1234")
    # everything demo is marked illustrative
    assert not ConsumptionRecord.objects.filter(illustrative=False).exists()


def test_most_demo_intensities_fall(plan):
    demo_load(actor=None)
    falling = rising = 0
    for e in Enterprise.objects.filter(records__year=2020).distinct():
        views = {v.record.year: v for v in enterprise_records(enterprise=e, user=None)
                 if v.record.period == "year"}
        if 2025 in views and views[2020].intensity and views[2025].intensity:
            if views[2025].intensity < views[2020].intensity:
                falling += 1
            else:
                rising += 1
    assert falling >= 15 and rising <= 3


def test_series_are_deterministic():
    spec = {"base": 1000, "growth": 0.1, "years": [2020, 2021], "h1": True}
    profile = {"output": {"item": "coal", "unit": "t"}, "efficiency": -0.02,
               "inputs": [{"item": "diesel", "unit": "l", "per_unit": 3}]}
    a = series_records(tax_code="x", series=spec, profile=profile)
    assert a == series_records(tax_code="x", series=spec, profile=profile)
    assert [(y, p) for y, p, _ in a] == [(2020, "year"), (2020, "h1"), (2021, "year"),
                                         (2021, "h1")]
    out_2021 = a[2][2][0][1]
    assert 1100 * 0.985 <= out_2021 <= 1100 * 1.015


def test_the_demo_has_a_plant_entering_inputs_per_product(plan):
    demo_load(actor=None)
    record = ConsumptionRecord.objects.get(enterprise__tax_code="5710021557", year=2025,
                                           period="year")
    lines = {(ln.item.code, ln.product.code if ln.product else "")
             for ln in record.lines.select_related("item", "product")}
    assert {("clinker", ""), ("cement", ""), ("limestone", "clinker"),
            ("electricity", "clinker"), ("electricity", "cement"), ("gypsum", "cement"),
            ("diesel", "")} <= lines
    # diesel names no product: the record says how it is shared (it reports clinker, the
    # sector's principal product)
    assert record.allocation == "principal"


def test_a_bulk_load_derives_the_figures_once(plan, monkeypatch):
    """The demo writes 171 records; the progress summary is refreshed once, for every
    enterprise written, inside the load's transaction."""
    from registry import signals

    sent: list[list[int]] = []
    monkeypatch.setattr(signals.figures_changed, "send",
                        lambda sender, enterprise_ids: sent.append(enterprise_ids))
    demo_load(actor=None)
    assert len(sent) == 1
    assert sent[0] == sorted(set(ConsumptionRecord.objects.values_list(
        "enterprise_id", flat=True)))
