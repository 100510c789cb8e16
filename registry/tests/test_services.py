"""Writes on the registries: every impossible input refused with its reason and nothing
stored; every change kept in the history; designating an enterprise a reporting unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role, User
from common.exceptions import ConflictError
from common.models import AuditEvent
from orgunits.models import OrgUnitKind
from registry import services
from registry.models import (
    Area,
    ConsumptionLine,
    ConsumptionRecord,
    Enterprise,
    PackagingPractice,
)
from registry.selectors import entry_history
from registry.tests.conftest import tax_code, unit

pytestmark = pytest.mark.django_db


def _errors(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# ------------------------------------------------------------------ entries


def test_an_entry_closing_before_it_opens_is_refused(make_area):
    with pytest.raises(ValidationError) as exc:
        make_area(opened=dt.date(2020, 5, 1), closed=dt.date(2019, 1, 1))
    assert "close before it opens" in " ".join(_errors(exc)["valid_to"])
    with pytest.raises(ValidationError):
        make_area(opened=dt.date(2020, 5, 1), closed=dt.date(2020, 5, 1))
    assert not Area.objects.exists()


def test_place_must_be_local_and_later_place_a_successor(make_area):
    with pytest.raises(ValidationError) as exc:
        make_area(place="sct")
    assert "place" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        make_area(place="tp-ha-long", later="p-mong-cai-1")
    assert "did not take over" in " ".join(_errors(exc)["later_place"])
    area = make_area(place="tp-ha-long", later="p-bai-chay")
    assert area.later_place.code == "p-bai-chay"


def test_code_is_made_from_the_name_and_kept_unique(make_area):
    a = make_area("KCN Đông Mai", place="tx-quang-yen")
    b = make_area("KCN Đông Mai", place="tx-quang-yen")
    assert a.code == "kcn-dong-mai" and b.code == "kcn-dong-mai-2"
    with pytest.raises(ValidationError) as exc:
        make_area("Khác", code="kcn-dong-mai")
    assert "code" in _errors(exc)


def test_tax_code_failing_its_check_is_refused(make_enterprise):
    good = tax_code(5)
    bad = good[:9] + str((int(good[9]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        make_enterprise(code=bad)
    assert "check digit" in " ".join(_errors(exc)["tax_code"])
    with pytest.raises(ValidationError) as exc:
        make_enterprise(code="57001")
    assert "10 digits" in " ".join(_errors(exc)["tax_code"])
    assert not Enterprise.objects.exists()


def test_duplicate_enterprises_are_refused(make_enterprise):
    first = make_enterprise("Công ty cổ phần Than Hà Lầm", code=tax_code(10))
    with pytest.raises(ValidationError) as exc:
        make_enterprise("Another name", code=first.tax_code)
    assert "already registered" in " ".join(_errors(exc)["tax_code"])
    with pytest.raises(ValidationError) as exc:
        make_enterprise("CTCP THAN HÀ LẦM", code=tax_code(20))
    assert first.tax_code in " ".join(_errors(exc)["name"])
    # the same name in another place is another enterprise
    other = make_enterprise("CTCP THAN HÀ LẦM", code=tax_code(30), place="tp-cam-pha")
    # a branch has its own code
    branch = make_enterprise("Chi nhánh Than Hà Lầm", code=first.tax_code + "-001")
    assert Enterprise.objects.count() == 3 and other.pk and branch.code == branch.tax_code


def test_sector_must_belong_to_the_current_plan(make_enterprise, plan):
    from plans.models import Plan, Sector

    other_plan = Plan.objects.create(code="OLD/KH", slug="old", title="Old", issuer="x",
                                     issued_on=dt.date(2010, 1, 1), start_year=2010,
                                     end_year=2015, lead_agency=plan.lead_agency)
    old = Sector.objects.create(plan=other_plan, code="coal", name="Than")
    with pytest.raises(ValidationError) as exc:
        services.enterprise_save(data={"tax_code": tax_code(40), "name": "X", "sector": old,
                                       "place": unit("tp-ha-long"),
                                       "valid_from": dt.date(2020, 1, 1)}, actor=None)
    assert "sector" in _errors(exc)


def test_history_records_each_change_with_old_and_new(make_retailer, coordinator):
    r = make_retailer("GO! Hạ Long", actor=coordinator)
    services.retailer_save(data={"name": "GO! Hạ Long (Big C cũ)"}, actor=coordinator, entry=r)
    services.retailer_save(data={"name": "GO! Hạ Long (Big C cũ)"}, actor=coordinator, entry=r)
    events = list(entry_history(entry=r))
    assert [e.action for e in events] == ["retailer.update", "retailer.create"]
    change = next(c for c in events[0].changes if c["field"] == "name")
    assert change == {"field": "name", "old": "GO! Hạ Long", "new": "GO! Hạ Long (Big C cũ)"}
    assert events[0].actor == coordinator


def test_only_coordinators_write(make_area, make_user):
    reporter = make_user(Role.REPORTER, "tp-ha-long")
    with pytest.raises(PermissionDenied):
        make_area(actor=reporter)
    viewer = make_user(Role.VIEWER)
    with pytest.raises(PermissionDenied):
        make_area(actor=viewer)
    assert not Area.objects.exists()


def test_unknown_fields_are_refused(make_area):
    area = make_area()
    with pytest.raises(ValidationError) as exc:
        services.area_save(data={"colour": "red"}, actor=None, entry=area)
    assert "colour" in _errors(exc)


def test_a_zone_must_be_an_economic_zone(make_area):
    park = make_area("KCN A")
    with pytest.raises(ValidationError) as exc:
        services.area_save(data={"kind": "industrial_park", "name": "KCN B",
                                 "place": unit("tp-ha-long"), "zone": park,
                                 "valid_from": dt.date(2020, 1, 1)}, actor=None)
    assert "zone" in _errors(exc)


def test_a_model_needs_someone_running_it(db):
    with pytest.raises(ValidationError) as exc:
        services.scp_model_save(data={"kind": "scp", "name": "Mô hình", "operator": "",
                                      "place": unit("tp-ha-long"),
                                      "valid_from": dt.date(2022, 1, 1)}, actor=None)
    assert "operator" in _errors(exc)


def test_st_enterprise_opens_on_its_certificate_date(db):
    st = services.st_enterprise_save(data={
        "name": "Công ty KH&CN", "certificate_number": "01/DNKHCN", "certificate_date":
        dt.date(2022, 3, 4), "place": unit("tp-uong-bi")}, actor=None)
    assert st.valid_from == dt.date(2022, 3, 4)
    with pytest.raises(ValidationError) as exc:
        services.st_enterprise_save(data={
            "name": "Other", "certificate_number": "01/DNKHCN", "certificate_date":
            dt.date(2022, 3, 4), "place": unit("tp-uong-bi"), "tax_code": "123"}, actor=None)
    assert {"certificate_number", "tax_code"} <= set(_errors(exc))


# ------------------------------------------------------------------ activities, packaging


def test_activity_may_reach_only_areas_open_that_day(make_area, coordinator):
    old = make_area("KCN cũ", opened=dt.date(2000, 1, 1), closed=dt.date(2021, 1, 1))
    new = make_area("KCN mới", opened=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.activity_save(data={"date": dt.date(2022, 5, 1), "organiser": unit("sct"),
                                     "title": "Hội nghị", "areas": [old, new]},
                               actor=coordinator)
    assert "KCN cũ" in " ".join(_errors(exc)["areas"])
    act = services.activity_save(data={"date": dt.date(2022, 5, 1), "organiser": unit("sct"),
                                       "title": "Hội nghị", "areas": [new]}, actor=coordinator)
    assert list(act.areas.all()) == [new]
    with pytest.raises(ValidationError) as exc:
        services.activity_save(data={"date": dt.date.today() + dt.timedelta(days=3),
                                     "organiser": unit("sct"), "title": "Sau"}, actor=None)
    assert "date" in _errors(exc)


def test_packaging_periods_do_not_overlap(make_retailer):
    r = make_retailer(opened=dt.date(2015, 1, 1))
    services.packaging_save(retailer=r, data={"since": dt.date(2021, 6, 1), "basis": "declared",
                                              "until": dt.date(2022, 1, 1)}, actor=None)
    with pytest.raises(ValidationError) as exc:
        services.packaging_save(retailer=r, data={"since": dt.date(2021, 12, 1),
                                                  "basis": "inspected"}, actor=None)
    assert "Overlaps" in " ".join(_errors(exc)["since"])
    with pytest.raises(ValidationError) as exc:
        services.packaging_save(retailer=r, data={"since": dt.date(2014, 1, 1),
                                                  "basis": "inspected"}, actor=None)
    assert "since" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.packaging_save(retailer=r, data={"since": dt.date(2023, 1, 1), "until":
                                                  dt.date(2022, 1, 1), "basis": "x"}, actor=None)
    assert {"until", "basis"} <= set(_errors(exc))
    assert PackagingPractice.objects.count() == 1


# ------------------------------------------------------------------ figures


GOOD = [("coal", "1200000", "t"), ("diesel", "4500000", "l"), ("electricity", "52000000", "kWh"),
        ("explosives", "950000", "kg")]


def test_figures_are_stored_and_converted(make_enterprise, units_loaded):
    e = make_enterprise()
    record = services.consumption_record_save(enterprise=e, year=2023, lines=GOOD, actor=None)
    assert record.lines.count() == 4 and record.version == 1
    from registry.selectors import enterprise_records

    view = enterprise_records(enterprise=e, user=None)[0]
    # 4.5 million litres of diesel = 3960 toe; 52 GWh = 8023.6 toe
    assert view.toe == Decimal("3960") + Decimal("8023.6")
    assert view.intensity == view.toe / Decimal(1200000)


@pytest.mark.parametrize("lines,key,fragment", [
    ([("coal", "0", "t"), ("diesel", "100", "l")], "lines", "Output is zero"),
    ([("coal", "10", "t"), ("diesel", "100", "gallon")], "lines.1.unit", "Unknown unit"),
    ([("coal", "10", "t"), ("diesel", "100", "kWh")], "lines.1.unit", "electricity"),
    ([("coal", "10", "GJ")], "lines.0.unit", "energy"),
    ([("coal", "10", "t"), ("diesel", "-5", "l")], "lines.1.quantity", "negative"),
    ([("coal", "ten", "t")], "lines.0.quantity", "must be a number"),
    ([("coal", "10", "t"), ("coal", "12", "t")], "lines.1.item", "twice"),
    ([("unobtainium", "10", "t")], "lines.0.item", "Unknown"),
    ([("coal", "", "t")], "lines.0.quantity", "quantity"),
    ([("coal", "1,23456", "t")], "lines.0.quantity", "4 after"),
])
def test_impossible_figures_are_refused_with_the_reason(make_enterprise, units_loaded, lines,
                                                        key, fragment):
    e = make_enterprise()
    with pytest.raises(ValidationError) as exc:
        services.consumption_record_save(enterprise=e, year=2023, lines=lines, actor=None)
    errors = _errors(exc)
    assert key in errors, errors
    assert fragment.lower() in " ".join(errors[key]).lower()
    assert not ConsumptionRecord.objects.exists() and not ConsumptionLine.objects.exists()


def test_period_and_year_are_checked(make_enterprise, units_loaded):
    e = make_enterprise(opened=dt.date(2022, 6, 1))
    for year, period, key in [(2021, "year", "year"), (2023, "q3", "period"),
                              (dt.date.today().year + 1, "year", "year")]:
        with pytest.raises(ValidationError) as exc:
            services.consumption_record_save(enterprise=e, year=year, period=period,
                                             lines=GOOD, actor=None)
        assert key in _errors(exc)


def test_a_rejected_update_keeps_the_old_figures(make_enterprise, units_loaded):
    e = make_enterprise()
    services.consumption_record_save(enterprise=e, year=2023, lines=GOOD, actor=None)
    with pytest.raises(ValidationError):
        services.consumption_record_save(enterprise=e, year=2023, actor=None,
                                         lines=[("coal", "10", "t"), ("diesel", "-1", "l")])
    record = ConsumptionRecord.objects.get()
    assert record.version == 1 and record.lines.count() == 4


def test_update_replaces_lines_records_changes_and_detects_stale_versions(
        make_enterprise, units_loaded, coordinator):
    e = make_enterprise()
    services.consumption_record_save(enterprise=e, year=2023, lines=GOOD, actor=coordinator)
    rec = services.consumption_record_save(
        enterprise=e, year=2023, actor=coordinator, expected_version=1,
        lines=[("coal", "1250000", "t"), ("diesel", "4500000", "l")])
    assert rec.version == 2
    assert sorted(rec.lines.values_list("item__code", flat=True)) == ["coal", "diesel"]
    event = AuditEvent.objects.filter(action="figures.update").get()
    fields = {c["field"]: c for c in event.changes}
    assert fields["coal"]["old"] == "1200000 t" and fields["coal"]["new"] == "1250000 t"
    assert fields["electricity"]["new"] is None
    with pytest.raises(ConflictError):
        services.consumption_record_save(enterprise=e, year=2023, actor=coordinator,
                                         expected_version=1, lines=GOOD)
    # saving the same again changes nothing
    same = services.consumption_record_save(
        enterprise=e, year=2023, actor=coordinator,
        lines=[("coal", "1250000", "t"), ("diesel", "4500000", "l")])
    assert same.version == 2


# ------------------------------------------------------------------ reporting units


def test_designate_creates_the_unit_and_its_reporter(make_enterprise, coordinator):
    e = make_enterprise("Công ty CP Xi măng Thăng Long", sector="cement")
    result = services.enterprise_designate(enterprise=e, actor=coordinator,
                                           email="dn@example.invalid")
    e.refresh_from_db()
    assert e.reporting_unit == result.unit
    assert result.unit.kind == OrgUnitKind.ENTERPRISE and result.unit.code == f"dn-{e.tax_code}"
    assert result.unit.is_active_on(dt.date.today())
    user = User.objects.get(username=f"dn-{e.tax_code}")
    assert user.role == Role.REPORTER and user.org_unit == result.unit
    assert result.password and user.check_password(result.password)
    again = services.enterprise_designate(enterprise=e, actor=coordinator)
    assert again.unit == result.unit and again.password is None
    assert AuditEvent.objects.filter(action="enterprise.designate").count() == 1


def test_renaming_or_closing_an_enterprise_follows_on_its_unit(make_enterprise):
    e = make_enterprise("Than Núi Béo")
    unit_ = services.enterprise_designate(enterprise=e, actor=None,
                                          since=dt.date(2021, 1, 1)).unit
    services.enterprise_save(data={"name": "Than Núi Béo - Vinacomin",
                                   "valid_to": dt.date(2024, 7, 1)}, actor=None, entry=e)
    unit_.refresh_from_db()
    assert unit_.name == "Than Núi Béo - Vinacomin" and unit_.valid_to == dt.date(2024, 7, 1)


def test_a_closed_enterprise_cannot_be_designated(make_enterprise, make_user):
    e = make_enterprise(opened=dt.date(2000, 1, 1), closed=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.enterprise_designate(enterprise=e, actor=None)
    with pytest.raises(PermissionDenied):
        services.enterprise_designate(enterprise=make_enterprise(),
                                      actor=make_user(Role.VIEWER))
